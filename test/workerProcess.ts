// The worker as `npm run worker` runs it, in a child process of its own, so that a test can kill it.
import { spawn, type ChildProcess } from 'node:child_process';

export interface WorkerSettings {
  temporalAddress: string;
  taskQueue: string;
  /** A MongoDB URI naming the database. */
  mongoUri: string;
  /** The PostgreSQL database under FerretDB, for the read model's indexes. */
  postgresqlUrl: string;
  smtpUrl: string;
}

/** Starts `scripts/worker.ts`, sending e-mail over SMTP, its output dropped. */
export function startWorkerProcess(settings: WorkerSettings): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: settings.temporalAddress,
      TEMPORAL_TASK_QUEUE: settings.taskQueue,
      MONGODB_URI: settings.mongoUri,
      FERRETDB_POSTGRESQL_URL: settings.postgresqlUrl,
      MAIL_PROVIDER: 'smtp',
      SMTP_URL: settings.smtpUrl,
      MAIL_FROM: 'visits@visits.test',
      LOG_LEVEL: 'error',
    },
    stdio: 'ignore',
  });
}

/** SIGKILL, and resolves once the process is gone. */
export async function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((exit) => child.once('exit', exit));
  child.kill('SIGKILL');
  await exited;
}

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
  /** The folder of rule files; by default the sample prisons' (rules/prisons). */
  rulesDir?: string;
  /**
   * The prisoner-information service, reachable from the child (test/prisonerServiceServer.ts); by default none,
   * and every request is flagged "could not check".
   */
  prisonerService?: { url: string; token?: string; timeoutMs?: number };
}

/** Starts `scripts/worker.ts`, sending e-mail over SMTP, its output dropped. */
export function startWorkerProcess(settings: WorkerSettings): ChildProcess {
  const { rulesDir, prisonerService } = settings;
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
      ...(rulesDir ? { RULES_DIR: rulesDir } : {}),
      ...(prisonerService ? { PRISONER_SERVICE_URL: prisonerService.url } : {}),
      ...(prisonerService?.token ? { PRISONER_SERVICE_TOKEN: prisonerService.token } : {}),
      ...(prisonerService?.timeoutMs ? { PRISONER_SERVICE_TIMEOUT_MS: String(prisonerService.timeoutMs) } : {}),
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

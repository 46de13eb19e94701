// The embedded servers, as child processes, for `npm start`, the tests and the benchmark: Temporal's dev server,
// and the store (PostgreSQL with FerretDB on it).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { startServer, type RunningServer } from './childServer';
import { startPostgres } from './embeddedPostgres';

export { freePort, type RunningServer } from './childServer';

const root = resolve(import.meta.dirname, '..');
export const tools = {
  temporal: join(root, '.tools/venv/bin/temporal'),
  temporalTestServer: join(root, '.tools/venv/bin/temporal-test-server'),
  ferretdb: join(root, '.tools/bin/ferretdb'),
};

export interface TemporalOptions {
  port: number;
  /** Web UI port; none means headless. */
  uiPort?: number;
  /** SQLite file for persistence; none means in memory. */
  dbFile?: string;
  output?: 'inherit' | 'ignore';
}

/** The Temporal CLI's dev server, offline (no version check, bound to 127.0.0.1), once its namespace answers. */
export async function startTemporal({
  port,
  uiPort,
  dbFile,
  output = 'ignore',
}: TemporalOptions): Promise<RunningServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
  args.push('--dynamic-config-value', 'frontend.enableServerVersionCheck=false');
  // An activity a workflow task schedules goes straight back to the worker that completed the task, when it has room,
  // rather than through the task queue: fewer steps on the server for each (docs/decisions/0010).
  args.push('--dynamic-config-value', 'system.enableActivityEagerExecution=true');
  args.push(...(uiPort ? ['--ui-port', String(uiPort)] : ['--headless']));
  if (dbFile) {
    // SQLite's write-ahead log, synced at checkpoints rather than at every commit: half the server's CPU for each
    // visit request. A killed server loses nothing; a machine that loses power may lose its last moments of work
    // (docs/decisions/0010).
    args.push('--db-filename', dbFile, '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  }
  const server = await startServer('Temporal', tools.temporal, args, port, output);
  try {
    await namespaceAnswers(`127.0.0.1:${port}`, Date.now() + 90_000);
    return server;
  } catch (error) {
    await server.stop(); // else it would hold the port
    throw error;
  }
}

/** Waits until the server answers for its default namespace: on a busy machine, a while after its port opens. */
async function namespaceAnswers(address: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 10_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((wait) => setTimeout(wait, 200));
    }
  }
}

/** Where FerretDB keeps its data: PostgreSQL (the embedded default), or SQLite files (the store before it). */
export type FerretDbStore = { postgresqlUrl: string } | { sqliteDir: string };

/** FerretDB on `port`, keeping its data in `store`. */
export function startFerretDb(
  port: number,
  store: FerretDbStore,
  output: 'inherit' | 'ignore' = 'ignore',
): Promise<RunningServer> {
  const args = [`--listen-addr=127.0.0.1:${port}`, '--debug-addr=-', '--state-dir=-', '--telemetry=disable'];
  args.push('--log-level=warn');
  const env = { ...process.env };
  if ('postgresqlUrl' in store) {
    args.push('--handler=postgresql');
    env.FERRETDB_POSTGRESQL_URL = store.postgresqlUrl; // not on the command line, where `ps` shows it
  } else {
    mkdirSync(store.sqliteDir, { recursive: true });
    args.push('--handler=sqlite', `--sqlite-url=file:${resolve(store.sqliteDir)}/`);
  }
  return startServer('FerretDB', tools.ferretdb, args, port, output, { env });
}

export interface StoreOptions {
  /** FerretDB's port, where MongoDB clients connect. */
  port: number;
  postgresPort: number;
  /** PostgreSQL's data folder. */
  dir: string;
  password: string;
  /** False for throwaway data (tests). */
  durable?: boolean;
  output?: 'inherit' | 'ignore';
}

export interface RunningStore {
  postgres: RunningServer;
  ferretdb: RunningServer;
  /** The connection string of the PostgreSQL database under FerretDB, for the read model's own indexes. */
  postgresqlUrl: string;
  stop(): Promise<void>;
}

/** The embedded store: PostgreSQL, and FerretDB on it speaking MongoDB's protocol. */
export async function startStore({ port, postgresPort, dir, password, durable, output }: StoreOptions) {
  const postgres = await startPostgres({ port: postgresPort, dir, password, durable, output });
  try {
    const ferretdb = await startFerretDb(port, { postgresqlUrl: postgres.url }, output);
    return {
      postgres,
      ferretdb,
      postgresqlUrl: postgres.url,
      async stop() {
        await ferretdb.stop();
        await postgres.stop();
      },
    } satisfies RunningStore;
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}

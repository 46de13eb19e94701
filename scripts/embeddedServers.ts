// Starting the embedded Temporal dev server and FerretDB as child processes, for `npm start` and the tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';

const root = resolve(import.meta.dirname, '..');
export const tools = {
  temporal: join(root, '.tools/venv/bin/temporal'),
  temporalTestServer: join(root, '.tools/venv/bin/temporal-test-server'),
  ferretdb: join(root, '.tools/bin/ferretdb'),
};

export interface RunningServer {
  name: string;
  process: ChildProcess;
  /** Stops the server: SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => socket.end(() => done(true)));
    socket.once('error', () => done(false));
  });
}

function checkInstalled(path: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run install-tools\``);
}

/** Starts a child process and waits until it accepts connections on `port`. */
async function startServer(
  name: string,
  command: string,
  args: string[],
  port: number,
  output: 'inherit' | 'ignore',
): Promise<RunningServer> {
  checkInstalled(command);
  if (await portAccepts(port)) throw new Error(`${name} cannot start: port ${port} is already in use`);
  const child = spawn(command, args, { stdio: ['ignore', output, output] });
  let exited = false;
  const exit = new Promise<void>((done) => child.once('exit', () => ((exited = true), done())));
  const deadline = Date.now() + 60_000;
  while (!(await portAccepts(port))) {
    if (exited) throw new Error(`${name} exited at start (code ${child.exitCode})`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not open port ${port} within 60 s`);
    }
    await new Promise((wait) => setTimeout(wait, 100));
  }
  return {
    name,
    process: child,
    async stop(graceMs = 10_000) {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

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
  args.push(...(uiPort ? ['--ui-port', String(uiPort)] : ['--headless']));
  if (dbFile) args.push('--db-filename', dbFile);
  const server = await startServer('Temporal', tools.temporal, args, port, output);
  const connection = await Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: 30_000 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return server;
      } catch (error) {
        if (attempt >= 300) throw error;
        await new Promise((wait) => setTimeout(wait, 100));
      }
    }
  } finally {
    await connection.close();
  }
}

/** FerretDB with its SQLite backend, keeping its data in `dir`. */
export function startFerretDb(
  port: number,
  dir: string,
  output: 'inherit' | 'ignore' = 'ignore',
): Promise<RunningServer> {
  mkdirSync(dir, { recursive: true });
  const args = [
    '--handler=sqlite',
    `--sqlite-url=file:${resolve(dir)}/`,
    `--listen-addr=127.0.0.1:${port}`,
    '--debug-addr=-',
    '--state-dir=-',
    '--telemetry=disable',
    '--log-level=warn',
  ];
  return startServer('FerretDB', tools.ferretdb, args, port, output);
}

// A server run as a child process: started, waited for on its port, stopped.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';

export interface RunningServer {
  name: string;
  process: ChildProcess;
  /** Stops the server: its stop signal (SIGTERM unless said otherwise), then SIGKILL after `graceMs`. */
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
export async function startServer(
  name: string,
  command: string,
  args: string[],
  port: number,
  output: 'inherit' | 'ignore',
  options: Pick<SpawnOptions, 'uid' | 'gid' | 'cwd' | 'env'> & { stopSignal?: NodeJS.Signals } = {},
): Promise<RunningServer> {
  const { stopSignal = 'SIGTERM', ...spawnOptions } = options;
  checkInstalled(command);
  if (await portAccepts(port)) throw new Error(`${name} cannot start: port ${port} is already in use`);
  // Its last words are kept even when its output is not shown, to say why it stopped.
  const child = spawn(command, args, {
    ...spawnOptions,
    stdio: ['ignore', output, output === 'inherit' ? 'inherit' : 'pipe'],
  });
  let lastWords = '';
  child.stderr?.on('data', (chunk: Buffer) => (lastWords = (lastWords + chunk.toString()).slice(-2000)));
  let exited = false;
  const exit = new Promise<void>((done) => child.once('exit', () => ((exited = true), done())));
  const deadline = Date.now() + 60_000;
  while (!(await portAccepts(port))) {
    if (exited) throw new Error(`${name} exited at start (code ${child.exitCode}): ${lastWords.trim()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not open port ${port} within 60 s: ${lastWords.trim()}`);
    }
    await new Promise((wait) => setTimeout(wait, 100));
  }
  return {
    name,
    process: child,
    async stop(graceMs = 10_000) {
      if (exited) return;
      child.kill(stopSignal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

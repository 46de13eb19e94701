// `npm start` as a newcomer runs it: embedded Temporal and FerretDB, demo staff, a worker and the API; Ctrl-C
// stops every process, and a second start finds the first one's data. Also `npm run staff -- add`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../scripts/embeddedServers';
import { DEMO_PASSWORD } from '../scripts/demo';
import { visitRequestBody } from './harness';

const dataDir = mkdtempSync(join(tmpdir(), 'pvb-start-'));
const ports = { api: await freePort(), temporal: await freePort(), ui: await freePort(), mongo: await freePort() };
const { TEMPORAL_ADDRESS: _t, MONGODB_URI: _m, ...inherited } = process.env;
const env = {
  ...inherited,
  NODE_ENV: 'development',
  PORT: String(ports.api),
  EMBEDDED_TEMPORAL_PORT: String(ports.temporal),
  EMBEDDED_TEMPORAL_UI_PORT: String(ports.ui),
  EMBEDDED_MONGODB_PORT: String(ports.mongo),
  DATA_DIR: dataDir,
};
const base = `http://127.0.0.1:${ports.api}`;
let current: ChildProcess | undefined;

afterAll(() => {
  // Should a test fail half-way, take the whole group (servers, worker, API) down with it.
  if (current?.pid && current.exitCode === null) process.kill(-current.pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs `npm start`'s script and resolves once it says the service is up, with everything it printed. */
function start(): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  current = child;
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 90 s:\n${output}`)), 90_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve({ child, output: () => output });
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => reject(new Error(`start exited with ${code}:\n${output}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function json(path: string, init: RequestInit = {}) {
  const response = await fetch(`${base}${path}`, {
    ...init,
    headers: { 'Content-Type': 'application/json', ...init.headers },
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: (await response.json()) as any };
}

async function signIn(email: string, password: string): Promise<string> {
  const { status, body } = await json('/api/staff/session', {
    method: 'POST',
    body: JSON.stringify({ email, password }),
  });
  expect(status).toBe(200);
  return body.token;
}

describe('npm start', { timeout: 120_000 }, () => {
  it('brings the service up, stops cleanly on Ctrl-C, and keeps visits across a restart', async () => {
    const first = await start();
    expect(first.output()).toContain('staff@northgate.example');
    expect(first.output()).toContain(DEMO_PASSWORD);
    expect(await json('/health')).toEqual({ status: 200, body: { status: 'ok', temporal: 'up', mongo: 'up' } });

    const body = visitRequestBody();
    const submitted = await json('/api/visits', { method: 'POST', body: JSON.stringify(body) });
    expect(submitted.status).toBe(201);

    expect(await stop(first.child)).toBe(0);
    for (const port of Object.values(ports)) expect(await portOpen(port)).toBe(false);

    await start();
    const token = await signIn('staff@northgate.example', DEMO_PASSWORD);
    const decided = await json(`/api/staff/visits/${submitted.body.reference}/decision`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: JSON.stringify({ outcome: 'accept', slot: body.slotOptions[0], referenceNo: 'NG-9' }),
    });
    expect(decided.status).toBe(200);
    const seen = await json(submitted.body.statusUrl, {
      headers: { Authorization: `Bearer ${submitted.body.accessToken}` },
    });
    expect(seen.body.status).toBe('booked');
  });

  it('adds a staff account with `npm run staff -- add`, who can then sign in', async () => {
    const args = ['--import', 'tsx', 'scripts/staff.ts', 'add', '--email', 'new@westmoor.example'];
    const staffEnv = { ...env, MONGODB_URI: `mongodb://127.0.0.1:${ports.mongo}/visits` };
    const added = spawnSync(
      process.execPath,
      [...args, '--password', 'a-long-password', '--role', 'staff', '--prison', 'WMR'],
      {
        env: staffEnv,
        encoding: 'utf8',
      },
    );
    expect(added.status, added.stderr).toBe(0);
    await signIn('new@westmoor.example', 'a-long-password');

    const refused = spawnSync(
      process.execPath,
      [...args, '--password', 'a-long-password', '--role', 'staff', '--prison', 'XXX'],
      {
        env: staffEnv,
        encoding: 'utf8',
      },
    );
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--prison: no rule file for XXX');
  });
});

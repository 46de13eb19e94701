// `npm start` as a newcomer runs it: embedded Temporal and FerretDB, demo staff, a worker and the API; Ctrl-C
// stops every process, and a second start finds the first one's data. Also `npm run staff -- add`; no demo staff in a
// store of one's own; and a production start that finds demo staff in its store refuses.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { saveStaffAccount } from '../api/staffAccounts';
import { loadConfig } from '../config';
import { submission as submissionSchema } from '../rules/shapes';
import { sha256 } from '../workflows/client';
import { freePort, startFerretDb } from '../scripts/embeddedServers';
import { newVisit } from '../workflows/visit';
import { DEMO_PASSWORD, demoAccountsIn, demoStaff, seedDemoStaff } from '../scripts/demo';
import { visitRequestBody } from './harness';

/** A folder for a start's data, which PostgreSQL's own user (when this runs as root) can reach. */
function dataFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pvb-start-'));
  chmodSync(dir, 0o755);
  return dir;
}

const dataDir = dataFolder();
const ports = {
  api: await freePort(),
  temporal: await freePort(),
  ui: await freePort(),
  mongo: await freePort(),
  postgres: await freePort(),
};
// Nor the tests' key for Temporal's payloads: with embedded Temporal and none set, `npm start` makes its own.
const { TEMPORAL_ADDRESS: _t, MONGODB_URI: _m, TEMPORAL_PAYLOAD_KEYS: testKeys, ...inherited } = process.env;
const env = {
  ...inherited,
  NODE_ENV: 'development',
  PORT: String(ports.api),
  EMBEDDED_TEMPORAL_PORT: String(ports.temporal),
  EMBEDDED_TEMPORAL_UI_PORT: String(ports.ui),
  EMBEDDED_MONGODB_PORT: String(ports.mongo),
  EMBEDDED_POSTGRES_PORT: String(ports.postgres),
  DATA_DIR: dataDir,
};
const base = `http://127.0.0.1:${ports.api}`;

// Each step's limit comes from the waits inside it, and each test's timeout from its steps' limits: a step too slow
// fails with its own message (and what the service printed), never cut short by the test's timeout.
/**
 * One start: scripts/start.ts waits for Temporal's namespace for up to 90 s (scripts/embeddedServers.ts), then for
 * PostgreSQL, FerretDB and the API's health in turn.
 */
const START_MS = 150_000;
/** One stop on Ctrl-C: the worker and the API have 15 s before SIGKILL, then each of the four servers 10 s. */
const STOP_MS = 60_000;
/** The requests and commands of a test between its starts and stops. */
const STEPS_MS = 30_000;
/** Seeding the old store: FerretDB on SQLite is waited for up to 60 s, then written to and stopped. */
const SEED_MS = 60_000 + STEPS_MS;

let current: ChildProcess | undefined;

const dataDirs = [dataDir];
afterAll(() => {
  // Should a test fail half-way, take the whole group (servers, worker, API) down with it.
  if (current?.pid && current.exitCode === null) process.kill(-current.pid, 'SIGKILL');
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs `npm start`'s script and resolves once it says the service is up, with everything it printed. */
function start(dir = dataDir, moreEnv: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env: { ...env, DATA_DIR: dir, ...moreEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  current = child;
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within ${START_MS / 1000} s:\n${output}`)), START_MS);
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
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no stop within ${STOP_MS / 1000} s of Ctrl-C`)), STOP_MS);
    child.once('exit', (code) => (clearTimeout(timer), resolve(code)));
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

/** The move of an old store: a stop of the earlier start, if still up; the old store seeded; a start; a stop. */
const MOVE_MS = STOP_MS + SEED_MS + START_MS + STOP_MS + STEPS_MS;

// Two starts and a stop between them.
describe('npm start', { timeout: START_MS + STOP_MS + START_MS + STEPS_MS }, () => {
  it('brings the service up, stops cleanly on Ctrl-C, and keeps visits across a restart', async () => {
    const first = await start();
    expect(first.output()).toContain('staff@northgate.example');
    expect(first.output()).toContain(DEMO_PASSWORD);
    const keyFile = join(dataDir, 'temporal-payload-keys');
    expect(first.output()).toContain(`made a key for Temporal's payloads in ${keyFile}`);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(await json('/health')).toEqual({ status: 200, body: { status: 'ok', temporal: 'up', mongo: 'up' } });

    const body = visitRequestBody();
    const submitted = await json('/api/visits', { method: 'POST', body: JSON.stringify(body) });
    expect(submitted.status).toBe(201);

    expect(await stop(first.child)).toBe(0);
    for (const port of Object.values(ports)) expect(await portOpen(port)).toBe(false);

    const second = await start();
    expect(second.output()).not.toContain('made a key');
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
    const store = new MongoClient(`mongodb://127.0.0.1:${ports.mongo}`);
    expect((await demoAccountsIn(store.db('visits'))).sort()).toEqual(demoStaff.map(({ email }) => email).sort());
    await store.close();
  });

  it('adds a staff account with `npm run staff -- add`, who can then sign in', async () => {
    const args = ['--import', 'tsx', 'scripts/staff.ts', 'add', '--email', 'new@westmoor.example'];
    const staffEnv = { ...env, MONGODB_URI: `mongodb://127.0.0.1:${ports.mongo}/visits` };
    const added = spawnSync(
      process.execPath,
      [...args, '--password', 'a-long-password', '--role', 'staff', '--prison', 'WMR'],
      { env: staffEnv, encoding: 'utf8', timeout: STEPS_MS },
    );
    expect(added.status, added.stderr).toBe(0);
    await signIn('new@westmoor.example', 'a-long-password');

    const refused = spawnSync(
      process.execPath,
      [...args, '--password', 'a-long-password', '--role', 'staff', '--prison', 'XXX'],
      { env: staffEnv, encoding: 'utf8', timeout: STEPS_MS },
    );
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--prison: no rule file for XXX');
  });
});

describe('npm start on the data of the store before PostgreSQL (FerretDB on SQLite)', { timeout: MOVE_MS }, () => {
  it('moves it across, says so, keeps the old files aside, and finds the visits it held', async () => {
    if (current?.pid && current.exitCode === null) await stop(current);
    const dir = dataFolder();
    dataDirs.push(dir);
    const { reference, accessToken, prisonerNumber } = await seedSqliteStore(join(dir, 'ferretdb'));

    // Servers on ports of their own: none of the earlier starts' can be in the way.
    const started = await start(dir, {
      EMBEDDED_TEMPORAL_PORT: String(await freePort()),
      EMBEDDED_TEMPORAL_UI_PORT: String(await freePort()),
      EMBEDDED_MONGODB_PORT: String(await freePort()),
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
    });
    expect(started.output()).toContain(`found the data of the earlier store (FerretDB on SQLite) in ${dir}/ferretdb`);
    expect(started.output()).toMatch(/visits\.visits: 1 documents/);
    expect(existsSync(join(dir, 'ferretdb'))).toBe(false);
    expect(readdirSync(dir).filter((name) => name.startsWith('ferretdb-sqlite-moved-'))).toHaveLength(1);

    const seen = await json(`/api/visits/${reference}`, { headers: { Authorization: `Bearer ${accessToken}` } });
    expect(seen).toMatchObject({ status: 200, body: { reference, status: 'requested' } });
    // Found by a query on the fields the read model adds to the visits it was handed.
    const token = await signIn('staff@northgate.example', DEMO_PASSWORD);
    const found = await json(`/api/staff/search?q=${prisonerNumber}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(found.body.visits.map((visit: { reference: string }) => visit.reference)).toEqual([reference]);
    expect(await stop(started.child)).toBe(0);
  });
});

/** A FerretDB SQLite store in `dir` holding one visit as the earlier version saved it, before its query fields. */
async function seedSqliteStore(dir: string) {
  const port = await freePort();
  const ferretdb = await startFerretDb(port, { sqliteDir: dir });
  const mongo = new MongoClient(`mongodb://127.0.0.1:${port}`);
  const accessToken = 'an-access-token-of-the-earlier-store';
  const submission = submissionSchema.parse(
    visitRequestBody({ prisoner: { ...visitRequestBody().prisoner, number: 'Z9876YX' } }),
  );
  const visit = newVisit({
    reference: 'OLDSTORE',
    submission,
    confirmBy: '2026-12-10',
    submittedAt: new Date().toISOString(),
    accessToken,
    accessTokenHash: sha256(accessToken),
    requestHash: sha256('request'),
    deadlines: { staffReminderAt: new Date().toISOString(), overdueAt: new Date().toISOString() },
    visitorReminderDays: 2,
  });
  await mongo
    .db('visits')
    .collection('visits')
    .insertOne({ ...visit, _id: visit.reference as never, savedAt: new Date() });
  await mongo.close();
  await ferretdb.stop();
  return { reference: visit.reference, accessToken, prisonerNumber: 'Z9876YX' };
}

/** Runs `npm start`'s script on the run's shared servers (no embedded ones) until it exits or says it is up. */
function startOnSharedServers(moreEnv: NodeJS.ProcessEnv) {
  const dir = dataFolder();
  dataDirs.push(dir);
  return start(dir, {
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `start-${randomBytes(4).toString('hex')}`,
    TEMPORAL_PAYLOAD_KEYS: testKeys,
    FERRETDB_POSTGRESQL_URL: inject('postgresqlUrl'),
    ...moreEnv,
  });
}

describe('demo staff', { timeout: START_MS + STOP_MS }, () => {
  const mongo = new MongoClient(inject('mongoUrl'));
  afterAll(() => mongo.close());
  const database = () => mongo.db(`test_start_${randomBytes(4).toString('hex')}`);

  it('are never seeded into a store given by MONGODB_URI', async () => {
    if (current?.pid && current.exitCode === null) await stop(current);
    const db = database();
    const uri = `${inject('mongoUrl')}/${db.databaseName}`;
    await expect(seedDemoStaff(db, loadConfig({ MONGODB_URI: uri }))).rejects.toThrow(/only into the embedded store/);

    const started = await startOnSharedServers({ MONGODB_URI: uri, PORT: String(await freePort()) });
    expect(started.output()).not.toContain(DEMO_PASSWORD);
    expect(await db.collection('staff').countDocuments()).toBe(0);
    expect(await stop(started.child)).toBe(0);
    await db.dropDatabase();
  });

  it('in its store stop a production start, which names them', async () => {
    const db = database();
    // One seeded before demo accounts were marked, still with the README's password; one marked, whatever its e-mail;
    // one whose password has since been changed, which is an account like any other.
    await saveStaffAccount(db, { ...demoStaff[0], password: DEMO_PASSWORD });
    await saveStaffAccount(db, {
      email: 'retired-demo@visits.example',
      role: 'admin',
      prisons: [],
      password: 'p'.repeat(12),
    });
    await db
      .collection<{ _id: string }>('staff')
      .updateOne({ _id: 'retired-demo@visits.example' }, { $set: { demo: true } });
    await saveStaffAccount(db, { ...demoStaff[2], password: 'a-password-of-its-own' });
    expect(await demoAccountsIn(db)).toEqual(['retired-demo@visits.example', 'staff@northgate.example']);

    const refused = startOnSharedServers({
      NODE_ENV: 'production',
      MONGODB_URI: `${inject('mongoUrl')}/${db.databaseName}`,
      PORT: String(await freePort()),
      SESSION_SECRET: randomBytes(32).toString('hex'),
      PUBLIC_URL: 'https://visits.example.gov.uk',
    });
    const error = await refused.then(
      () => new Error('started'),
      (exited: Error) => exited,
    );
    expect(error.message).toMatch(/^start exited with 1/);
    expect(error.message).toContain(
      'refusing to start in production: the store holds demo staff accounts, whose password is public: ' +
        'retired-demo@visits.example, staff@northgate.example.',
    );
    expect(error.message).not.toContain('admin@visits.example');
    await db.dropDatabase();
  });
});

// `npm start` in production (NODE_ENV=production) against external servers, as a deployment runs it: no demo staff
// accounts, Secure cookies, and the prisoner-information service's token in no process's log.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findStaffAccount, saveStaffAccount } from '../api/staffAccounts';
import { DEMO_PASSWORD, demoStaff } from '../scripts/demo';
import { freePort } from '../scripts/embeddedServers';
import { eventually, PASSWORD, visitRequestBody } from './harness';

const PRISONER_SERVICE_TOKEN = `records-token-${randomBytes(12).toString('hex')}`;
const suffix = randomBytes(4).toString('hex');
const mongo = new MongoClient(inject('mongoUrl'), { serverSelectionTimeoutMS: 5000 });
const db = mongo.db(`test_deployment_${suffix}`);
let base: string;
let start: ChildProcess;
let printed = '';

/** Runs `npm start`'s script in production, resolving once it says the service is up. */
async function startInProduction(): Promise<void> {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  start = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: `deployment-${suffix}`,
      MONGODB_URI: `${inject('mongoUrl')}/${db.databaseName}`,
      FERRETDB_POSTGRESQL_URL: inject('postgresqlUrl'),
      SESSION_SECRET: randomBytes(32).toString('hex'),
      PUBLIC_URL: 'https://visits.example.gov.uk',
      // Everything a process logs, so that a token in any line would be seen.
      LOG_LEVEL: 'debug',
      // Unreachable: each lookup fails, and the request goes on flagged, down the path that might log an error.
      PRISONER_SERVICE_URL: 'http://prisoner-service.invalid/api',
      PRISONER_SERVICE_TOKEN,
      PRISONER_SERVICE_TIMEOUT_MS: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const read = (chunk: Buffer) => (printed += chunk.toString());
  start.stdout?.on('data', read);
  start.stderr?.on('data', read);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 150 s:\n${printed}`)), 150_000);
    start.stdout?.on('data', () => {
      if (!printed.includes('Press Ctrl-C to stop.')) return;
      clearTimeout(timer);
      resolve();
    });
    start.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`start exited with ${code}:\n${printed}`));
    });
  });
}

/** Ctrl-C, resolving with the exit code once every process has stopped, within 60 s. */
function stop(): Promise<number | null> {
  if (start.exitCode !== null) return Promise.resolve(start.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no stop within 60 s:\n${printed}`)), 60_000);
    start.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    start.kill('SIGINT');
  });
}

beforeAll(startInProduction, 180_000);

afterAll(async () => {
  // Should a test fail half-way, take the whole group (worker and API) down with it.
  // (Whether or not start.ts is still there: it may have died and left them running.)
  if (start?.pid) {
    try {
      process.kill(-start.pid, 'SIGKILL');
    } catch {
      // the group has gone
    }
  }
  await db.dropDatabase();
  await mongo.close();
});

/** The Set-Cookie header of a response, for the cookie named. */
const setCookie = (response: Response, name: string) =>
  response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`));

describe('npm start in production', { timeout: 60_000 }, () => {
  it('seeds no demo staff accounts, lists none, and lets none sign in', async () => {
    expect(printed).toContain('Prison Visit Booking is running.');
    expect(printed).not.toContain('Demo staff');
    expect(printed).not.toContain(DEMO_PASSWORD);
    for (const { email } of demoStaff) {
      expect(await findStaffAccount(db, email)).toBeUndefined();
      const signIn = await fetch(`${base}/api/staff/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email, password: DEMO_PASSWORD }),
      });
      expect(signIn.status, email).toBe(401);
    }
  });

  it('marks the visitor journey’s and the staff session’s cookies Secure', async () => {
    const journey = setCookie(await fetch(`${base}/request/prison`), 'pvb_journey');
    expect(journey).toMatch(/; Secure(;|$)/);
    expect(journey).toMatch(/; HttpOnly(;|$)/);

    const email = 'deployed@test.example';
    await saveStaffAccount(db, { email, role: 'staff', prisons: ['NGT'], password: PASSWORD });
    const signedIn = await fetch(`${base}/api/staff/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(signedIn.status).toBe(200);
    const session = setCookie(signedIn, 'pvb_session');
    expect(session).toMatch(/; Secure(;|$)/);
    expect(session).toMatch(/; HttpOnly(;|$)/);
  });

  // Its waits: 90 s for the worker, 60 s for the lookup, 60 s for the stop, and a little for the requests.
  it('never logs the prisoner-information service’s token, from start to stop', { timeout: 240_000 }, async () => {
    // `npm start` waits for the API only; the worker may still be bundling the workflows.
    await eventually(async () => (printed.includes('"message":"worker polling"') ? true : undefined), 90_000, 250);
    const submitted = await fetch(`${base}/api/visits`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(visitRequestBody()),
    });
    expect(submitted.status).toBe(201);
    const { reference } = await submitted.json();
    // The worker has looked the prisoner up (and failed, so the request goes to staff flagged).
    const checked = await eventually(
      async () => (await db.collection('visits').findOne({ reference, eligibility: { $exists: true } })) ?? undefined,
      60_000,
      250,
    );
    expect(checked.eligibility.prisonerCheck).toBe('unavailable');
    expect(await stop()).toBe(0);

    expect(printed).toContain('"message":"worker polling"'); // the worker's log is in what was read
    expect(printed).toContain('"message":"request"'); // and the API's
    expect(printed).not.toContain(PRISONER_SERVICE_TOKEN);
  });
});

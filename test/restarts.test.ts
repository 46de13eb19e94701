// Backing servers restarted under load: Temporal (keeping its SQLite file) and the store (PostgreSQL and FerretDB,
// killed as a crash would, PostgreSQL keeping its data folder), each while visitors submit requests, and the mail server down for a minute. Each fault has servers of its own,
// so that the other test files, on the run's shared servers, notice nothing.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { outbox } from '../activities/emails/outbox';
import { visitsCollection } from '../activities/readModel/visits';
import { loadConfig } from '../config';
import { connectMongo, temporalClient } from '../scripts/connections';
import { freePort, startStore, startTemporal, type RunningServer } from '../scripts/embeddedServers';
import { eventually, testApp } from './harness';
import { startSmtpSink, type SmtpSink } from './smtpSink';
import { submitAll, type Visitors } from './visitors';
import { killProcess, startWorkerProcess } from './workerProcess';

const dir = mkdtempSync(join(tmpdir(), 'pvb-restarts-'));
chmodSync(dir, 0o755); // PostgreSQL may run as a user of its own, who must reach its folder in here
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

interface Service {
  app: ReturnType<typeof testApp>;
  db: Db;
  temporal: Client;
  taskQueue: string;
  sink: SmtpSink;
  worker: ChildProcess;
}

/**
 * The service on the given servers, wired as `npm run api` and `npm run worker` wire it: an API (in this process)
 * whose clients fail fast while a server is down, and a worker process, sending e-mail to a sink of its own.
 */
async function startService(
  temporalAddress: string,
  mongoUrl: string,
  { postgresqlUrl = inject('postgresqlUrl') } = {},
): Promise<Service> {
  const taskQueue = `restarts-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    MONGODB_URI: `${mongoUrl}/test_${taskQueue.replace('-', '_')}`,
    // The key test/harness.ts made for this run, which the worker process inherits.
    TEMPORAL_PAYLOAD_KEYS: process.env.TEMPORAL_PAYLOAD_KEYS,
  });
  const { mongo, db } = await connectMongo(config);
  const temporal = temporalClient(config);
  const sink = await startSmtpSink();
  const worker = startWorkerProcess({
    temporalAddress,
    taskQueue,
    mongoUri: config.mongo.uri,
    postgresqlUrl,
    smtpUrl: sink.url,
  });
  cleanups.push(() => closeService(worker, temporal, sink, mongo, db));
  // A short command timeout, so that requests caught by a fault answer 503 soon; the visitors retry them.
  const app = testApp({ db, temporal, taskQueue, commandTimeoutMs: 3000 });
  return { app, db, temporal, taskQueue, sink, worker };
}

async function closeService(worker: ChildProcess, temporal: Client, sink: SmtpSink, mongo: MongoClient, db: Db) {
  await killProcess(worker);
  await temporal.connection.close();
  await sink.close();
  await db.dropDatabase().catch(() => undefined);
  await mongo.close();
}

/** Kills a server as a crash would (SIGKILL), and resolves once it is gone. */
async function crash(server: RunningServer): Promise<void> {
  const exited = new Promise((exit) => server.process.once('exit', exit));
  server.process.kill('SIGKILL');
  await exited;
}

const keysFor = (name: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${name}-${randomBytes(4).toString('hex')}-${i}`);

/** How many times the sink received each visit's first e-mail (the one saying the request was received). */
function receivedTimes(sink: SmtpSink, visitors: Visitors): number[] {
  return [...visitors.accepted.values()].map(
    ({ reference }) => sink.messages.filter((m) => m.messageId === `<${reference}.received@visits.test>`).length,
  );
}

/** Every accepted request is in the read model, requested, its eligibility checked. */
async function readModelCatchesUp(db: Db, visitors: Visitors): Promise<void> {
  const references = [...visitors.accepted.values()].map((accepted) => accepted.reference);
  await eventually(
    async () => {
      const caughtUp = await visitsCollection(db).countDocuments({
        _id: { $in: references },
        status: 'requested',
        eligibility: { $exists: true },
      });
      return caughtUp === references.length ? true : undefined;
    },
    60_000,
    500,
  );
}

describe('Temporal restarted while visitors submit requests', { timeout: 240_000 }, () => {
  it('answers 503 with Retry-After while it is down, and makes each request once, however often it is sent', async () => {
    const port = await freePort();
    const dbFile = join(dir, 'temporal.db');
    let temporal = await startTemporal({ port, dbFile });
    cleanups.push(() => temporal.stop());
    const service = await startService(`127.0.0.1:${port}`, inject('mongoUrl'));
    const keys = keysFor('temporal', 60);
    const visitors = submitAll(service.app, keys, { inFlight: 10 });
    await visitors.accept(20);

    await crash(temporal);
    await eventually(async () => (visitors.unavailable >= 10 ? true : undefined), 60_000);
    const health = await service.app.request('/health');
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ temporal: 'down', mongo: 'up' });
    temporal = await startTemporal({ port, dbFile });
    await visitors.done;

    // One workflow per key: the retries reached the workflow their first attempt started, or started it once.
    const references = [...visitors.accepted.values()].map((accepted) => accepted.reference);
    expect(new Set(references).size).toBe(keys.length);
    const query = `WorkflowType = 'visitRequest' AND TaskQueue = '${service.taskQueue}'`;
    const workflowIds = await eventually(
      async () => {
        const ids: string[] = [];
        for await (const workflow of service.temporal.workflow.list({ query })) ids.push(workflow.workflowId);
        return ids.length >= keys.length ? ids : undefined; // listing lags a little behind the starts
      },
      30_000,
      500,
    );
    expect(workflowIds.sort()).toEqual(references.map((reference) => `visit-${reference}`).sort());

    await readModelCatchesUp(service.db, visitors);
    expect(await visitsCollection(service.db).countDocuments()).toBe(keys.length);
    await eventually(
      async () => (receivedTimes(service.sink, visitors).every((n) => n > 0) ? true : undefined),
      60_000,
    );
    expect(receivedTimes(service.sink, visitors).filter((n) => n !== 1)).toEqual([]);
    // The worker that was running before the restart did the work after it: it reconnected by itself.
    expect(service.worker.exitCode).toBeNull();
  });
});

describe('the store (PostgreSQL and FerretDB) crashed while visitors submit requests', { timeout: 420_000 }, () => {
  it('loses nothing: once it is back, every accepted request is in the read model, whole', async () => {
    const options = {
      port: await freePort(),
      postgresPort: await freePort(),
      dir: join(dir, 'postgres'),
      password: randomBytes(16).toString('hex'),
    };
    let store = await startStore(options);
    cleanups.push(() => store.stop());
    const service = await startService(inject('temporalAddress'), `mongodb://127.0.0.1:${options.port}`, {
      postgresqlUrl: store.postgresqlUrl,
    });
    const keys = keysFor('ferretdb', 60);
    const visitors = submitAll(service.app, keys, { inFlight: 10 });
    await visitors.accept(20);
    const [first] = visitors.accepted.values();
    if (!first) throw new Error('no request accepted');

    await Promise.all([crash(store.ferretdb), crash(store.postgres)]);
    const read = await service.app.request(`/api/visits/${first.reference}`, {
      headers: { Authorization: `Bearer ${first.accessToken}` },
    });
    expect(read.status).toBe(503);
    expect(Number(read.headers.get('Retry-After'))).toBeGreaterThan(0);
    await eventually(async () => (visitors.unavailable >= 5 ? true : undefined), 60_000);
    // PostgreSQL recovers from its log; it starts once the old server's last processes have gone.
    store = await eventually(() => startStore(options).catch(() => undefined), 60_000, 500);
    await visitors.done;

    expect(new Set([...visitors.accepted.values()].map((accepted) => accepted.reference)).size).toBe(keys.length);
    await readModelCatchesUp(service.db, visitors);
    expect(await visitsCollection(service.db).countDocuments()).toBe(keys.length);
    // Whole: each visit reads back through the API with its own token, as its visitor sees it.
    for (const { reference, accessToken } of visitors.accepted.values()) {
      const response = await service.app.request(`/api/visits/${reference}`, {
        headers: { Authorization: `Bearer ${accessToken}` },
      });
      expect(response.status, reference).toBe(200);
      expect(await response.json()).toMatchObject({ reference, status: 'requested', prisonId: 'NGT' });
    }
    // And every e-mail went once, and is recorded so. An e-mail whose send failed while the store was down is retried
    // with back-off (doubling from a second): after a minute or two down, its next try may be two minutes away.
    await eventually(
      async () => (receivedTimes(service.sink, visitors).every((n) => n > 0) ? true : undefined),
      180_000,
      500,
    );
    expect(receivedTimes(service.sink, visitors).filter((n) => n !== 1)).toEqual([]);
    await eventually(
      async () => ((await outbox(service.db).countDocuments({ status: 'sent' })) === keys.length ? true : undefined),
      30_000,
      500,
    );
    expect(service.worker.exitCode).toBeNull();
  });
});

describe('the mail server down for a minute', { timeout: 240_000 }, () => {
  it('delivers every e-mail once it is back, each once', async () => {
    const service = await startService(inject('temporalAddress'), inject('mongoUrl'));
    const { sink } = service;
    const before = submitAll(service.app, keysFor('before', 5), { inFlight: 5 });
    await before.done;
    await eventually(async () => (receivedTimes(sink, before).every((n) => n === 1) ? true : undefined), 30_000);

    await sink.close();
    const downAt = Date.now();
    const during = submitAll(service.app, keysFor('during', 20), { inFlight: 10 });
    await during.done;
    // Each e-mail is tried, fails and waits to be tried again.
    const references = [...during.accepted.values()].map((accepted) => accepted.reference);
    await eventually(
      async () => {
        const retried = await outbox(service.db).countDocuments({
          reference: { $in: references },
          status: 'pending',
          attempts: { $gte: 2 },
        });
        return retried === references.length ? true : undefined;
      },
      30_000,
      500,
    );
    await new Promise((wait) => setTimeout(wait, downAt + 60_000 - Date.now()));
    expect(sink.messages).toHaveLength(5);
    await sink.reopen();

    await eventually(async () => (receivedTimes(sink, during).every((n) => n > 0) ? true : undefined), 120_000, 200);
    expect(receivedTimes(sink, during).filter((n) => n !== 1)).toEqual([]);
    expect(receivedTimes(sink, before)).toEqual([1, 1, 1, 1, 1]);
    expect(sink.messages).toHaveLength(25);
    await eventually(
      async () => ((await outbox(service.db).countDocuments({ status: 'sent' })) === 25 ? true : undefined),
      30_000,
      500,
    );
  });
});

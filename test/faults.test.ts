// A burst of 1,000 visit requests with the worker killed (SIGKILL) in the middle of it, e-mails cut off mid-send,
// and a new worker started: no request is lost, and every e-mail arrives, once.
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { outbox } from '../activities/emails/outbox';
import { visitsCollection } from '../activities/readModel/visits';
import { eventually, testApp } from './harness';
import { startSmtpSink, type SmtpSink } from './smtpSink';
import { submitAll } from './visitors';
import { killWorker, startWorkerProcess } from './workerProcess';

const suffix = randomBytes(4).toString('hex');
const taskQueue = `faults-${suffix}`;
const database = `test_faults_${suffix}`;
const mongo = new MongoClient(inject('mongoUrl'));
const db = mongo.db(database);
let sink: SmtpSink;
let connection: Connection;
const workers: ChildProcess[] = [];

function startWorker(): ChildProcess {
  const worker = startWorkerProcess({
    temporalAddress: inject('temporalAddress'),
    taskQueue,
    mongoUri: `${inject('mongoUrl')}/${database}`,
    postgresqlUrl: inject('postgresqlUrl'),
    smtpUrl: sink.url,
  });
  workers.push(worker);
  return worker;
}

/** How many times the sink has received each Message-ID. */
function receivedTimes(): Map<string, number> {
  const times = new Map<string, number>();
  for (const { messageId } of sink.messages) if (messageId) times.set(messageId, (times.get(messageId) ?? 0) + 1);
  return times;
}

/**
 * True once at least `count` e-mails are held mid-send (their client has named the sender and waits), none is
 * being sent, and every e-mail the sink has received is marked sent. A worker killed then cuts e-mails off
 * mid-send, but none between the sink taking it and the outbox recording it: in that moment SMTP cannot tell a
 * repeat from a new e-mail, so no mailer could promise once.
 */
async function heldMidSend(count: number): Promise<true | undefined> {
  if (sink.heldSenders.length < count || sink.sending.size > 0) return undefined;
  // Held, no client gets past naming its sender, so nothing more arrives while the outbox is read.
  const sent = await outbox(db).countDocuments({ status: 'sent' });
  return sent === receivedTimes().size ? true : undefined;
}

beforeAll(async () => {
  sink = await startSmtpSink();
  connection = await Connection.connect({ address: inject('temporalAddress') });
});
afterAll(async () => {
  for (const worker of workers) await killWorker(worker);
  await connection.close();
  await sink.close();
  await db.dropDatabase();
  await mongo.close();
});

describe('a burst of 1,000 visit requests with the worker killed midway', { timeout: 480_000 }, () => {
  it('loses none and sends no e-mail twice once a new worker takes over', async () => {
    const total = 1000;
    // Long enough for most requests caught by the kill to be answered once the new worker is up; the rest get a
    // 503 and are sent again with their key.
    const app = testApp({ db, temporal: new Client({ connection }), taskQueue, commandTimeoutMs: 30_000 });
    const first = startWorker();
    const keys = Array.from({ length: total }, (_, i) => `burst-${suffix}-${i}`);
    const visitors = submitAll(app, keys, { inFlight: 10 });
    await visitors.accept(total / 2);

    sink.holdSenders = true;
    await eventually(() => heldMidSend(10), 60_000);
    await killWorker(first);
    sink.holdSenders = false;
    for (const answer of sink.heldSenders.splice(0)) answer(); // to connections that are gone
    startWorker();
    await visitors.done;

    const references = [...visitors.accepted.values()].map((accepted) => accepted.reference);
    expect(new Set(references).size).toBe(total);
    const messageIds = references.map((reference) => `<${reference}.received@visits.test>`);
    await eventually(async () => (messageIds.every((id) => receivedTimes().has(id)) ? true : undefined), 180_000, 500);
    // The read model and the outbox catch up: every visit requested, every e-mail marked sent.
    const visits = visitsCollection(db);
    await eventually(
      async () => ((await visits.countDocuments({ status: 'requested' })) === total ? true : undefined),
      60_000,
      1000,
    );
    expect(await visits.countDocuments()).toBe(total);
    await eventually(
      async () => ((await outbox(db).countDocuments({ status: 'sent' })) === total ? true : undefined),
      60_000,
      1000,
    );
    const times = receivedTimes();
    expect(messageIds.filter((id) => times.get(id) !== 1)).toEqual([]);
    expect(sink.messages).toHaveLength(total);
  });
});

// A worker killed (SIGKILL) in the middle of sending e-mails and started again: every e-mail arrives, once.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { outbox } from '../activities/emails/outbox';
import { eventually, testApp, visitRequestBody } from './harness';
import { startSmtpSink, type SmtpSink } from './smtpSink';

const suffix = randomBytes(4).toString('hex');
const taskQueue = `faults-${suffix}`;
const database = `test_faults_${suffix}`;
const mongo = new MongoClient(inject('mongoUrl'));
const db = mongo.db(database);
let sink: SmtpSink;
let connection: Connection;
const workers: ChildProcess[] = [];

/** A worker process, as `npm run worker` runs it, sending e-mail to the sink. */
function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      MONGODB_URI: `${inject('mongoUrl')}/${database}`,
      MAIL_PROVIDER: 'smtp',
      SMTP_URL: sink.url,
      MAIL_FROM: 'visits@visits.test',
      LOG_LEVEL: 'error',
    },
    stdio: 'ignore',
  });
  workers.push(child);
  return child;
}

beforeAll(async () => {
  sink = await startSmtpSink();
  connection = await Connection.connect({ address: inject('temporalAddress') });
});
afterAll(async () => {
  for (const worker of workers) worker.kill('SIGKILL');
  await connection.close();
  await sink.close();
  await db.dropDatabase();
  await mongo.close();
});

describe('a worker killed while sending e-mails', { timeout: 120_000 }, () => {
  it('loses none and sends none twice once a new worker takes over', async () => {
    const app = testApp({ db, temporal: new Client({ connection }), taskQueue, commandTimeoutMs: 30_000 });
    const first = startWorker();
    sink.holdSenders = true;

    const references: string[] = [];
    for (let i = 0; i < 30; i++) {
      const response = await app.request('/api/visits', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(visitRequestBody()),
      });
      expect(response.status).toBe(201);
      references.push(((await response.json()) as { reference: string }).reference);
    }
    // Every e-mail is under way; let ten through, one at a time, then kill the worker mid-send.
    await eventually(async () => (sink.heldSenders.length === 30 ? true : undefined));
    for (let sent = 1; sent <= 10; sent++) {
      sink.heldSenders.shift()?.();
      await eventually(async () => (sink.messages.length === sent ? true : undefined));
    }
    await new Promise((settle) => setTimeout(settle, 300)); // the tenth is marked sent in the outbox
    first.kill('SIGKILL');
    await new Promise((exit) => first.once('exit', exit));
    sink.holdSenders = false;
    for (const answer of sink.heldSenders.splice(0)) answer(); // to connections that are gone

    startWorker();
    const ids = references.map((reference) => `<${reference}.received@visits.test>`);
    await eventually(
      async () => (ids.every((id) => sink.messages.some((m) => m.messageId === id)) ? true : undefined),
      60_000,
    );
    await eventually(async () => ((await outbox(db).countDocuments({ status: 'sent' })) === 30 ? true : undefined));
    for (const id of ids)
      expect(
        sink.messages.filter((m) => m.messageId === id),
        id,
      ).toHaveLength(1);
    expect(sink.messages).toHaveLength(30);
  });
});

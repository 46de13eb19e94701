// A burst of 1,000 visit requests with the worker killed (SIGKILL) in the middle of it, e-mails cut off mid-send,
// and a new worker started: no request is lost, and every e-mail arrives once, but for those the sink had taken
// before the outbox could record them, which arrive twice with the same Message-ID (decision 0005). Then the same at
// a prison that books at once (decision 0016): each request booked once, into the place held for it, and its visitor
// e-mailed once that it is booked. And staff cancellations with the worker killed while their visiting orders are
// being given back (issue 19): each order comes back once, in the prisoner's ledger workflow and in the read model.
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal as temporalEnums } from '@temporalio/proto';
import type { ParsedMail } from 'mailparser';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { outbox } from '../activities/emails/outbox';
import { balanceOf, ledgerEntries } from '../activities/readModel/visitingOrders';
import { visitsCollection } from '../activities/readModel/visits';
import { saveStaffAccount } from '../api/staffAccounts';
import { bookableSlots } from '../rules/calendar';
import { addDays, londonClock } from '../rules/londonTime';
import { RuleBook } from '../rules/ruleBook';
import { workflowId } from '../workflows/client';
import { placesHeld, slotWorkflowId } from '../workflows/slotCapacity';
import { ledger, visitingOrdersWorkflowId } from '../workflows/visitingOrders';
import { samplePrisoner } from './fakePrisonerService';
import { eventually, PASSWORD, testApp, testDataConverter, visitRequestBody } from './harness';
import { startPrisonerServiceServer, type PrisonerServiceServer } from './prisonerServiceServer';
import { startSmtpSink, type SmtpSink } from './smtpSink';
import { submitAll } from './visitors';
import { killProcess, startWorkerProcess, type WorkerSettings } from './workerProcess';

const suffix = randomBytes(4).toString('hex');
const taskQueue = `faults-${suffix}`;
const database = `test_faults_${suffix}`;
const mongo = new MongoClient(inject('mongoUrl'));
const db = mongo.db(database);
let sink: SmtpSink;
let connection: Connection;
const workers: ChildProcess[] = [];

function startWorker(settings: Partial<WorkerSettings> = {}): ChildProcess {
  const worker = startWorkerProcess({
    temporalAddress: inject('temporalAddress'),
    taskQueue,
    mongoUri: `${inject('mongoUrl')}/${database}`,
    postgresqlUrl: inject('postgresqlUrl'),
    smtpUrl: sink.url,
    ...settings,
  });
  workers.push(worker);
  return worker;
}

/** How many times the sink has received each Message-ID. */
function receivedTimes(on: SmtpSink = sink): Map<string, number> {
  const times = new Map<string, number>();
  for (const { messageId } of on.messages) if (messageId) times.set(messageId, (times.get(messageId) ?? 0) + 1);
  return times;
}

/** The visit an e-mail is about, from its subject: the Message-ID is what is under test. */
function referenceOf(mail: ParsedMail): string {
  const reference = /reference (\w+)$/.exec(mail.subject ?? '')?.[1];
  if (!reference) throw new Error(`no reference in the subject of ${mail.messageId}`);
  return reference;
}

/** The one address an e-mail went to. */
function addressOf(mail: ParsedMail): string {
  return mail.to && !Array.isArray(mail.to) ? mail.to.text : '(not one address)';
}

/** The Message-IDs each visit's e-mails arrived with, in the order they arrived. */
function arrivals(): Map<string, string[]> {
  const byVisit = new Map<string, string[]>();
  for (const mail of sink.messages) {
    const reference = referenceOf(mail);
    byVisit.set(reference, [...(byVisit.get(reference) ?? []), mail.messageId ?? '(none)']);
  }
  return byVisit;
}

/**
 * True once at least `count` e-mails are held mid-send (their client has named the sender and waits), none is
 * being sent, and every e-mail the sink has received is marked sent: a worker killed then cuts those e-mails off
 * before the sink has them.
 */
async function heldMidSend(count: number, on = { sink, db }): Promise<true | undefined> {
  if (on.sink.heldSenders.length < count || on.sink.sending.size > 0) return undefined;
  // Held, no client gets past naming its sender, so nothing more arrives while the outbox is read.
  const sent = await outbox(on.db).countDocuments({ status: 'sent' });
  return sent === receivedTimes(on.sink).size ? true : undefined;
}

beforeAll(async () => {
  sink = await startSmtpSink();
  connection = await Connection.connect({ address: inject('temporalAddress') });
});
afterAll(async () => {
  for (const worker of workers) await killProcess(worker);
  await connection.close();
  await sink.close();
  await db.dropDatabase();
  await mongo.close();
});

describe('a burst of 1,000 visit requests with the worker killed midway', { timeout: 480_000 }, () => {
  it('loses none, and sends again only the e-mails cut off between the sink taking and the outbox recording them', async () => {
    const total = 1000;
    // Long enough for most requests caught by the kill to be answered once the new worker is up; the rest get a
    // 503 and are sent again with their key.
    const app = testApp({
      db,
      temporal: new Client({ connection, dataConverter: testDataConverter }),
      taskQueue,
      commandTimeoutMs: 30_000,
    });
    const first = startWorker();
    const keys = Array.from({ length: total }, (_, i) => `burst-${suffix}-${i}`);
    const visitors = submitAll(app, keys, { inFlight: 10 });
    await visitors.accept(total / 2);

    sink.holdSenders = true;
    await eventually(() => heldMidSend(10), 60_000);
    // Three of them go on, and the sink takes their messages without saying so: the kill catches them where SMTP
    // cannot tell a repeat from a new e-mail, after the sink has them and before the outbox can record that.
    // Their clients wait up to 20 seconds (the provider's socket timeout) for the answer; the kill comes long before.
    const taken = 3;
    sink.holdAcknowledgements = taken;
    for (const answer of sink.heldSenders.splice(-taken)) answer();
    await eventually(
      async () => (sink.unacknowledged.length === taken && sink.sending.size === 0 ? true : undefined),
      10_000,
      10,
    );
    await killProcess(first);
    const takenNotRecorded = sink.unacknowledged.map(({ mail }) => referenceOf(mail));
    sink.holdSenders = false;
    sink.holdAcknowledgements = 0;
    // To connections that are gone.
    for (const answer of sink.heldSenders.splice(0)) answer();
    for (const { acknowledge } of sink.unacknowledged.splice(0)) acknowledge();
    startWorker();
    await visitors.done;

    const references = [...visitors.accepted.values()].map((accepted) => accepted.reference);
    expect(new Set(references).size).toBe(total);
    // The read model and the outbox catch up: every visit requested, every e-mail marked sent. The e-mails cut off
    // are sent again only once their claims (about 52 seconds) have run out.
    const visits = visitsCollection(db);
    await eventually(
      async () => ((await visits.countDocuments({ status: 'requested' })) === total ? true : undefined),
      60_000,
      1000,
    );
    expect(await visits.countDocuments()).toBe(total);
    await eventually(
      async () => ((await outbox(db).countDocuments({ status: 'sent' })) === total ? true : undefined),
      240_000,
      1000,
    );
    expect(await outbox(db).countDocuments()).toBe(total);

    const messageIdOf = (reference: string) => `<${reference}.received@visits.test>`;
    const received = arrivals();
    // Decision 0005's one repeat: each e-mail taken but not recorded arrives again, once, with the same Message-ID.
    expect(takenNotRecorded.map((reference) => received.get(reference))).toEqual(
      takenNotRecorded.map((reference) => [messageIdOf(reference), messageIdOf(reference)]),
    );
    // Every other e-mail arrives once, those cut off before the sink had them too.
    const others = references.filter((reference) => !takenNotRecorded.includes(reference));
    const notOnce = others.filter((reference) => received.get(reference)?.join() !== messageIdOf(reference));
    expect(notOnce.map((reference) => ({ reference, messageIds: received.get(reference) ?? [] }))).toEqual([]);
    expect(sink.messages.length).toBe(total + taken);
  });
});

/** The HTTP app, as `testApp` makes it. */
interface App {
  request(path: string, init: RequestInit): Response | Promise<Response>;
}

/**
 * POSTs a JSON body until it is answered other than 503, waiting after each 503 for its Retry-After (at most a
 * second, to keep the test short), as a well-behaved client does; gives up after two minutes.
 */
async function postUntilAnswered(app: App, path: string, body: unknown, headers: Record<string, string> = {}) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const response = await app.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const retryAfter = Number(response.headers.get('Retry-After'));
    if (response.status !== 503 || !(retryAfter > 0) || Date.now() > deadline) {
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    }
    await new Promise((wait) => setTimeout(wait, Math.min(retryAfter * 1000, 1000)));
  }
}

describe('a prison that books at once, with the worker killed mid-way', { timeout: 300_000 }, () => {
  const instantQueue = `faults-instant-${suffix}`;
  const instantDb: Db = mongo.db(`test_faults_instant_${suffix}`);
  const token = `records-${suffix}`;
  let ruleDir: string;
  let instantRules: RuleBook;
  let mail: SmtpSink;
  let records: PrisonerServiceServer;
  const instantWorkers: ChildProcess[] = [];

  beforeAll(async () => {
    // HMP Instant books at once, with six open places a slot (as many as the test asks for: a visit that took a
    // place beside its hold, not the hold's, would leave the last visitor of its slot without one), and no rule that
    // flags a request.
    ruleDir = mkdtempSync(join(tmpdir(), 'instant-rules-'));
    const times = ['0900-1000', '1100-1200', '1400-1500', '1600-1700'];
    const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
    writeFileSync(
      join(ruleDir, 'instant.yaml'),
      stringify({
        id: 'CAI',
        name: 'HMP Instant',
        phone: '0300 060 6099',
        booking: 'instant',
        calendar: {
          lead_days: 2,
          booking_window: 14,
          recurring: Object.fromEntries(days.map((day) => [day, times])),
          capacity: { open: 6, closed: 1 },
        },
        eligibility: [
          {
            name: 'category-a-closed-visits',
            conditions: { all: [{ fact: 'prisoner', path: '$.category', operator: 'equal', value: 'A' }] },
            event: { type: 'closed_visit', params: { explanation: 'Category A prisoners have closed visits.' } },
          },
        ],
      }),
    );
    instantRules = new RuleBook(ruleDir);
    mail = await startSmtpSink();
    records = await startPrisonerServiceServer({ token });
  });
  afterAll(async () => {
    // Gone before their database is, so that nothing writes to it again.
    for (const worker of instantWorkers) await killProcess(worker);
    await mail?.close();
    await records?.close();
    await instantDb.dropDatabase();
    if (ruleDir) rmSync(ruleDir, { recursive: true, force: true });
  });

  it('books each request once, into the place held for it, and e-mails each visitor once that it is booked', async () => {
    const prison = instantRules.get('CAI');
    expect(prison?.booking).toBe('instant');
    if (!prison) return;
    const perSlot = 6;
    const slots = bookableSlots(prison, londonClock(new Date()).date).slice(0, 4);
    expect(slots).toHaveLength(4);
    const total = perSlot * slots.length;
    // Three visits a prisoner, all of them at HMP Instant and matching their record, each visitor with an address of
    // their own; the worker (a child process) looks them up over HTTP with the service's token.
    const prisoners = Array.from({ length: total / 3 }, (_, i) => ({
      ...samplePrisoner,
      number: `B${String(i).padStart(4, '0')}KL`,
      prisonId: 'CAI',
    }));
    for (const prisoner of prisoners) records.records.set(prisoner.number, prisoner);
    const visitors = Array.from({ length: total }, (_, i) => ({
      key: `instant-${suffix}-${i}`,
      slot: slots[i % slots.length],
      prisoner: prisoners[i % prisoners.length],
      email: `visitor-${i}@example.com`,
    }));

    const temporal = new Client({ connection, dataConverter: testDataConverter });
    const app = testApp({
      db: instantDb,
      temporal,
      taskQueue: instantQueue,
      commandTimeoutMs: 30_000,
      rules: instantRules,
    });
    const startInstantWorker = () => {
      const worker = startWorker({
        taskQueue: instantQueue,
        mongoUri: `${inject('mongoUrl')}/${instantDb.databaseName}`,
        smtpUrl: mail.url,
        rulesDir: ruleDir,
        // Long enough for the lookups kept back below to be answered by the prisoner service, not given up on.
        prisonerService: { url: records.url, token, timeoutMs: 30_000 },
      });
      instantWorkers.push(worker);
      return worker;
    };
    const first = startInstantWorker();

    // Each visitor holds a place in their time first, as the journey's times step does.
    const holdIds: string[] = [];
    for (const { slot } of visitors) {
      const held = await postUntilAnswered(app, '/api/holds', { prisonId: 'CAI', slot });
      expect(held.status, JSON.stringify(held.body)).toBe(201);
      holdIds.push(held.body.holdId);
    }

    // Then sends their request with the hold, each until it has its 201: these visitors `inFlight` at a time.
    const accepted = new Map<number, string>();
    const sendEach = async (indices: number[], inFlight: number) => {
      const queue = indices.values();
      const send = async () => {
        for (const i of queue) {
          const { key, slot, prisoner, email } = visitors[i];
          const { firstName, lastName, dateOfBirth, number } = prisoner;
          const body = visitRequestBody({
            prisonId: 'CAI',
            prisoner: { firstName, lastName, dateOfBirth, number },
            slotOptions: [slot],
            contact: { email, phone: '07700 900123' },
            holdId: holdIds[i],
          });
          const answer = await postUntilAnswered(app, '/api/visits', body, { 'Idempotency-Key': key });
          if (answer.status !== 201) throw new Error(`${key}: ${answer.status} ${JSON.stringify(answer.body)}`);
          accepted.set(i, answer.body.reference);
        }
      };
      await Promise.all(Array.from({ length: inFlight }, send));
    };
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

    // Three booked, and their e-mails sent and recorded, as usual.
    const sentBefore = 3;
    await sendEach(range(0, sentBefore), sentBefore);
    await eventually(async () => {
      const [kept, notSent] = await Promise.all([
        outbox(instantDb).countDocuments(),
        outbox(instantDb).countDocuments({ status: { $ne: 'sent' } }),
      ]);
      return kept >= sentBefore && notSent === 0 && mail.messages.length === kept ? true : undefined;
    }, 30_000);
    expect(mail.messages.map(({ messageId }) => messageId).sort()).toEqual(
      range(0, sentBefore)
        .map((i) => `<${accepted.get(i)}.booked@visits.test>`)
        .sort(),
    );
    // Six more booked, whose e-mails the sink keeps back as they begin.
    const cutOff = 6;
    mail.holdSenders = true;
    await sendEach(range(sentBefore, sentBefore + cutOff), 3);
    await eventually(() => heldMidSend(cutOff, { sink: mail, db: instantDb }), 30_000);
    // The rest sent four at a time, each waiting on its checks: the prisoner service keeps its answers back.
    const inFlight = 4;
    records.holdAnswers = true;
    const rest = sendEach(range(sentBefore + cutOff, total), inFlight);
    rest.catch(() => undefined); // reported where it is awaited
    await eventually(async () => (records.held.length === inFlight ? true : undefined), 30_000);
    // Two of the e-mails go on, and the sink takes them without saying so (decision 0005's window).
    const taken = 2;
    mail.holdAcknowledgements = taken;
    for (const answer of mail.heldSenders.splice(-taken)) answer();
    await eventually(
      async () => (mail.unacknowledged.length === taken && mail.sending.size === 0 ? true : undefined),
      10_000,
      10,
    );
    // The kill catches requests sent and not yet booked (their checks), e-mails of visits booked but not yet sent
    // (held before the sink had them), and e-mails the sink has but the outbox does not know it has.
    expect([records.held.length, mail.heldSenders.length, accepted.size]).toEqual([
      inFlight,
      cutOff - taken,
      sentBefore + cutOff,
    ]);
    const bookedBeforeKill = await visitsCollection(instantDb).countDocuments({ status: 'booked' });
    await killProcess(first);
    const takenNotRecorded = mail.unacknowledged.map(({ mail: message }) => addressOf(message));
    mail.holdSenders = false;
    mail.holdAcknowledgements = 0;
    records.holdAnswers = false;
    // To connections that are gone.
    for (const answer of mail.heldSenders.splice(0)) answer();
    for (const { acknowledge } of mail.unacknowledged.splice(0)) acknowledge();
    for (const answer of records.held.splice(0)) answer();
    startInstantWorker();
    await rest;

    const references = visitors.map((_, i) => accepted.get(i) ?? `(no answer for ${i})`);
    expect(new Set(references).size).toBe(total);
    // Every request booked by the service, once, in the time whose place it held. (A request is answered once the
    // read model shows it booked, or left with staff.)
    const saved = await visitsCollection(instantDb).find({}).toArray();
    expect(saved).toHaveLength(total);
    const byReference = new Map(saved.map((visit) => [visit.reference, visit]));
    expect(
      visitors.map((_, i) => {
        const visit = byReference.get(references[i]);
        return {
          status: visit?.status,
          slotGranted: visit?.slotGranted,
          timeline: visit?.timeline.map(({ status, by }) => `${status} by ${by}`),
        };
      }),
    ).toEqual(
      visitors.map(({ slot }) => ({
        status: 'booked',
        slotGranted: slot,
        timeline: ['requested by visitor', 'booked by system'],
      })),
    );
    expect(bookedBeforeKill, 'visits booked before the kill').toBe(sentBefore + cutOff);
    // Each slot counts its visits once and holds nothing else: every hold was taken over by its request.
    const places = await Promise.all(
      slots.map((slot) => temporal.workflow.getHandle(slotWorkflowId(instantQueue, 'CAI', slot)).query(placesHeld)),
    );
    expect(places).toEqual(slots.map(() => ({ open: perSlot, closed: 0 })));

    // One e-mail a visit, that it is booked: none says received. Those cut off are sent again once their claims
    // (about 52 seconds) have run out; each the sink took but the outbox did not record arrives again, once, with the
    // same Message-ID; every other arrives once.
    const arrived = () => {
      const byVisitor = new Map<string, string[]>();
      for (const message of mail.messages) {
        const to = addressOf(message);
        byVisitor.set(to, [...(byVisitor.get(to) ?? []), message.messageId ?? '(none)']);
      }
      return visitors.map(({ email }) => ({ email, messageIds: byVisitor.get(email) ?? [] }));
    };
    const bookedMessageId = (reference: string) => `<${reference}.booked@visits.test>`;
    const expected = visitors.map(({ email }, i) => {
      const messageId = bookedMessageId(references[i]);
      return { email, messageIds: takenNotRecorded.includes(email) ? [messageId, messageId] : [messageId] };
    });
    expect(takenNotRecorded).toHaveLength(taken);
    await eventually(
      async () =>
        arrived().every(({ messageIds }, i) => messageIds.length >= expected[i].messageIds.length) ? true : undefined,
      180_000,
      1000,
    );
    expect(arrived()).toEqual(expected);
    // The outbox has each visit's one e-mail, marked sent (moments after the sink has it).
    const keptInOutbox = async () =>
      (await outbox(instantDb).find({}).toArray()).map(({ _id, status }) => `${_id} ${status}`).sort();
    const allSent = references.map((reference) => `${reference}.booked sent`).sort();
    await eventually(async () => ((await keptInOutbox()).join() === allSent.join() ? true : undefined), 30_000, 500)
      // The difference, when there is one.
      .catch(async () => expect(await keptInOutbox()).toEqual(allSent));
    expect(
      mail.messages.map((message) => message.subject ?? '').filter((subject) => !subject.startsWith('Visit booked')),
    ).toEqual([]);
    expect(mail.messages).toHaveLength(total + taken);
  });
});

/**
 * A TCP proxy to MongoDB for a worker: while `holding`, what the worker sends is kept back (its reads and writes wait,
 * unanswered, on connections old and new); once it is not, what was kept goes on before anything newer, or never if
 * the worker has gone.
 */
interface HoldingProxy {
  /** A MongoDB URI through the proxy, naming the database. */
  uri(database: string): string;
  holding: boolean;
  close(): Promise<void>;
}

async function startHoldingProxy(target: string): Promise<HoldingProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const proxy: HoldingProxy = {
    uri: (database) => `mongodb://127.0.0.1:${(server.address() as AddressInfo).port}/${database}`,
    holding: false,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = createNetServer((client) => {
    const upstream = connect(Number(port), hostname);
    const held: Buffer[] = [];
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk) => {
      held.push(chunk);
      if (!proxy.holding) for (const kept of held.splice(0)) upstream.write(kept);
    });
    upstream.on('data', (chunk) => client.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return proxy;
}

describe(
  'staff cancellations giving visiting orders back, with the worker killed mid-way',
  { timeout: 240_000 },
  () => {
    const ordersQueue = `faults-orders-${suffix}`;
    const ordersDb: Db = mongo.db(`test_faults_orders_${suffix}`);
    const token = `orders-${suffix}`;
    let ruleDir: string;
    let ordersRules: RuleBook;
    let mail: SmtpSink;
    let records: PrisonerServiceServer;
    let proxy: HoldingProxy;
    const ordersWorkers: ChildProcess[] = [];

    beforeAll(async () => {
      // HMP Orders: staff decide each request, and no slot has a capacity (the orders are what is under test).
      ruleDir = mkdtempSync(join(tmpdir(), 'orders-rules-'));
      writeFileSync(
        join(ruleDir, 'orders.yaml'),
        stringify({
          id: 'VOK',
          name: 'HMP Orders',
          phone: '0300 060 6097',
          calendar: {
            lead_days: 2,
            booking_window: 21,
            recurring: Object.fromEntries(
              ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((day) => [day, ['0900-1000', '1400-1500']]),
            ),
          },
        }),
      );
      ordersRules = new RuleBook(ruleDir);
      mail = await startSmtpSink();
      records = await startPrisonerServiceServer({ token });
      proxy = await startHoldingProxy(inject('mongoUrl'));
    });
    afterAll(async () => {
      for (const worker of ordersWorkers) await killProcess(worker);
      await proxy?.close();
      await mail?.close();
      await records?.close();
      await ordersDb.dropDatabase();
      if (ruleDir) rmSync(ruleDir, { recursive: true, force: true });
    });

    it('gives each cancelled visit’s order back once, in the ledger and the read model', async () => {
      const prison = ordersRules.get('VOK');
      expect(prison).toBeDefined();
      if (!prison) return;
      const slots = bookableSlots(prison, londonClock(new Date()).date);
      const renewsOn = addDays(londonClock(new Date()).date, 20);
      // Six prisoners with two orders each: the first four book two visits (none left), the last two one (one left).
      const visitsOf = [2, 2, 2, 2, 1, 1];
      const prisoners = visitsOf.map((_, i) => ({
        ...samplePrisoner,
        number: `V${String(i).padStart(4, '0')}OK`,
        prisonId: 'VOK',
        visitingOrders: { balance: 2, renewsOn },
      }));
      for (const prisoner of prisoners) records.records.set(prisoner.number, prisoner);

      const temporal = new Client({ connection, dataConverter: testDataConverter });
      const app = testApp({
        db: ordersDb,
        temporal,
        taskQueue: ordersQueue,
        commandTimeoutMs: 20_000,
        rules: ordersRules,
      });
      const startOrdersWorker = (mongoUri: string) => {
        const worker = startWorker({
          taskQueue: ordersQueue,
          mongoUri,
          smtpUrl: mail.url,
          rulesDir: ruleDir,
          prisonerService: { url: records.url, token, timeoutMs: 10_000 },
        });
        ordersWorkers.push(worker);
        return worker;
      };
      // The first worker reaches the read model through the proxy, which can keep its writes back.
      const first = startOrdersWorker(proxy.uri(ordersDb.databaseName));

      const email = `staff-${suffix}@test.example`;
      await saveStaffAccount(ordersDb, { email, role: 'staff', prisons: ['VOK'], password: PASSWORD });
      const session = await postUntilAnswered(app, '/api/staff/session', { email, password: PASSWORD });
      expect(session.status, JSON.stringify(session.body)).toBe(200);
      const staff = { Authorization: `Bearer ${session.body.token}` };

      // Each visit requested, checked against the record, and accepted by staff.
      const visits = prisoners.flatMap((prisoner, i) =>
        Array.from({ length: visitsOf[i] }, (_, j) => ({
          prisoner,
          slot: slots[j],
          key: `orders-${suffix}-${i}-${j}`,
        })),
      );
      const references: string[] = [];
      for (const { prisoner, slot, key } of visits) {
        const { firstName, lastName, dateOfBirth, number } = prisoner;
        const body = visitRequestBody({
          prisonId: 'VOK',
          prisoner: { firstName, lastName, dateOfBirth, number },
          slotOptions: [slot],
        });
        const sent = await postUntilAnswered(app, '/api/visits', body, { 'Idempotency-Key': key });
        expect(sent.status, JSON.stringify(sent.body)).toBe(201);
        references.push(sent.body.reference);
      }
      const readModel = visitsCollection(ordersDb);
      await eventually(
        async () => {
          const checked = await readModel.countDocuments({ eligibility: { $exists: true }, status: 'requested' });
          return checked === references.length ? true : undefined;
        },
        30_000,
        200,
      );
      for (const [i, reference] of references.entries()) {
        const accepted = await postUntilAnswered(
          app,
          `/api/staff/visits/${reference}/decision`,
          { outcome: 'accept', slot: visits[i].slot, referenceNo: `VOK-${i}` },
          { ...staff, 'Idempotency-Key': `accept-${reference}` },
        );
        expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
        expect(accepted.body.visitingOrder).toBe('used');
      }
      const ledgerOfPrisoner = (number: string) =>
        temporal.workflow.getHandle(visitingOrdersWorkflowId(ordersQueue, number)).query(ledger);
      const balances = async () =>
        Promise.all(
          prisoners.map(async ({ number }) => ({
            ledger: (await ledgerOfPrisoner(number)).balance,
            readModel: (await balanceOf(ordersDb, number))?.balance,
          })),
        );
      // Each booking used one: none left, or one.
      const booked = visitsOf.map((count) => ({ ledger: 2 - count, readModel: 2 - count }));
      await eventually(async () => (JSON.stringify(await balances()) === JSON.stringify(booked) ? true : undefined));
      expect(await balances()).toEqual(booked);

      // What the cancellations are to find at the kill. Staff cancel every visit, in two waves sent at once each, while
      // the first worker's reads and writes are kept back by the proxy. The first wave's orders are given back in the
      // ledger workflows (their updates completed: the ledger's task, kept open by its read-model write, is completed
      // by the SDK's heartbeat after about 8 seconds), and in the read model not at all; the second wave's give-backs
      // are sent to the ledgers, not yet answered. Neither wave's visits are saved, and no cancellation is answered.
      const giveBackUpdates = async (number: string) => {
        const history = await temporal.workflow.getHandle(visitingOrdersWorkflowId(ordersQueue, number)).fetchHistory();
        return (history.events ?? []).flatMap(
          (event) => event.workflowExecutionUpdateCompletedEventAttributes?.meta?.updateId ?? [],
        );
      };
      const givenBackInLedger = async (reference: string) => {
        const { prisoner } = visits[references.indexOf(reference)];
        return (await giveBackUpdates(prisoner.number)).some((id) => id.startsWith(`give-back-${reference}-`));
      };
      const giveBackRunning = async (reference: string) => {
        const { raw } = await temporal.workflow.getHandle(workflowId(reference)).describe();
        return (raw.pendingActivities ?? []).some(
          ({ activityType, state }) =>
            activityType?.name === 'giveBackVisitingOrder' &&
            state === temporalEnums.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
        );
      };
      const cancel = async (reference: string) =>
        (
          await app.request(`/api/staff/visits/${reference}/cancel`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', ...staff, 'Idempotency-Key': `cancel-${reference}` },
            body: JSON.stringify({ reasons: ['prisoner_cancelled'] }),
          })
        ).status;
      // One visit of each of the first four prisoners, then the rest.
      const firstWave = prisoners
        .slice(0, 4)
        .map(({ number }) => references[visits.findIndex((v) => v.prisoner.number === number)]);
      const secondWave = references.filter((reference) => !firstWave.includes(reference));
      proxy.holding = true;
      const firstAnswers = new Map<string, Promise<number>>();
      for (const reference of firstWave) firstAnswers.set(reference, cancel(reference));
      await eventually(
        async () => ((await Promise.all(firstWave.map(givenBackInLedger))).every(Boolean) ? true : undefined),
        20_000,
        100,
      );
      for (const reference of secondWave) firstAnswers.set(reference, cancel(reference));
      await eventually(
        async () => ((await Promise.all(secondWave.map(giveBackRunning))).every(Boolean) ? true : undefined),
        10_000,
        50,
      );
      const givenBackAtKill = await Promise.all(references.map(givenBackInLedger));
      const entriesAtKill = await ledgerEntries(ordersDb).countDocuments({ kind: 'given_back' });
      await killProcess(first);
      proxy.holding = false;
      expect(givenBackAtKill, 'given back in the ledger at the kill').toEqual(
        references.map((reference) => firstWave.includes(reference)),
      );
      expect(entriesAtKill, 'given back in the read model at the kill').toBe(0);
      expect(
        (
          await visitsCollection(ordersDb)
            .find({ reference: { $in: references } })
            .toArray()
        ).map(({ status }) => status),
        'the visits in the read model at the kill',
      ).toEqual(references.map(() => 'booked'));

      // A new worker, reaching the read model directly; each cancellation not answered 200 (a 503 once its 20 seconds
      // are up) is sent again with its key. The second wave's give-backs, started by the worker killed, are tried again
      // only once their 30 seconds to complete are up.
      startOrdersWorker(`${inject('mongoUrl')}/${ordersDb.databaseName}`);
      const answers = await Promise.all(
        references.map(async (reference) => {
          if ((await firstAnswers.get(reference)) === 200) return { reference, status: 200 };
          const again = await postUntilAnswered(
            app,
            `/api/staff/visits/${reference}/cancel`,
            { reasons: ['prisoner_cancelled'] },
            { ...staff, 'Idempotency-Key': `cancel-${reference}` },
          );
          return { reference, status: again.status };
        }),
      );
      expect(answers).toEqual(references.map((reference) => ({ reference, status: 200 })));

      // Every order back, once: each prisoner's ledger (its own query) and the read model at two again, each visit with
      // one entry for its use and one for its give-back. (An order given back twice would be written under the same
      // key, which the read model keeps once: only the balances show it.)
      const given = prisoners.map(() => ({ ledger: 2, readModel: 2 }));
      await eventually(
        async () => (JSON.stringify(await balances()) === JSON.stringify(given) ? true : undefined),
        30_000,
        200,
      ).catch(async () => expect(await balances()).toEqual(given));
      const entriesOf = async () =>
        (
          await ledgerEntries(ordersDb)
            .find({ reference: { $in: references } })
            .toArray()
        )
          .map(({ _id, kind, amount }) => `${_id} ${kind} ${amount}`)
          .sort();
      const once = visits
        .flatMap(({ prisoner }, i) => [
          `${prisoner.number} ${references[i]}.given_back given_back 1`,
          `${prisoner.number} ${references[i]}.used used -1`,
        ])
        .sort();
      expect(await entriesOf()).toEqual(once);
      expect(
        (
          await visitsCollection(ordersDb)
            .find({ reference: { $in: references } })
            .toArray()
        )
          .map(({ reference, status, visitingOrder }) => ({ reference, status, visitingOrder }))
          .sort((a, b) => a.reference.localeCompare(b.reference)),
      ).toEqual(
        [...references].sort().map((reference) => ({ reference, status: 'cancelled', visitingOrder: 'given_back' })),
      );

      // Cancelled again, by staff: refused, and nothing changes.
      for (const reference of references) {
        const again = await postUntilAnswered(
          app,
          `/api/staff/visits/${reference}/cancel`,
          { reasons: ['prisoner_cancelled'] },
          { ...staff, 'Idempotency-Key': `again-${reference}` },
        );
        expect(again.status, JSON.stringify(again.body)).toBe(409);
      }
      expect(await balances()).toEqual(given);
      expect(await entriesOf()).toEqual(once);
    });
  },
);

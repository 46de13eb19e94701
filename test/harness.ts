// One service per test file on the shared servers: its own MongoDB database and task queue, a worker running the
// bundled workflows, and the Hono app, called through `app.request` (the whole HTTP stack, no socket).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { MongoClient, type Db } from 'mongodb';
import { inject } from 'vitest';
import { createActivities } from '../activities';
import { createSmtpProvider } from '../activities/emails/providers';
import { createPrisonerService } from '../activities/prisonerService';
import type { TextProvider } from '../activities/texts/providers';
import { ensureIndexes } from '../activities/readModel/indexes';
import type { Services } from '../api/services';
import { createApp } from '../scripts/app';
import { dataConverter, decodeHistory } from '../scripts/payloadCodec';
import { createLog } from '../api/log';
import { saveStaffAccount } from '../api/staffAccounts';
import { bookableSlots } from '../rules/calendar';
import { londonClock } from '../rules/londonTime';
import type { Prison } from '../rules/prison';
import { RuleBook } from '../rules/ruleBook';
import { listenForPrisonerService, PRISONER_SERVICE_URL } from './fakePrisonerService';
import { startSmtpSink, type SmtpSink } from './smtpSink';

/**
 * The run's key for what Temporal is handed: every client and worker of the tests encrypts with it, and so do the
 * processes they start (scripts/worker.ts, scripts/api.ts, scripts/start.ts), which inherit this environment.
 */
export const testPayloadKeys = [{ id: 'test', key: randomBytes(32) }];
process.env.TEMPORAL_PAYLOAD_KEYS = testPayloadKeys.map(({ id, key }) => `${id}:${key.toString('base64')}`).join(',');
/** The data converter of the tests' Temporal clients and workers. */
export const testDataConverter = dataConverter(testPayloadKeys);

let runtimeInstalled = false;

/** Temporal's native runtime, once per process, logging only warnings. */
export function installRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  runtimeInstalled = true;
}

export const rules = new RuleBook('rules/prisons');
export const PASSWORD = 'test-password-123';

/** One of the sample prisons. */
export function prison(id: string): Prison {
  const found = rules.get(id);
  if (!found) throw new Error(`no prison ${id}`);
  return found;
}

/** The slots bookable today at a prison. */
export function slotsAt(prisonId: string): string[] {
  return bookableSlots(prison(prisonId), londonClock(new Date()).date);
}

/** A valid request body, with any part replaced. */
export function visitRequestBody(overrides: Record<string, unknown> = {}) {
  return {
    prisonId: 'NGT',
    prisoner: { firstName: 'Oscar', lastName: 'Wilde', dateOfBirth: '1980-10-16', number: 'A1234BC' },
    visitors: [{ firstName: 'Ada', lastName: 'Wilde', dateOfBirth: '1985-01-01' }],
    slotOptions: slotsAt('NGT').slice(0, 2),
    contact: { email: 'ada@example.com', phone: '07700 900123' },
    locale: 'en',
    ...overrides,
  };
}

/**
 * The folder of the histories recorded by today's workflow code. After a change to the workflow's commands (behind
 * `patched()`), name a new folder: the histories of older code stay as they were, for test/replay.test.ts.
 */
export const HISTORY_SET = 'test/histories/2026-12';

/**
 * With SAVE_HISTORIES=1, writes a workflow's history to HISTORY_SET for test/replay.test.ts; never over one already
 * there, which would lose the proof that the visits it stands for still run.
 */
export async function saveHistory(client: Client, workflowId: string, name: string): Promise<void> {
  if (!process.env.SAVE_HISTORIES) return;
  const file = `${HISTORY_SET}/${name}.json`;
  if (existsSync(file)) throw new Error(`${file} is already recorded: name a new HISTORY_SET in test/harness.ts`);
  mkdirSync(HISTORY_SET, { recursive: true });
  // Kept decoded, as the histories before encryption were: replay needs no key, and none is committed.
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  writeFileSync(file, historyToJSON(await decodeHistory(history, client.options.loadedDataConverter.payloadCodecs)));
}

/** The app as the API process makes it, with test settings: quiet logs, a random session secret. */
export function testApp(services: Pick<Services, 'db' | 'temporal' | 'taskQueue'> & Partial<Services>) {
  return createApp({
    commandTimeoutMs: 10_000,
    rules,
    session: { secret: randomBytes(32).toString('hex') },
    secureCookies: false,
    submissions: { perMinute: 100_000 },
    journeyStarts: { perMinute: 100_000 },
    feedbackPosts: { perMinute: 100_000 },
    signInLinks: { perTenMinutes: 100_000 },
    trustedProxyHops: 0,
    log: createLog('error', () => undefined),
    ...services,
  });
}

export interface TestService {
  app: ReturnType<typeof createApp>;
  /** The SMTP server this service's e-mails go to. */
  mail: SmtpSink;
  db: Db;
  client: Client;
  taskQueue: string;
  /** The app's session secret, which keys what it signs. */
  secret: string;
  /** Sends a request with a JSON body (when given) and returns the status, headers and parsed body. */
  call(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Signs in a staff account made for the test, returning its bearer token. */
  staffToken(role: 'staff' | 'admin' | 'policy', prisons: string[]): Promise<string>;
  close(): Promise<void>;
}

/** Polls `check` every `everyMs` until it gives a value (not undefined), for at most `withinMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, withinMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((wait) => setTimeout(wait, everyMs));
  }
  throw new Error(`gave up waiting after ${withinMs} ms`);
}

export async function startTestService(
  name: string,
  options: {
    rules?: RuleBook;
    /** Where visitors' text messages go; none by default, as in production without TEXT_PROVIDER. */
    texts?: TextProvider;
    /** The token `POST /api/prisoner-events` takes; none by default, as in production without PRISONER_EVENTS_TOKEN. */
    prisonerEventsToken?: string;
  } = {},
): Promise<TestService> {
  installRuntime();
  listenForPrisonerService();
  const serviceRules = options.rules ?? rules;
  const suffix = randomBytes(4).toString('hex');
  const taskQueue = `${name}-${suffix}`;
  const mongo = new MongoClient(inject('mongoUrl'), { serverSelectionTimeoutMS: 5000 });
  const db = mongo.db(`test_${name}_${suffix}`);
  await ensureIndexes(db, { postgresqlUrl: inject('postgresqlUrl') });

  const mail = await startSmtpSink();
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  const client = new Client({ connection, dataConverter: testDataConverter });
  const nativeConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: { code: readFileSync(inject('workflowBundlePath'), 'utf8') },
    dataConverter: testDataConverter,
    activities: createActivities({
      db,
      rules: serviceRules,
      prisonerService: createPrisonerService({ baseUrl: PRISONER_SERVICE_URL, timeoutMs: 1000 }),
      temporal: client,
      taskQueue,
      mail: createSmtpProvider(mail.url, 'Prison visits <visits@visits.test>'),
      texts: options.texts,
      publicUrl: 'http://visits.test',
      retentionDays: 183,
    }),
  });
  const running = worker.run();
  const secret = randomBytes(32).toString('hex');
  const app = testApp({
    db,
    temporal: client,
    taskQueue,
    rules: serviceRules,
    session: { secret },
    prisonerService: createPrisonerService({ baseUrl: PRISONER_SERVICE_URL, timeoutMs: 1000 }),
    ...(options.prisonerEventsToken ? { prisonerEventsToken: options.prisonerEventsToken } : {}),
  });

  const call: TestService['call'] = async (method, path, { body, token, headers = {} } = {}) => {
    const response = await app.request(path, {
      method,
      headers: {
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };

  let accounts = 0;
  return {
    app,
    mail,
    db,
    client,
    taskQueue,
    secret,
    call,
    async staffToken(role, prisonIds) {
      const email = `${role}${++accounts}@test.example`;
      await saveStaffAccount(db, { email, role, prisons: prisonIds, password: PASSWORD });
      const { body } = await call('POST', '/api/staff/session', { body: { email, password: PASSWORD } });
      return body.token as string;
    },
    async close() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      await mail.close();
      await db.dropDatabase();
      await mongo.close();
    },
  };
}

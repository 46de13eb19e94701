// The client of the prisoner-information service reads the whole record the contract describes, and fails open: any
// answer it cannot use is "unavailable", and eligibility goes on without it. The contract's document is the one the
// zod schema gives, and the demo service of `npm start` answers records that fit it. The third-party API is faked
// with msw; the demo service is real HTTP.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPrisonerService } from '../activities/prisonerService';
import { addDays, londonClock } from '../rules/londonTime';
import { prisonerRecord, type PrisonerRecord } from '../rules/prisonerRecord';
import { freePort } from '../scripts/childServer';
import { demoPrisoners, startDemoPrisonerService } from '../tools/demoPrisonerService';
import { buildPrisonerServiceContract, CONTRACT_FILE } from '../tools/prisonerServiceContract';
import { contactFor, samplePrisoner } from './fakePrisonerService';

const RECORDS_URL = 'http://prisoner-records.test/api';
const TOKEN = 'records-token-2b7d41c0';

/** What the fake answers for each number: a body (sent as JSON, or as it is when a string), or a status alone. */
const answers = new Map<string, { status?: number; body?: unknown; slow?: boolean }>();
/** The Authorization header of each lookup, in order (null when none was sent). */
const sent: (string | null)[] = [];

const records = setupServer(
  http.get(`${RECORDS_URL}/prisoners/:number`, async ({ params, request }) => {
    sent.push(request.headers.get('Authorization'));
    const answer = answers.get(String(params.number));
    if (!answer) return HttpResponse.json({ message: 'not found' }, { status: 404 });
    if (answer.slow) await delay(2_000);
    const status = answer.status ?? 200;
    if (typeof answer.body === 'string') return new HttpResponse(answer.body, { status });
    return HttpResponse.json(answer.body ?? {}, { status });
  }),
);

// Unhandled requests go through: the demo service below is a real server.
beforeAll(() => records.listen({ onUnhandledRequest: 'bypass' }));
afterEach(() => {
  answers.clear();
  sent.length = 0;
});
afterAll(() => records.close());

const client = (options: { baseUrl?: string; token?: string; timeoutMs?: number } = {}) =>
  createPrisonerService({ baseUrl: RECORDS_URL, timeoutMs: 1_000, ...options });

/** A record with every field the contract names. */
const wholeRecord = {
  ...samplePrisoner,
  location: 'C-2-018',
  legalStatus: 'sentenced',
  visitingOrders: { balance: 2, renewsOn: '2099-01-01' },
  contacts: [
    contactFor({ firstName: 'Ada', lastName: 'Wilde', dateOfBirth: '1985-01-01' }, { relationship: 'Wife' }),
    contactFor(
      { firstName: 'Alfred', lastName: 'Douglas' },
      { restrictions: [{ type: 'banned', from: '2026-09-01', until: '2028-08-31' }] },
    ),
    contactFor({ firstName: 'Robert', lastName: 'Ross' }, { approved: false, restrictions: [{ type: 'closed' }] }),
  ],
  alerts: [{ code: 'XEL', description: 'On the escape list', since: '2025-11-03' }],
} satisfies PrisonerRecord;

describe('looking a prisoner up', () => {
  it('reads the whole record: visiting orders, contacts with their restrictions, and alerts', async () => {
    answers.set('A1234BC', { body: wholeRecord });
    expect(await client().find('A1234BC')).toEqual({ status: 'found', record: wholeRecord });
  });

  it('takes a contact sent without restrictions as having none, and ignores fields the contract does not name', async () => {
    const { restrictions: _none, ...ada } = wholeRecord.contacts[0];
    answers.set('A1234BC', { body: { ...samplePrisoner, contacts: [{ ...ada, nickname: 'A' }], religion: 'none' } });
    expect(await client().find('A1234BC')).toEqual({
      status: 'found',
      record: { ...samplePrisoner, contacts: [{ ...ada, restrictions: [] }] },
    });
  });

  it('says when no prisoner has the number', async () => {
    expect(await client().find('Z9999ZZ')).toEqual({ status: 'not_found' });
  });

  it('says when no service is configured, without asking anyone', async () => {
    expect(await client({ baseUrl: undefined }).find('A1234BC')).toEqual({ status: 'not_configured' });
    expect(sent).toEqual([]);
  });

  it('sends the token as a bearer token, and no Authorization header without one', async () => {
    answers.set('A1234BC', { body: samplePrisoner });
    await client({ token: TOKEN }).find('A1234BC');
    await client().find('A1234BC');
    expect(sent).toEqual([`Bearer ${TOKEN}`, null]);
  });
});

describe('failing open: an answer it cannot use is "unavailable"', () => {
  it.each([
    ['a server error, whatever its body', { status: 500, body: samplePrisoner }],
    ['a refused token', { status: 401, body: samplePrisoner }],
    ['a body that is not JSON', { body: '<html>maintenance</html>' }],
    ['a record without a name', { body: { ...samplePrisoner, lastName: undefined } }],
    [
      'a negative visiting-order balance',
      { body: { ...wholeRecord, visitingOrders: { balance: -1, renewsOn: '2099-01-01' } } },
    ],
    ['an alert without a code', { body: { ...wholeRecord, alerts: [{ description: 'On the escape list' }] } }],
  ])('%s', async (_, answer) => {
    answers.set('A1234BC', answer);
    expect(await client().find('A1234BC')).toEqual({ status: 'unavailable' });
  });

  it('an answer slower than the timeout', async () => {
    answers.set('A1234BC', { body: samplePrisoner, slow: true });
    const started = Date.now();
    expect(await client({ timeoutMs: 200 }).find('A1234BC')).toEqual({ status: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('a refused connection', async () => {
    const closedPort = await freePort();
    expect(await client({ baseUrl: `http://127.0.0.1:${closedPort}` }).find('A1234BC')).toEqual({
      status: 'unavailable',
    });
  });

  it('but a contacts list it cannot read in full is left out (staff check the visitors), and the rest counts', async () => {
    const unreadable = [wholeRecord.contacts[0], { ...wholeRecord.contacts[1], restrictions: [{ type: 'suspended' }] }];
    answers.set('A1234BC', { body: { ...wholeRecord, contacts: unreadable } });
    const { contacts: _left, ...rest } = wholeRecord;
    expect(await client().find('A1234BC')).toEqual({ status: 'found', record: rest });
  });
});

describe('the contract (docs/prisoner-service.openapi.json)', () => {
  it('is what the zod schema makes: `npm run contract:prisoner-service` writes it', () => {
    const committed = JSON.parse(readFileSync(CONTRACT_FILE, 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildPrisonerServiceContract())));
  });

  it('is valid OpenAPI 3.1 by a real validator', async () => {
    const result = await new Validator().validate(JSON.parse(readFileSync(CONTRACT_FILE, 'utf8')));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });
});

describe('the demo prisoner-information service of `npm start`', () => {
  const file = demoPrisoners();
  let demo: Awaited<ReturnType<typeof startDemoPrisonerService>>;
  beforeAll(async () => {
    demo = await startDemoPrisonerService({ port: 0, token: TOKEN });
  });
  afterAll(() => demo.close());

  it('answers every demo record over HTTP, and each fits the contract in full', async () => {
    // In full: the client would take a record whose contacts it cannot read, without them.
    expect(z.array(prisonerRecord).safeParse(file).error).toBeUndefined();
    const service = client({ baseUrl: demo.url, token: TOKEN });
    const found = await Promise.all(file.map(({ number }) => service.find(number)));
    expect(found.map((check) => check.status)).toEqual(file.map(() => 'found'));
    expect(found.map((check) => check.status === 'found' && check.record.number)).toEqual(file.map((r) => r.number));
  });

  it('gives visiting orders that renew after today, however old its file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pvb-demo-prisoners-'));
    const oldFile = join(dir, 'prisoners.json');
    writeFileSync(
      oldFile,
      JSON.stringify([{ ...samplePrisoner, visitingOrders: { balance: 1, renewsOn: '2020-01-06' } }]),
    );
    const old = await startDemoPrisonerService({ port: 0, file: oldFile });
    try {
      const check = await client({ baseUrl: old.url }).find(samplePrisoner.number);
      const renewsOn = (check.status === 'found' && check.record.visitingOrders?.renewsOn) || '';
      const today = londonClock(new Date()).date;
      expect(renewsOn > today && renewsOn <= addDays(today, 28), `renews on ${renewsOn}`).toBe(true);
      const days = (Date.parse(renewsOn) - Date.parse('2020-01-06')) / 86_400_000;
      expect(days % 28, 'a whole number of 4-week periods from the file’s date').toBe(0);
    } finally {
      await old.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has a record for each case the demo shows', async () => {
    const service = client({ baseUrl: demo.url, token: TOKEN });
    const checks = await Promise.all(file.map(({ number }) => service.find(number)));
    const all = checks.flatMap((check) => (check.status === 'found' ? [check.record] : []));
    const contacts = all.flatMap((record) => record.contacts ?? []);
    const restrictions = contacts.flatMap((contact) => contact.restrictions);
    expect(all.find((record) => record.number === 'A1234BC')).toMatchObject({
      firstName: samplePrisoner.firstName,
      lastName: samplePrisoner.lastName,
      dateOfBirth: samplePrisoner.dateOfBirth,
      prisonId: samplePrisoner.prisonId,
      // The visitor of the README's example and of test/harness.ts's sample request may visit.
      contacts: expect.arrayContaining([
        expect.objectContaining({ firstName: 'Ada', lastName: 'Wilde', dateOfBirth: '1985-01-01', approved: true }),
      ]),
    });
    expect(restrictions.filter((r) => r.type === 'banned' && r.until !== undefined)).not.toEqual([]);
    expect(restrictions.filter((r) => r.type === 'closed')).not.toEqual([]);
    expect(contacts.filter((contact) => !contact.approved)).not.toEqual([]);
    expect(all.filter((record) => record.visitingOrders?.balance === 0)).not.toEqual([]);
    expect(all.filter((record) => record.legalStatus === 'remand')).not.toEqual([]);
    expect(all.filter((record) => record.alerts?.length)).not.toEqual([]);
    expect(all.filter((record) => record.contacts === undefined)).not.toEqual([]);
  });

  it('finds nobody for an unknown number, and refuses a lookup without its token', async () => {
    expect(await client({ baseUrl: demo.url, token: TOKEN }).find('Z9999ZZ')).toEqual({ status: 'not_found' });
    const refused = await fetch(`${demo.url}/prisoners/A1234BC`);
    expect(refused.status).toBe(401);
    expect(await client({ baseUrl: demo.url }).find('A1234BC')).toEqual({ status: 'unavailable' });
  });
});

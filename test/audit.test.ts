// The audit trail of the staff routes: who viewed which visit, decided it, downloaded a list, searched, or was
// refused, in the API and the pages alike; in its own collection and in the log, never with a visitor's details.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCollection } from '../api/audit';
import { createLog } from '../api/log';
import { saveStaffAccount } from '../api/staffAccounts';
import { eventually, PASSWORD, startTestService, testApp, visitRequestBody, type TestService } from './harness';

let service: TestService;
let app: ReturnType<typeof testApp>;
const logLines: string[] = [];
let reference = '';
const tokens: Record<string, string> = {};

const as = (who: string, method: string, path: string, body?: unknown) =>
  app.request(path, {
    method,
    headers: {
      Authorization: `Bearer ${tokens[who]}`,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

/** The page routes take the session cookie rather than the bearer token. */
const page = (who: string, path: string) => app.request(path, { headers: { Cookie: `pvb_session=${tokens[who]}` } });

beforeAll(async () => {
  service = await startTestService('audit');
  app = testApp({
    db: service.db,
    temporal: service.client,
    taskQueue: service.taskQueue,
    log: createLog('info', (line) => logLines.push(line)),
  });
  for (const [email, role, prisons] of [
    ['ngt@audit.test', 'staff', ['NGT']],
    ['wmr@audit.test', 'staff', ['WMR']],
    ['policy@audit.test', 'policy', ['NGT']],
  ] as const) {
    await saveStaffAccount(service.db, { email, role, prisons: [...prisons], password: PASSWORD });
    const signedIn = await app.request('/api/staff/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    tokens[email] = (await signedIn.json()).token;
  }
  reference = (await service.call('POST', '/api/visits', { body: visitRequestBody() })).body.reference;
});
afterAll(() => service?.close());

const entriesOf = (actor: string) =>
  auditCollection(service.db)
    .find({ actor }, { projection: { _id: 0, at: 0 } })
    .toArray();

describe('the audit trail', () => {
  it('records views, decisions, downloads and searches, in the API and the pages', async () => {
    const staff = 'ngt@audit.test';
    expect((await as(staff, 'GET', `/api/staff/visits/${reference}`)).status).toBe(200);
    expect((await page(staff, `/staff/visits/${reference}`)).status).toBe(200);
    expect((await as(staff, 'GET', '/api/staff/search?q=A1234BC')).status).toBe(200);
    expect((await page(staff, '/staff/booked.csv?prisonId=NGT')).status).toBe(200);
    const visit = await eventually(async () => {
      const answer = await (await as(staff, 'GET', `/api/staff/visits/${reference}`)).json();
      return answer.eligibility ? answer : undefined;
    });
    const decided = await as(staff, 'POST', `/api/staff/visits/${reference}/decision`, {
      outcome: 'accept',
      slot: visit.slotOptions[0],
      referenceNo: 'AUDIT-1',
    });
    expect(decided.status).toBe(200);

    const entries = await entriesOf(staff);
    expect(entries).toEqual(
      expect.arrayContaining([
        { actor: staff, action: 'view_visit', outcome: 'ok', subject: reference },
        { actor: staff, action: 'search', outcome: 'ok' },
        {
          actor: staff,
          action: 'download',
          outcome: 'ok',
          subject: 'GET /staff/booked.csv',
          prisonId: 'NGT',
        },
        { actor: staff, action: 'decide', outcome: 'ok', subject: reference },
      ]),
    );
    // The API's view and the page's view are both there.
    expect(entries.filter((entry) => entry.action === 'view_visit').length).toBeGreaterThanOrEqual(2);
  });

  it('records refusals: another prison’s visit, a policy user at a queue, in the API and the pages', async () => {
    expect((await as('wmr@audit.test', 'GET', `/api/staff/visits/${reference}`)).status).toBe(404);
    expect((await page('policy@audit.test', '/staff/queue?prisonId=NGT')).status).toBe(403);
    expect((await as('policy@audit.test', 'GET', '/api/staff/queue?prisonId=NGT')).status).toBe(403);
    expect(await entriesOf('wmr@audit.test')).toContainEqual({
      actor: 'wmr@audit.test',
      action: 'view_visit',
      outcome: 'refused',
      subject: reference,
    });
    expect(await entriesOf('policy@audit.test')).toEqual(
      expect.arrayContaining([
        {
          actor: 'policy@audit.test',
          action: 'refused',
          outcome: 'refused',
          subject: 'GET /staff/queue',
          prisonId: 'NGT',
        },
        {
          actor: 'policy@audit.test',
          action: 'refused',
          outcome: 'refused',
          subject: 'GET /api/staff/queue',
          prisonId: 'NGT',
        },
      ]),
    );
  });

  it('keeps no visitor’s details, in the collection or the log', async () => {
    const body = visitRequestBody();
    const kept = JSON.stringify(await auditCollection(service.db).find().toArray());
    const logged = logLines.filter((line) => line.includes('"audit"')).join('\n');
    expect(logged).toContain('"action":"view_visit"');
    for (const personal of [
      body.prisoner.firstName,
      body.prisoner.lastName,
      body.prisoner.number,
      body.contact.email,
      body.contact.phone,
      body.visitors[0].firstName,
    ]) {
      expect(kept, personal).not.toContain(personal);
      expect(logged, personal).not.toContain(personal);
    }
  });
});

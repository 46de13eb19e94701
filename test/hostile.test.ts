// What hostile or unusual clients send: floods of submissions, huge or deep bodies, markup, unusual Unicode.
// Never a 500; markup is refused where names are, and escaped wherever it is shown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, testApp, visitRequestBody, type TestService } from './harness';

let service: TestService;
let staff: string;

beforeAll(async () => {
  service = await startTestService('hostile');
  staff = await service.staffToken('staff', ['NGT']);
});
afterAll(() => service.close());

const post = (app: { request: TestService['app']['request'] }, body: string, headers: Record<string, string> = {}) =>
  app.request('/api/visits', { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });

describe('submissions from one client', () => {
  it('are limited per minute, with Retry-After, while other clients go on', async () => {
    const app = testApp({
      db: service.db,
      temporal: service.client,
      taskQueue: service.taskQueue,
      submissions: { perMinute: 3 },
      trustedProxyHops: 1,
    });
    const from = (client: string) => post(app, JSON.stringify(visitRequestBody()), { 'X-Forwarded-For': client });
    for (let i = 0; i < 3; i++) expect((await from('203.0.113.7')).status).toBe(201);
    const refused = await from('203.0.113.7');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect((await refused.json()).code).toBe('too_many_requests');
    expect((await from('198.51.100.9')).status).toBe(201);
  });
});

describe('bodies', () => {
  it('of 1 MB are refused with 413, before anything reads them', async () => {
    const response = await post(service.app, JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }));
    expect(response.status).toBe(413);
  });

  it('nested thousands deep get a 4xx, not a 500', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const response = await post(service.app, deep);
    expect([400, 413, 422]).toContain(response.status);
    const arrays = await post(service.app, `${'['.repeat(20000)}${']'.repeat(20000)}`);
    expect([400, 413, 422]).toContain(arrays.status);
  });

  it('with markup in names are refused, naming each field', async () => {
    const body = visitRequestBody({
      prisoner: { firstName: '<script>alert(1)</script>', lastName: 'W', dateOfBirth: '1980-01-01', number: 'A1234BC' },
      visitors: [{ firstName: 'Ada', lastName: '<img src=x onerror=alert(1)>', dateOfBirth: '1985-01-01' }],
    });
    const response = await post(service.app, JSON.stringify(body));
    expect(response.status).toBe(422);
    const codes = (await response.json()).errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`);
    expect(codes).toEqual(['prisoner.firstName name_has_markup', 'visitors.0.lastName name_has_markup']);
  });

  it('with unusual Unicode in names are kept as sent', async () => {
    const names = ['Zoë 🙂', 'مريم', 'Łukasz\u0301', 'O’Brien-Ñúñez'];
    const body = visitRequestBody({
      visitors: names.map((firstName) => ({ firstName, lastName: 'Test', dateOfBirth: '1985-01-01' })).slice(0, 3),
    });
    const response = await post(service.app, JSON.stringify(body));
    expect(response.status).toBe(201);
    const { reference } = await response.json();
    const visit = await service.call('GET', `/api/staff/visits/${reference}`, { token: staff });
    expect(visit.body.visitors.map((v: { firstName: string }) => v.firstName)).toEqual(names.slice(0, 3));
  });
});

describe('control characters, which the store cannot keep (NUL)', () => {
  it('are refused in names and free text, naming the field, so no visit is made that could never be saved', async () => {
    const body = visitRequestBody({
      visitors: [{ firstName: 'Ada\u0000', lastName: 'Wilde', dateOfBirth: '1985-01-01' }],
    });
    const response = await post(service.app, JSON.stringify(body));
    expect(response.status).toBe(422);
    expect((await response.json()).errors).toEqual([
      expect.objectContaining({ path: 'visitors.0.firstName', code: 'invalid_characters' }),
    ]);
    const queue = await service.call('GET', '/api/staff/queue?prisonId=%00NGT', { token: staff });
    expect(queue.status).toBe(422);
    expect(queue.body.errors[0]).toMatchObject({ path: 'prisonId' });
    const signIn = await service.call('POST', '/api/staff/session', {
      body: { email: 'a\u0000@b.test', password: 'x' },
    });
    expect(signIn.status).toBe(422);
    expect(signIn.body.errors[0]).toMatchObject({ path: 'email', code: 'invalid_characters' });
  });
});

describe('staff pages given impossible dates', () => {
  /** The page's form, shown again with `message` on field `id`: in the error summary, linked, and by the field. */
  function expectFieldError(html: string, id: string, message: string) {
    const text = message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(html).toMatch(new RegExp(`<div class="govuk-error-summary"[\\s\\S]*<a href="#${id}">\\s*${text}\\s*</a>`));
    expect(html).toMatch(
      new RegExp(`<p id="${id}-error" class="govuk-error-message">\\s*<span[^>]*>Error:</span> ${text}`),
    );
    expect(html).toMatch(new RegExp(`<input\\s[^>]*class="govuk-input[^"]*govuk-input--error"[^>]*\\sid="${id}"`));
  }

  it('answer with the form and its error, never a 500', async () => {
    const cookie = { Cookie: `pvb_session=${staff}` };
    const page = async (path: string) => {
      const response = await service.app.request(path, { headers: cookie });
      expect(response.status, path).toBe(200);
      return response.text();
    };
    expectFieldError(await page('/staff/booked?date=2026-13-01'), 'date', 'Enter a date like 2026-12-02');
    const dashboard = await page('/staff/dashboard?from=2026-02-31');
    expectFieldError(dashboard, 'from', 'Enter a date like 2026-11-01');
    expect(dashboard).not.toContain('id="to-error"');

    // A download has no form to show: it is refused with the field to change, never another period's figures.
    const csv = await service.app.request('/staff/dashboard.csv?to=2026-00-10', { headers: cookie });
    expect(csv.status).toBe(422);
    expect(await csv.text()).toBe('to: Enter a date like 2026-11-28');
    const assisted = await service.app.request('/staff/dashboard/assisted-digital.csv?from=2026-02-31', {
      headers: cookie,
    });
    expect([assisted.status, await assisted.text()]).toEqual([422, 'from: Enter a date like 2026-11-01']);
    expect((await service.app.request('/staff/booked.csv?prisonId=X%0D%0AY', { headers: cookie })).status).toBe(403);
  });

  it('name the From date of a dashboard period longer than a year, or ending before it starts, and show one that can be read', async () => {
    const cookie = { Cookie: `pvb_session=${staff}` };
    const page = async (path: string) => {
      const response = await service.app.request(path, { headers: cookie });
      expect(response.status, path).toBe(200);
      return response.text();
    };
    const decades = await page('/staff/dashboard?from=2000-01-01&to=2026-11-30');
    expectFieldError(decades, 'from', 'Enter a From date no more than 365 days before the To date');
    expect(decades).toContain('requests submitted from 2025-11-30 to 2026-11-30');
    const year = await page('/staff/dashboard?from=2025-11-30&to=2026-11-30'); // 366 days, both ends counted
    expect(year).not.toContain('govuk-error-summary');
    const backwards = await page('/staff/dashboard?from=2026-12-01&to=2026-11-30');
    expectFieldError(backwards, 'from', 'Enter a From date on or before the To date');
    // A download is refused, naming the From date; the longest period is downloaded as asked.
    const csv = await service.app.request('/staff/dashboard.csv?from=1900-01-01&to=2026-11-30', { headers: cookie });
    expect([csv.status, await csv.text()]).toEqual([
      422,
      'from: Enter a From date no more than 365 days before the To date',
    ]);
    const longest = await service.app.request('/staff/dashboard.csv?from=2025-11-30&to=2026-11-30', {
      headers: cookie,
    });
    expect(longest.status).toBe(200);
    expect(longest.headers.get('Content-Disposition')).toBe(
      'attachment; filename="performance-2025-11-30-2026-11-30.csv"',
    );
  });
});

describe('markup in free text', () => {
  it('is kept in a staff message but shown escaped on the staff page', async () => {
    const submitted = await post(service.app, JSON.stringify(visitRequestBody()));
    const { reference } = await submitted.json();
    const [slot] = visitRequestBody().slotOptions;
    await service.call('POST', `/api/staff/visits/${reference}/decision`, {
      token: staff,
      body: { outcome: 'accept', slot, referenceNo: '<b>R</b>' },
    });
    await service.call('POST', `/api/staff/visits/${reference}/messages`, {
      token: staff,
      body: { body: '<script>alert("x")</script>' },
    });
    const page = await service.app.request(`/staff/visits/${reference}`, {
      headers: { Cookie: `pvb_session=${staff}` },
    });
    const html = await page.text();
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert("x")</script>');
  });
});

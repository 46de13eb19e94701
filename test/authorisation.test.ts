// Who may do what, over every staff route of the pages and the API: someone signed out is sent to sign in (401
// from the API), a user of another prison gets 404 where a visit is named and 403 where a prison is, and the
// policy role (who writes rule files) sees no visit, queue, search or list of visits (403), only the figures. A new staff route fails here until it is added to the table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveStaffAccount } from '../api/staffAccounts';
import { PASSWORD, startTestService, visitRequestBody, type TestService } from './harness';

let service: TestService;
let reference = '';
const tokens: Record<string, string> = {};

beforeAll(async () => {
  service = await startTestService('authorisation');
  for (const [email, role, prisons] of [
    ['other@auth.test', 'staff', ['WMR']],
    ['policy@auth.test', 'policy', ['NGT']],
    ['ngt@auth.test', 'staff', ['NGT']],
  ] as const) {
    await saveStaffAccount(service.db, { email, role, prisons: [...prisons], password: PASSWORD });
    const { body } = await service.call('POST', '/api/staff/session', { body: { email, password: PASSWORD } });
    tokens[email] = body.token;
  }
  reference = (await service.call('POST', '/api/visits', { body: visitRequestBody() })).body.reference;
});
afterAll(() => service.close());

/** What each user gets from a route: [signed out, staff of another prison, policy of this prison]. */
const expected: Record<string, [number, number, number]> = {
  'GET /api/staff/queue?prisonId=NGT': [401, 403, 403],
  'GET /api/staff/visits/{ref}': [401, 404, 403],
  'POST /api/staff/visits/{ref}/decision': [401, 404, 403],
  'POST /api/staff/visits/{ref}/cancel': [401, 404, 403],
  'POST /api/staff/visits/{ref}/cancellation-confirmed': [401, 404, 403],
  'POST /api/staff/visits/{ref}/messages': [401, 404, 403],
  'POST /api/staff/visits/{ref}/change': [401, 404, 403],
  'POST /api/staff/visits/{ref}/visitors': [401, 404, 403],
  'GET /api/staff/search?q=A1234BC': [401, 200, 403],
  'GET /api/staff/performance/assisted-digital?from=2026-11-01&to=2026-11-30': [401, 200, 200],
  'GET /staff/queue?prisonId=NGT': [302, 403, 403],
  'GET /staff/queue/events?prisonId=NGT': [302, 403, 403],
  'GET /staff/visits/{ref}': [302, 404, 403],
  'GET /staff/visits/{ref}/decision?outcome=accept': [302, 404, 403],
  'GET /staff/visits/{ref}/pass': [302, 404, 403],
  'POST /staff/visits/{ref}/decision': [302, 404, 403],
  'POST /staff/visits/{ref}/cancel': [302, 404, 403],
  'POST /staff/visits/{ref}/cancellation-confirmed': [302, 404, 403],
  'POST /staff/visits/{ref}/messages': [302, 404, 403],
  'POST /staff/visits/{ref}/change': [302, 404, 403],
  'GET /staff/visits/{ref}/visitors': [302, 404, 403],
  'POST /staff/visits/{ref}/visitors': [302, 404, 403],
  'GET /staff/search?q=A1234BC': [302, 200, 403],
  'GET /staff/review?prisonId=NGT': [302, 403, 403],
  'POST /staff/visits/{ref}/no-change-needed': [302, 404, 403],
  'GET /staff/prisoners/{number}/visiting-orders': [302, 404, 403],
  'POST /staff/prisoners/{number}/visiting-orders': [302, 404, 403],
  'GET /staff/processed?prisonId=NGT': [302, 403, 403],
  'GET /staff/booked?prisonId=NGT': [302, 403, 403],
  'GET /staff/booked.csv?prisonId=NGT': [302, 403, 403],
  'GET /staff/booked/print?prisonId=NGT': [302, 403, 403],
  'GET /staff/assisted?prisonId=NGT': [302, 403, 403],
  'POST /staff/assisted?prisonId=NGT': [302, 403, 403],
  'GET /api/staff/prisons/{prisonId}/review': [401, 403, 403],
  'POST /api/staff/visits/{ref}/no-change-needed': [401, 404, 403],
  'GET /api/staff/prisoners/{number}/visiting-orders': [401, 404, 403],
  'POST /api/staff/prisoners/{number}/visiting-orders/adjustments': [401, 404, 403],
  'GET /api/staff/prisons/{prisonId}/blocked-dates': [401, 403, 403],
  'POST /api/staff/prisons/{prisonId}/blocked-dates': [401, 403, 403],
  'DELETE /api/staff/prisons/{prisonId}/blocked-dates/{date}': [401, 403, 403],
  'GET /staff/blocked-dates?prisonId=NGT': [302, 403, 403],
  'POST /staff/blocked-dates?prisonId=NGT': [302, 403, 403],
  'POST /staff/blocked-dates/unblock?prisonId=NGT': [302, 403, 403],
  'GET /staff/dashboard': [302, 200, 200],
  'GET /staff/dashboard.csv': [302, 200, 200],
  'GET /staff/dashboard/assisted-digital.csv': [302, 200, 200],
  'GET /staff/feedback?month=2026-12': [302, 403, 403],
  'GET /staff/policy-preview': [302, 403, 200],
  // Posted here without the form's CSRF token, which the policy user's own form would carry.
  'POST /staff/policy-preview': [302, 403, 403],
  'POST /staff/sign-out': [302, 403, 403],
};

async function call(route: string, who?: string) {
  const [method, target] = route.split(' ');
  const path = target
    .replace('{ref}', reference)
    .replace('{number}', 'A1234BC')
    .replace('{prisonId}', 'NGT')
    .replace('{date}', '2099-01-01');
  const api = path.startsWith('/api/');
  const token = who ? tokens[who] : undefined;
  const headers: Record<string, string> = {
    ...(token && api ? { Authorization: `Bearer ${token}` } : {}),
    ...(token && !api ? { Cookie: `pvb_session=${token}` } : {}),
    ...(method === 'POST' ? { 'Content-Type': api ? 'application/json' : 'application/x-www-form-urlencoded' } : {}),
  };
  const response = await service.app.request(path, {
    method,
    headers,
    ...(method === 'POST' ? { body: api ? '{}' : '' } : {}),
  });
  if (path.includes('/events')) await response.body?.cancel();
  return response;
}

describe('every staff route', () => {
  it('is in this table', () => {
    const routes = service.app.routes
      .filter((r) => r.method !== 'ALL' && /^\/(api\/)?staff\//.test(r.path) && !/sign-in|\/session$/.test(r.path))
      .map((r) => `${r.method} ${r.path.replace(':reference', '{ref}').replace(':number', '{number}')}`)
      .map((route) => route.replace(':prisonId', '{prisonId}').replace(':date', '{date}'));
    const table = Object.keys(expected).map((key) => key.split('?')[0]);
    expect([...new Set(routes)].sort()).toEqual([...new Set(table)].sort());
  });

  it.each(Object.entries(expected))('%s', async (route, [signedOut, otherPrison, policy]) => {
    const anonymous = await call(route);
    expect(anonymous.status, 'signed out').toBe(signedOut);
    if (signedOut === 302) expect(anonymous.headers.get('Location')).toBe('/staff/sign-in');
    expect((await call(route, 'other@auth.test')).status, 'another prison').toBe(otherPrison);
    expect((await call(route, 'policy@auth.test')).status, 'policy').toBe(policy);
  });
});

// The search and the dashboard answer anyone signed in, so their status says nothing: what they show must hold
// nothing of a prison the user does not work at. Each is read by a user of the visit's prison too, to show that the
// visit would be there to leak.
describe('staff of another prison', () => {
  const asOther = 'other@auth.test';
  const asPrison = 'ngt@auth.test';

  const searched = async (route: string, who: string) => {
    const response = await call(route, who);
    expect(response.status, `${route} as ${who}`).toBe(200);
    return route.startsWith('GET /api/') ? JSON.stringify(await response.json()) : response.text();
  };

  it('find none of its visits by prison number or by reference, in the API or the pages', async () => {
    for (const route of [
      'GET /api/staff/search?q=A1234BC',
      'GET /api/staff/search?q={ref}',
      'GET /staff/search?q=A1234BC',
      'GET /staff/search?q={ref}',
    ]) {
      // The page repeats the term searched for in its form, so there the visit shows as its link.
      const visit = route.startsWith('GET /api/') ? reference : `href="/staff/visits/${reference}"`;
      expect(await searched(route, asPrison), route).toContain(visit);
      const seen = await searched(route, asOther);
      expect(seen, route).not.toContain(visit);
      expect(seen, route).not.toContain('Oscar Wilde');
      if (route.startsWith('GET /api/')) expect(JSON.parse(seen), route).toEqual({ visits: [] });
      else expect(seen, route).toContain('No visits found at your prisons.');
    }
  });

  it('see none of its figures on the dashboard or in its download', async () => {
    /** The dashboard's headline count of requests, and its requests by state. */
    const dashboard = async (who: string) => {
      const html = await searched('GET /staff/dashboard', who);
      const requests = /Requests\s*<\/dt>\s*<dd[^>]*>\s*(\d+)\s*</.exec(html)?.[1];
      const byState = html.slice(html.indexOf('Requests by state'), html.indexOf('Rejection reasons'));
      return { html, requests, byState };
    };
    const mine = await dashboard(asPrison);
    expect(mine.requests).toBe('1');
    expect(mine.byState).toContain('requested');
    const theirs = await dashboard(asOther);
    expect(theirs.requests).toBe('0');
    expect(theirs.byState).not.toContain('requested');
    expect(theirs.byState).toContain('None in this period.');
    expect(theirs.html).toContain('HMP Westmoor: requests submitted from');
    expect(theirs.html).not.toContain('Northgate');

    const csv = async (who: string) => (await searched('GET /staff/dashboard.csv', who)).split('\r\n');
    expect(await csv(asPrison)).toEqual(expect.arrayContaining(['"requests",1', '"state requested",1']));
    const rows = await csv(asOther);
    expect(rows).toContain('"requests",0');
    expect(rows.filter((row) => /^"(state|rejection|channel) /.test(row))).toEqual([]);
  });
});

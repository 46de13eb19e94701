// No page or answer is kept by a browser's or a proxy's cache but the static assets: every route of the API (from the
// OpenAPI document's list) and every page the app serves answers `Cache-Control: no-store`, asked by a stranger and,
// for what can be read, by a signed-in member of staff and a visitor with their journey and their visit's token.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../api/openapi';
import { startTestService, visitRequestBody, type TestService } from './harness';

let service: TestService;
let staff: string;
let visit: { reference: string; accessToken: string };
let journeyCookie: string;

beforeAll(async () => {
  service = await startTestService('noStore');
  staff = await service.staffToken('admin', []);
  const sent = await service.call('POST', '/api/visits', {
    body: visitRequestBody(),
    headers: { 'Idempotency-Key': randomUUID() },
  });
  expect(sent.status).toBe(201);
  visit = sent.body;
  const started = await service.app.request('/request/prison');
  journeyCookie = /pvb_journey=[^;]+/.exec(started.headers.get('Set-Cookie') ?? '')?.[0] ?? '';
  expect(journeyCookie).not.toBe('');
});
afterAll(() => service?.close());

const assets = [
  '/stylesheets/govuk-frontend.min.css',
  '/javascripts/govuk-frontend.min.js',
  '/javascripts/app.mjs',
  '/javascripts/print.mjs',
  '/stylesheets/app.css',
  '/stylesheets/staff.css',
  '/assets/images/favicon.ico',
];

/** Every route: the API's from its document, the pages' from the app (but the assets, whose paths are patterns). */
function everyRoute() {
  const api = routes.map((route) => ({
    method: route.method.toUpperCase(),
    path: route.path.replace(/\{(\w+)\}/g, ':$1'),
  }));
  const pages = service.app.routes
    .filter((route) => route.method !== 'ALL' && !route.path.startsWith('/api/') && !route.path.includes('*'))
    .filter((route) => !assets.includes(route.path))
    .map(({ method, path }) => ({ method, path }));
  const seen = new Set<string>();
  return [...api, ...pages].filter((route) => {
    const key = `${route.method} ${route.path}`;
    return !seen.has(key) && seen.add(key);
  });
}

/** Asks a route, its path's parameters filled in, and gives its status and caching, leaving a stream unread. */
async function ask(method: string, path: string, headers: Record<string, string> = {}) {
  const filled = path.replace(':reference', visit.reference).replace(':prisonId', 'NGT');
  const response = await service.app.request(filled, { method, headers });
  await response.body?.cancel();
  return { status: response.status, cacheControl: response.headers.get('Cache-Control') };
}

describe('Cache-Control', () => {
  it('is no-store on every route asked by a stranger, whatever it answers', async () => {
    const routesAsked = everyRoute();
    expect(routesAsked.length).toBeGreaterThan(60);
    const cached: string[] = [];
    for (const { method, path } of routesAsked) {
      const { status, cacheControl } = await ask(method, path);
      if (cacheControl !== 'no-store') cached.push(`${method} ${path} (${status}): ${cacheControl}`);
    }
    expect(cached).toEqual([]);
  });

  it('is no-store on every page and answer that can be read with credentials: the staff’s, the visitor’s and the journey’s', async () => {
    const credentials = (path: string) => ({
      Authorization: `Bearer ${path.startsWith('/api/visits/') ? visit.accessToken : staff}`,
      Cookie: `pvb_session=${staff}; ${journeyCookie}`,
    });
    const answered = new Map<string, number>();
    const cached: string[] = [];
    for (const { method, path } of everyRoute().filter((route) => route.method === 'GET')) {
      const { status, cacheControl } = await ask(method, path, credentials(path));
      answered.set(path, status);
      if (cacheControl !== 'no-store') cached.push(`${method} ${path} (${status}): ${cacheControl}`);
    }
    expect(cached).toEqual([]);
    // Personal data was there to be kept: these answered in full.
    for (const path of [
      '/api/staff/queue',
      '/api/staff/visits/:reference',
      '/api/visits/:reference',
      '/staff/queue',
      '/staff/visits/:reference',
      '/staff/dashboard.csv',
      '/request/prison',
    ]) {
      expect(answered.get(path), path).toBe(200);
    }
  });

  it('leaves the static assets public, for a day', async () => {
    for (const path of assets) {
      const { status, cacheControl } = await ask('GET', path);
      expect(status, path).toBe(200);
      expect(cacheControl, path).toBe('public, max-age=86400');
    }
  });
});

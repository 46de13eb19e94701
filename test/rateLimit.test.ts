// What one client can make the service keep. Each anonymous write is limited per client, counted by the address the
// trusted proxies saw, in a memory that forgets the clients seen least recently first; and a journey's step is kept
// once, however often its page is sent.
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemError } from '../api/problem';
import { rateLimit, type RateLimitOptions } from '../api/rateLimit';
import { startTestService, testApp, type TestService } from './harness';

let service: TestService;

beforeAll(async () => {
  service = await startTestService('rateLimit');
});
afterAll(() => service?.close());

/** An app behind one limit, asked as if through one proxy: the status for each address chain asked. */
function limited(options: Omit<RateLimitOptions, 'windowMs' | 'trustedProxyHops'>) {
  const app = new Hono()
    .use(rateLimit({ ...options, windowMs: 600_000, trustedProxyHops: 1 }))
    .get('/', (c) => c.text('ok'));
  app.onError((error, c) => c.text('', error instanceof ProblemError ? error.status : 500));
  return async (forwardedFor: string) =>
    (await app.request('/', { headers: { 'X-Forwarded-For': forwardedFor } })).status;
}

/** The n-th of many distinct addresses. */
const address = (n: number) => `198.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

/** The form's token in a page, and the journey cookie it came with. */
async function formOf(response: Response) {
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await response.text())?.[1];
  const cookie = /pvb_journey=[^;]+/.exec(response.headers.get('Set-Cookie') ?? '')?.[0];
  if (!csrf || !cookie) throw new Error('no form token or journey cookie');
  return { csrf, cookie };
}

describe('a limit', () => {
  it('counts a client behind one trusted proxy by the address that proxy saw: a new leftmost address does not dodge it', async () => {
    const ask = limited({ limit: 3 });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push(await ask(`10.0.0.${i}, 203.0.113.7`));
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
    expect(await ask('10.0.0.1, 203.0.113.8')).toBe(200);
  });

  it('counts an IPv6 client by its /64, which it holds whole, and an IPv4 address written as IPv6 as itself', async () => {
    const ask = limited({ limit: 3 });
    const statuses = [];
    for (let i = 1; i <= 4; i++) statuses.push(await ask(`2001:db8:1:2:${i.toString(16)}:0:0:${i}`));
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(await ask('2001:db8:1:3::1'), 'the next /64 is another client').toBe(200);
    for (let i = 0; i < 3; i++) expect(await ask('198.51.100.4')).toBe(200);
    expect(await ask('::ffff:198.51.100.4')).toBe(429);
  });

  it('forgets the client seen least recently when it must remember another, never one still sending', async () => {
    const ask = limited({ limit: 1, maxClients: 3 });
    for (const client of ['A', 'B', 'C']) expect(await ask(client)).toBe(200);
    expect(await ask('A')).toBe(429); // A is now the most recent; B the least
    expect(await ask('D')).toBe(200); // remembering D forgets B
    expect(await ask('A')).toBe(429);
    expect(await ask('B')).toBe(200); // B starts again: forgotten
  });

  it('keeps the count of a client still sending through a flood of more new addresses than it remembers', async () => {
    const ask = limited({ limit: 5 });
    for (let i = 0; i < 5; i++) expect(await ask('203.0.113.7')).toBe(200);
    let refused = 0;
    for (let n = 0; n < 101_000; n++) {
      if ((await ask(address(n))) !== 200) refused += 1;
      if (n % 5000 === 0) expect(await ask('203.0.113.7'), `after ${n} others`).toBe(429);
    }
    expect(refused).toBe(0);
    expect(await ask('203.0.113.7')).toBe(429);
  }, 120_000);
});

describe('anonymous writes from one client', () => {
  it('10,000 journey starts, each with a new leftmost X-Forwarded-For: refused beyond the limit, which bounds what is kept', async () => {
    const app = testApp({
      db: service.db,
      temporal: service.client,
      taskQueue: service.taskQueue,
      journeyStarts: { perMinute: 60 },
      trustedProxyHops: 1,
    });
    const events = service.db.collection('journeyEvents');
    const before = await events.countDocuments({});
    const statuses = new Map<number, number>();
    const start = async (n: number) => {
      const headers = { 'X-Forwarded-For': `${address(n)}, 203.0.113.50` };
      // A GET, or a POST that brings no journey: both begin one.
      const response = await app.request('/request/prison', n % 2 ? { headers } : { method: 'POST', headers });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    };
    for (let n = 0; n < 10_000; n += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => start(n + i)));
    }
    expect(statuses.get(429)).toBe(10_000 - 60);
    expect((statuses.get(200) ?? 0) + (statuses.get(403) ?? 0)).toBe(60); // a POST without the form's token: 403
    expect((await events.countDocuments({})) - before).toBeLessThanOrEqual(60);
    // The pages of a journey begun are not starts, so the client at its limit goes on with one.
    const begun = await formOf(
      await app.request('/request/prison', { headers: { 'X-Forwarded-For': '203.0.113.51' } }),
    );
    const next = await app.request('/request/prison', {
      headers: { 'X-Forwarded-For': '203.0.113.50', Cookie: begun.cookie },
    });
    expect(next.status).toBe(200);
  }, 180_000);

  it('feedback: refused beyond the limit, and nothing more kept', async () => {
    const app = testApp({
      db: service.db,
      temporal: service.client,
      taskQueue: service.taskQueue,
      feedbackPosts: { perMinute: 3 },
    });
    const { csrf, cookie } = await formOf(await app.request('/feedback'));
    const feedback = service.db.collection('feedback');
    const before = await feedback.countDocuments({});
    const send = () =>
      app.request('/feedback', {
        method: 'POST',
        headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, rating: '4', comment: 'Fine' }).toString(),
      });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await send()).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect((await feedback.countDocuments({})) - before).toBe(3);
  });

  it('a journey’s step sent again and again is kept once', async () => {
    const { csrf, cookie } = await formOf(await service.app.request('/request/prison'));
    const events = service.db.collection('journeyEvents');
    const before = await events.countDocuments({ step: 'prison' });
    for (let i = 0; i < 5; i++) {
      const sent = await service.app.request('/request/prison', {
        method: 'POST',
        headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, prisonId: 'NGT' }).toString(),
      });
      expect(sent.status).toBe(302);
    }
    expect((await events.countDocuments({ step: 'prison' })) - before).toBe(1);
  });

  it('a journey cookie made by another page (not the limited start) gets no step counted, however often', async () => {
    const events = service.db.collection('journeyEvents');
    const before = await events.countDocuments({});
    for (let i = 0; i < 5; i++) {
      // A visit's page hands any browser a fresh journey cookie with its form token, outside the start's limit.
      const { csrf, cookie } = await formOf(await service.app.request('/visits/AAAAAAAA'));
      const sent = await service.app.request('/request/prison', {
        method: 'POST',
        headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, prisonId: 'NGT' }).toString(),
      });
      expect(sent.status).toBe(302);
    }
    expect(await events.countDocuments({})).toBe(before);
  });
});

// The visitor's journey cookie is refused 20 minutes after the last page: the cookie is sealed by the app's own
// code, with the test's secret, at a time in the past, and the app reads it at today's time.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { Hono } from 'hono';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { JOURNEY_COOKIE, newJourney, writeJourney } from '../ui/journeyCookie';
import { testApp, testDataConverter } from './harness';

const secret = randomBytes(32).toString('hex');
const mongo = new MongoClient(inject('mongoUrl'), { serverSelectionTimeoutMS: 5000 });
const db = mongo.db(`test_journeyExpiry_${randomBytes(4).toString('hex')}`);
const temporal = new Client({
  connection: Connection.lazy({ address: inject('temporalAddress') }),
  dataConverter: testDataConverter,
});
const app = testApp({ db, temporal, taskQueue: 'journey-expiry', session: { secret } });

afterAll(async () => {
  await db.dropDatabase();
  await mongo.close();
  await temporal.connection.close();
});

/** A journey cookie with the prison chosen, written by the app's own code as if its last page was `minutesAgo`. */
async function journeyCookieFrom(minutesAgo: number): Promise<string> {
  const writer = new Hono().get('/', (c) => {
    writeJourney(c, { ...newJourney(), prisonId: 'NGT' }, secret, false);
    return c.body(null, 204);
  });
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() - minutesAgo * 60_000 });
  try {
    const response = await writer.request('/');
    const cookie = /pvb_journey=([^;]+)/.exec(response.headers.get('Set-Cookie') ?? '')?.[1];
    if (!cookie) throw new Error('no journey cookie written');
    return `${JOURNEY_COOKIE}=${cookie}`;
  } finally {
    vi.useRealTimers();
  }
}

const page = async (cookie: string) => {
  const response = await app.request('/request/prisoner', { headers: { Cookie: cookie } });
  return { status: response.status, html: await response.text() };
};

describe('the visitor journey’s cookie', () => {
  it('is still taken 19 minutes after the last page', async () => {
    const { status, html } = await page(await journeyCookieFrom(19));
    expect(status).toBe(200);
    expect(html).toContain('Who are you visiting?');
    expect(html).not.toContain('Your answers have been deleted');
  });

  it('is refused 21 minutes after the last page: the visitor is told their answers have gone', async () => {
    const { status, html } = await page(await journeyCookieFrom(21));
    expect(status).toBe(200);
    expect(html).toContain('Your answers have been deleted');
    expect(html).not.toContain('Who are you visiting?');
  });
});

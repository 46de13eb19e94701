// A backing server that is down gets a 503 with Retry-After, never a 500 and never a half-written visit.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { freePort } from '../scripts/embeddedServers';
import { testApp, visitRequestBody } from './harness';

const closedPort = await freePort();
const downTemporal = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${closedPort}` }) });
const downMongo = new MongoClient(`mongodb://127.0.0.1:${closedPort}/down`, { serverSelectionTimeoutMS: 300 });
const upMongo = new MongoClient(inject('mongoUrl'), { serverSelectionTimeoutMS: 5000 });

function appWith(mongo: MongoClient, temporal: Client) {
  const db = mongo.db(`test_unavailable_${randomBytes(4).toString('hex')}`);
  const app = testApp({ db, temporal, taskQueue: 'nothing-listens-here', commandTimeoutMs: 1000 });
  return { app, db };
}

beforeAll(() => upMongo.connect());
afterAll(async () => {
  await upMongo.close();
  await downMongo.close();
});

describe('when Temporal and MongoDB are down', () => {
  const { app } = appWith(downMongo, downTemporal);

  it('health answers 503, naming both, with Retry-After', async () => {
    const response = await app.request('/health');
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toBe('5');
    expect(await response.json()).toEqual({ status: 'unavailable', temporal: 'down', mongo: 'down' });
  });

  it('looking up a visit answers 503 with Retry-After', async () => {
    const response = await app.request('/api/visits/ABCDEFGH', { headers: { Authorization: 'Bearer token' } });
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toBe('5');
    expect(response.headers.get('Content-Type')).toBe('application/problem+json');
  });
});

describe('when only Temporal is down', () => {
  it('a submission answers 503, and nothing of it reaches the read model', async () => {
    const { app, db } = appWith(upMongo, downTemporal);
    const response = await app.request('/api/visits', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(visitRequestBody()),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toBe('5');
    const health = await (await app.request('/health')).json();
    expect(health).toEqual({ status: 'unavailable', temporal: 'down', mongo: 'up' });
    expect(await db.collection('visits').countDocuments()).toBe(0);
  });
});

// A backing server that is down gets a 503 with Retry-After, never a 500 and never a half-written visit.
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { freePort } from '../scripts/embeddedServers';
import { visitsCollection } from '../activities/readModel/visits';
import {
  eventually,
  startTestService,
  testApp,
  testDataConverter,
  visitRequestBody,
  type TestService,
} from './harness';

const closedPort = await freePort();
const downTemporal = new Client({
  connection: Connection.lazy({ address: `127.0.0.1:${closedPort}` }),
  dataConverter: testDataConverter,
});
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
  let service: TestService | undefined;
  let proxy: { close(): Promise<void> } | undefined;
  afterAll(async () => {
    await proxy?.close();
    await service?.close();
  });

  // A worker writes this app's visits to the read model, so a submission that got through would be counted there.
  it(
    'a submission answers 503, and nothing of it reaches the read model, even once Temporal is back',
    { timeout: 90_000 },
    async () => {
      service = await startTestService('unavailable');
      const app = testApp({
        db: service.db,
        temporal: downTemporal,
        taskQueue: service.taskQueue,
        commandTimeoutMs: 1000,
      });
      const submit = (number: string, headers: Record<string, string> = {}) =>
        app.request('/api/visits', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...headers },
          body: JSON.stringify(visitRequestBody({ prisoner: { ...visitRequestBody().prisoner, number } })),
        });
      const visits = visitsCollection(service.db);
      const visitsOf = (prisonerNumber: string) => visits.countDocuments({ prisonerNumber });

      const response = await submit('D1111DD');
      expect(response.status).toBe(503);
      expect(response.headers.get('Retry-After')).toBe('5');
      const health = await (await app.request('/health')).json();
      expect(health).toEqual({ status: 'unavailable', temporal: 'down', mongo: 'up' });

      // Temporal comes back on the port the app was given: a submission now goes through and is counted, but the
      // refused one, which the visitor was told to send again, must not arrive as well.
      proxy = await forward(closedPort, inject('temporalAddress'));
      // Sent again until it is answered, as a client should: with a key, so that an attempt that timed out after
      // Temporal took it is not made twice.
      const sent = await eventually(
        async () => {
          const retried = await submit('E2222EE', { 'Idempotency-Key': 'back-again' });
          return retried.status === 503 ? undefined : retried;
        },
        30_000,
        500,
      );
      expect(sent.status).toBe(201);
      expect(await visitsOf('E2222EE')).toBe(1);
      // Were the refused submission still being tried, it would arrive within the Temporal client's retry interval
      // (attempts at most 5 s apart, with 20% jitter): watch for twice that.
      for (const watchUntil = Date.now() + 12_000; Date.now() < watchUntil;) {
        expect(await visitsOf('D1111DD')).toBe(0);
        await new Promise((wait) => setTimeout(wait, 250));
      }
      // And Temporal itself holds one visit on this queue, not two: a refused submission started late but not yet
      // written by the worker would show here.
      const { client, taskQueue } = service;
      const started = () => client.workflow.count(`TaskQueue="${taskQueue}"`);
      await eventually(async () => ((await started()).count > 0 ? true : undefined), 10_000, 200);
      expect((await started()).count).toBe(1);
    },
  );
});

/** Listens on `port` of 127.0.0.1, passing each connection on to `target` (host:port), until closed. */
async function forward(port: number, target: string): Promise<{ close(): Promise<void> }> {
  const [host, targetPort] = target.split(':');
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    const upstream = connect(Number(targetPort), host);
    for (const end of [socket, upstream]) {
      sockets.add(end);
      end.on('error', () => [socket, upstream].forEach((s) => s.destroy()));
      end.on('close', () => sockets.delete(end));
    }
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((listening) => server.listen(port, '127.0.0.1', listening));
  return {
    close: () =>
      new Promise<void>((closed) => {
        server.close(() => closed());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

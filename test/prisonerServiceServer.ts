// The prisoner-information service as a real HTTP server in the test's process (node:http), for a worker that runs in
// a child process of its own (test/workerProcess.ts), which msw in the test's process (test/fakePrisonerService.ts)
// cannot reach. It answers as that fake does, `GET {url}/prisoners/{number}` with the record the test put in or 404,
// asks for the bearer token when given one, and can keep its answers back while the test does something.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PrisonerRecord } from '../rules/prisonerRecord';

export interface PrisonerServiceServer {
  /** The base URL, for PRISONER_SERVICE_URL. */
  url: string;
  records: Map<string, PrisonerRecord>;
  /** Numbers asked for, in order, each time it was asked (with the right token). */
  asked: string[];
  /** While true, each lookup waits for its answer until the test lets it go (or its client goes). */
  holdAnswers: boolean;
  /** The lookups waiting, while their connection lasts: call one to answer it. */
  held: (() => void)[];
  close(): Promise<void>;
}

/** Starts the server on a free port of 127.0.0.1; with `token`, a lookup without `Bearer <token>` gets a 401. */
export async function startPrisonerServiceServer(options: { token?: string } = {}): Promise<PrisonerServiceServer> {
  const service: PrisonerServiceServer = {
    url: '',
    records: new Map(),
    asked: [],
    holdAnswers: false,
    held: [],
    close: async () => undefined,
  };
  const json = (response: ServerResponse, status: number, body: unknown) => {
    if (response.destroyed) return;
    response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  };
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const number = /^\/api\/prisoners\/([^/]+)$/.exec(path)?.[1];
    if (request.method !== 'GET' || number === undefined) return json(response, 404, { message: 'no such resource' });
    if (options.token !== undefined && request.headers.authorization !== `Bearer ${options.token}`) {
      return json(response, 401, { message: 'unauthorised' });
    }
    const wanted = decodeURIComponent(number);
    service.asked.push(wanted);
    const answer = () => {
      const record = service.records.get(wanted);
      if (record) json(response, 200, record);
      else json(response, 404, { message: 'not found' });
    };
    if (!service.holdAnswers) return answer();
    // Once only, and no longer offered once the client has gone (a killed worker's connections).
    const release = () => {
      const index = service.held.indexOf(release);
      if (index < 0) return;
      service.held.splice(index, 1);
      answer();
    };
    service.held.push(release);
    response.once('close', () => {
      const index = service.held.indexOf(release);
      if (index >= 0) service.held.splice(index, 1);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  service.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return service;
}

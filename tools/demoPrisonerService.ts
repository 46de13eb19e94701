// A stand-in for the prisoner-information service, with the demo prisoners of tools/demo-prisoners.json, so that
// `npm start` checks requests against records as it would in production (docs/prisoner-service.md). It answers
// `GET /prisoners/{number}` as the contract says (docs/prisoner-service.openapi.json); with a token, a lookup
// without it gets 401. `npx tsx tools/demoPrisonerService.ts [port]` runs it alone.
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { addDays, londonClock } from '../rules/londonTime';

export const DEMO_PRISONERS_FILE = join(import.meta.dirname, 'demo-prisoners.json');

/** How often the demo prisoners get new visiting orders. */
const VISITING_ORDER_PERIOD_DAYS = 28;

interface DemoRecord {
  number: string;
  visitingOrders?: { renewsOn: string };
}

/** The demo records as the file holds them; a third party's data, so not checked here (the tests check it). */
export function demoPrisoners(file = DEMO_PRISONERS_FILE): DemoRecord[] {
  return JSON.parse(readFileSync(file, 'utf8')) as DemoRecord[];
}

/**
 * A record as of `today`: the file's `renewsOn` is one renewal of a 28-day period, and the answer names the next
 * one from today, so that the demo's visiting orders never look overdue however old the file.
 */
function asOf<T extends DemoRecord>(record: T, today: string): T {
  if (!record.visitingOrders) return record;
  let renewsOn = record.visitingOrders.renewsOn;
  while (renewsOn <= today) renewsOn = addDays(renewsOn, VISITING_ORDER_PERIOD_DAYS);
  return { ...record, visitingOrders: { ...record.visitingOrders, renewsOn } };
}

export interface DemoPrisonerService {
  /** The base URL, for PRISONER_SERVICE_URL. */
  url: string;
  close(): Promise<void>;
}

export interface DemoPrisonerServiceOptions {
  /** 0: any free port. */
  port: number;
  /** Asked of every lookup as `Authorization: Bearer <token>` when given. */
  token?: string;
  file?: string;
}

/** Starts the demo service on 127.0.0.1. */
export async function startDemoPrisonerService(options: DemoPrisonerServiceOptions): Promise<DemoPrisonerService> {
  const records = new Map(demoPrisoners(options.file).map((record) => [record.number, record]));
  const json = (response: ServerResponse, status: number, body: unknown) =>
    response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const number = /^\/prisoners\/([^/]+)$/.exec(path)?.[1];
    if (request.method !== 'GET' || number === undefined) return json(response, 404, { message: 'no such resource' });
    if (options.token !== undefined && request.headers.authorization !== `Bearer ${options.token}`) {
      return json(response, 401, { message: 'unauthorised' });
    }
    const record = records.get(decoded(number).toUpperCase());
    if (!record) return json(response, 404, { message: 'not found' });
    json(response, 200, asOf(record, londonClock(new Date()).date));
  });
  await listen(server, options.port);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A path segment decoded; a malformed one (`%E0`) as it came, which names nobody. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const service = await startDemoPrisonerService({ port: Number(process.argv[2] ?? 0) });
  console.log(`demo prisoner-information service on ${service.url}/prisoners/{number}; Ctrl-C stops it`);
}

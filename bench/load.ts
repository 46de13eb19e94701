// Load for the benchmark: visit requests sent over HTTP at a fixed rate (open loop) or as fast as answers come
// (closed loop), each with its own Idempotency-Key and prisoner, recording every POST's latency: those answered 201
// apart from those that failed (any other answer, or none), so that a quick refusal never flatters the figures.
import { randomBytes, randomUUID } from 'node:crypto';
import { bookableSlots } from '../rules/calendar';
import { londonClock } from '../rules/londonTime';
import type { Prison } from '../rules/prison';

export interface LoadResult {
  sent: number;
  /** Requests answered 201 with a reference: started, not yet necessarily in the read model. */
  answered201: number;
  /** Answers other than 201, by status, and requests that got no answer ("network"). */
  failed: Record<string, number>;
  /** Latencies of the requests answered 201. */
  latenciesMs: number[];
  /** Latencies of the failed requests, until their answer or their error. */
  failedLatenciesMs: number[];
  seconds: number;
  references: string[];
}

/** A prison number no other request in the run uses, so no prisoner's limits come into play. */
function prisonerNumber(): string {
  const letters = () => String.fromCharCode(...randomBytes(2).map((byte) => 65 + (byte % 26)));
  return `A${String(randomBytes(2).readUInt16BE() % 10_000).padStart(4, '0')}${letters()}`;
}

/** A valid request to one of the prisons, two visitors and two times, as the web journey sends it. */
export function requestBodies(prisons: Prison[]) {
  const today = londonClock(new Date()).date;
  const open = prisons
    .filter((prison) => prison.enabled && !prison.closed && !prison.private)
    .map((prison) => ({ prison, slots: bookableSlots(prison, today) }))
    .filter(({ slots }) => slots.length >= 2);
  return (i: number) => {
    const { prison, slots } = open[i % open.length];
    return {
      prisonId: prison.id,
      prisoner: { firstName: 'Oscar', lastName: 'Wilde', dateOfBirth: '1980-10-16', number: prisonerNumber() },
      visitors: [
        { firstName: 'Ada', lastName: 'Wilde', dateOfBirth: '1985-01-01' },
        { firstName: 'Cyril', lastName: 'Wilde', dateOfBirth: '2015-06-05' },
      ],
      slotOptions: [slots[i % slots.length], slots[(i + 1) % slots.length]].sort(),
      contact: { email: 'ada@example.com', phone: '07700 900123' },
      locale: 'en',
    };
  };
}

async function submit(baseUrl: string, body: unknown, result: LoadResult): Promise<void> {
  const started = performance.now();
  result.sent++;
  let failure = 'network';
  try {
    const response = await fetch(`${baseUrl}/api/visits`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() },
      body: JSON.stringify(body),
    });
    // Read as text: an answer that is not JSON (a proxy's 502) is a failure by its status, not a network error.
    const text = await response.text();
    failure = String(response.status);
    const reference = response.status === 201 ? (JSON.parse(text) as { reference?: string }).reference : undefined;
    if (reference) {
      result.latenciesMs.push(performance.now() - started);
      result.answered201++;
      result.references.push(reference);
      return;
    }
  } catch {
    // no answer, or a 201 without a reference: counted below as failed
  }
  result.failedLatenciesMs.push(performance.now() - started);
  result.failed[failure] = (result.failed[failure] ?? 0) + 1;
}

const empty = (): LoadResult => ({
  sent: 0,
  answered201: 0,
  failed: {},
  latenciesMs: [],
  failedLatenciesMs: [],
  seconds: 0,
  references: [],
});

function progress(label: string, result: LoadResult, started: number): NodeJS.Timeout {
  return setInterval(() => {
    const seconds = Math.round((performance.now() - started) / 1000);
    process.stdout.write(`\r  ${label}: ${seconds} s, ${result.sent} sent, ${result.answered201} answered 201   `);
  }, 1000);
}

/** Sends `perSecond` requests a second for `seconds`, each on time whether or not earlier ones have answered. */
export async function openLoop(baseUrl: string, bodies: (i: number) => unknown, perSecond: number, seconds: number) {
  const result = empty();
  const started = performance.now();
  const ticker = progress(`${perSecond}/s`, result, started);
  const pending: Promise<void>[] = [];
  const total = perSecond * seconds;
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resume) => setTimeout(resume, wait));
    pending.push(submit(baseUrl, bodies(i), result));
  }
  await Promise.all(pending);
  clearInterval(ticker);
  process.stdout.write('\n');
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** Keeps `inFlight` requests under way for `seconds`: the rate the service sustains when pushed. */
export async function closedLoop(baseUrl: string, bodies: (i: number) => unknown, inFlight: number, seconds: number) {
  const result = empty();
  const started = performance.now();
  const ticker = progress(`${inFlight} in flight`, result, started);
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() - started < seconds * 1000) await submit(baseUrl, bodies(next++), result);
    }),
  );
  clearInterval(ticker);
  process.stdout.write('\n');
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

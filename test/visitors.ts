// Visitors submitting requests as a well-behaved client does: each with its own Idempotency-Key, sending the same
// body again after a 503, once its Retry-After has passed.
import { visitRequestBody } from './harness';

interface App {
  request(path: string, init: RequestInit): Response | Promise<Response>;
}

export interface Accepted {
  reference: string;
  accessToken: string;
}

export interface Visitors {
  /** Each key's answer, once it has had its 201. */
  accepted: Map<string, Accepted>;
  /** How many 503s (each with a Retry-After) the visitors have been answered so far. */
  unavailable: number;
  /** Settles once every key has had its 201; fails at the first answer that is neither a 201 nor a 503. */
  done: Promise<void>;
  /** Settles once `count` requests have been accepted (or fails with `done`). */
  accept(count: number): Promise<void>;
}

/** A valid request, each visitor's to see a prisoner of their own (so that none looks like a repeat). */
function requestFor(index: number) {
  const number = `A${String(index % 10_000).padStart(4, '0')}BC`;
  return visitRequestBody({ prisoner: { ...visitRequestBody().prisoner, number } });
}

/**
 * Submits one request per key, at most `inFlight` at a time, each until it gets its 201. Any answer but 201, or a
 * 503 with Retry-After, fails. The wait after a 503 is at most `maxWaitMs`, to keep tests short.
 */
export function submitAll(app: App, keys: string[], options: { inFlight: number; maxWaitMs?: number }): Visitors {
  const waiting: { count: number; resolve: () => void }[] = [];
  async function submit(key: string, index: number): Promise<void> {
    const body = JSON.stringify(requestFor(index));
    for (;;) {
      const response = await app.request('/api/visits', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
        body,
      });
      if (response.status === 201) {
        const { reference, accessToken } = (await response.json()) as Accepted;
        visitors.accepted.set(key, { reference, accessToken });
        for (const wait of waiting) if (visitors.accepted.size >= wait.count) wait.resolve();
        return;
      }
      const retryAfter = Number(response.headers.get('Retry-After'));
      if (response.status !== 503 || !(retryAfter > 0)) {
        throw new Error(`${key}: ${response.status} (Retry-After ${retryAfter}) ${await response.text()}`);
      }
      visitors.unavailable++;
      await new Promise((wait) => setTimeout(wait, Math.min(retryAfter * 1000, options.maxWaitMs ?? 1000)));
    }
  }
  // The visitors take keys from one queue; should one fail, the queue closes and the others stop too.
  const queue = (function* () {
    yield* keys.entries();
  })();
  async function visitor(): Promise<void> {
    for (const [index, key] of queue) await submit(key, index);
  }
  const visitors: Visitors = {
    accepted: new Map(),
    unavailable: 0,
    done: Promise.resolve(),
    accept: (count) =>
      Promise.race([
        visitors.done,
        new Promise<void>((resolve) => {
          if (visitors.accepted.size >= count) resolve();
          else waiting.push({ count, resolve });
        }),
      ]),
  };
  visitors.done = Promise.all(Array.from({ length: options.inFlight }, visitor)).then(() => undefined);
  return visitors;
}

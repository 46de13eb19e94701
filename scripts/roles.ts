// How the two roles' Node.js processes start, the same for `npm start`, `npm run api|worker` and the benchmark.
import { join } from 'node:path';

/**
 * The worker's V8 settings: each heap (the worker's own, and its workflow thread's) kept to 128 MB, with a young
 * generation of 4 MB. Left to itself, V8 sizes its heaps from the machine's memory and collects lazily, and a busy
 * worker passed 450 MB; with these and WORKER_CACHED_WORKFLOWS it stays near 300 MB (docs/decisions/0009).
 * `npm run worker` passes the same flags (test/config.test.ts checks).
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=128', '--max-semi-space-size=4'];

/** The arguments to Node.js that run a role. */
export function nodeArgs(role: 'api' | 'worker'): string[] {
  return [...(role === 'worker' ? WORKER_NODE_FLAGS : []), '--import', 'tsx', join(import.meta.dirname, `${role}.ts`)];
}

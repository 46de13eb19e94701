// GET /health: whether the service can reach Temporal and MongoDB.
import { Hono } from 'hono';
import type { Services } from './services';

const CHECK_MS = 2000;

async function reachable(check: () => Promise<unknown>): Promise<'up' | 'down'> {
  try {
    await check();
    return 'up';
  } catch {
    return 'down';
  }
}

export function healthRoutes({ temporal, db }: Services) {
  return new Hono().get('/', async (c) => {
    const [temporalState, mongo] = await Promise.all([
      reachable(() =>
        temporal.connection.withDeadline(Date.now() + CHECK_MS, () =>
          temporal.connection.workflowService.getSystemInfo({}),
        ),
      ),
      reachable(() => db.command({ ping: 1 }, { timeoutMS: CHECK_MS })),
    ]);
    const ok = temporalState === 'up' && mongo === 'up';
    if (!ok) c.header('Retry-After', '5');
    return c.json({ status: ok ? 'ok' : 'unavailable', temporal: temporalState, mongo }, ok ? 200 : 503);
  });
}

// A per-client limit on public submissions: a fixed window counted in this process's memory. With several API
// processes behind a balancer each counts its own share, which still bounds one client's burst.
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { ProblemError } from './problem';

export interface RateLimitOptions {
  /** Requests allowed per client in each window. */
  limit: number;
  windowMs: number;
  /** Take the client's address from X-Forwarded-For (only behind a proxy that sets it). */
  trustProxy: boolean;
}

/** The client's address, as far as the server can tell. */
function clientOf(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('X-Forwarded-For')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // not served by Node's HTTP server (in-process requests)
  }
}

export function rateLimit({ limit, windowMs, trustProxy }: RateLimitOptions): MiddlewareHandler {
  const windows = new Map<string, { start: number; count: number }>();
  return async (c, next) => {
    const now = Date.now();
    const client = clientOf(c, trustProxy);
    let window = windows.get(client);
    if (!window || now - window.start >= windowMs) {
      if (windows.size > 100_000) windows.clear(); // a bound on memory under a flood of addresses
      window = { start: now, count: 0 };
      windows.set(client, window);
    }
    window.count += 1;
    if (window.count > limit) {
      const retryAfter = Math.ceil((window.start + windowMs - now) / 1000);
      throw new ProblemError(429, 'too_many_requests', 'Too many requests from you: wait and try again.', undefined, {
        'Retry-After': String(Math.max(retryAfter, 1)),
      });
    }
    await next();
  };
}

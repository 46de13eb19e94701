// A per-client limit on public submissions: a fixed window counted in this process's memory. With several API
// processes behind a balancer each counts its own share, which still bounds one client's burst.
import type { MiddlewareHandler } from 'hono';
import { clientAddress } from './clientAddress';
import { ProblemError } from './problem';

export interface RateLimitOptions {
  /** Requests allowed per client in each window. */
  limit: number;
  windowMs: number;
  /** Proxies in front of the service that append to X-Forwarded-For. */
  trustedProxyHops: number;
}

export function rateLimit({ limit, windowMs, trustedProxyHops }: RateLimitOptions): MiddlewareHandler {
  const windows = new Map<string, { start: number; count: number }>();
  return async (c, next) => {
    const now = Date.now();
    const client = clientAddress(c, trustedProxyHops);
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

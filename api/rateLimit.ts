// A per-client limit on anonymous writes: a fixed window counted in this process's memory. With several API processes
// behind a balancer each counts its own share, which still bounds one client's burst. The client is the address that
// the trusted proxies saw (api/clientAddress.ts), so a client cannot dodge the limit by writing X-Forwarded-For.
import type { MiddlewareHandler } from 'hono';
import { clientAddress } from './clientAddress';
import { ProblemError } from './problem';

export interface RateLimitOptions {
  /** What is counted, in the refusal's words: "journey starts". */
  name?: string;
  /** Requests allowed per client in each window. */
  limit: number;
  windowMs: number;
  /** Proxies in front of the service that append to X-Forwarded-For. */
  trustedProxyHops: number;
  /**
   * Clients remembered at most, a bound on memory under a flood of addresses: beyond it the client seen least recently
   * is forgotten, so a client still sending keeps its count however many others come.
   */
  maxClients?: number;
}

export const DEFAULT_MAX_CLIENTS = 50_000;

export function rateLimit({
  name = 'requests',
  limit,
  windowMs,
  trustedProxyHops,
  maxClients = DEFAULT_MAX_CLIENTS,
}: RateLimitOptions): MiddlewareHandler {
  // A Map keeps insertion order: a client is moved to the end at each request, so the first is the least recent.
  const windows = new Map<string, { start: number; count: number }>();
  return async (c, next) => {
    const now = Date.now();
    const client = clientAddress(c, trustedProxyHops);
    let window = windows.get(client);
    windows.delete(client);
    if (!window || now - window.start >= windowMs) window = { start: now, count: 0 };
    windows.set(client, window);
    if (windows.size > maxClients) windows.delete(windows.keys().next().value as string);
    window.count += 1;
    if (window.count > limit) {
      const retryAfter = Math.ceil((window.start + windowMs - now) / 1000);
      throw new ProblemError(429, 'too_many_requests', `Too many ${name} from you: wait and try again.`, undefined, {
        'Retry-After': String(Math.max(retryAfter, 1)),
      });
    }
    await next();
  };
}

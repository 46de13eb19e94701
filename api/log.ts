// Structured logs as JSON lines. Only routes, statuses and timings: never bodies, names or references.
import type { MiddlewareHandler } from 'hono';

export type Level = 'debug' | 'info' | 'warn' | 'error';
export type Log = Record<Level, (message: string, fields?: Record<string, unknown>) => void>;

const order: Level[] = ['debug', 'info', 'warn', 'error'];

export function createLog(minimum: Level, write: (line: string) => void = (line) => process.stdout.write(line)): Log {
  const entry =
    (level: Level) =>
    (message: string, fields: Record<string, unknown> = {}) => {
      if (order.indexOf(level) < order.indexOf(minimum)) return;
      write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`);
    };
  return { debug: entry('debug'), info: entry('info'), warn: entry('warn'), error: entry('error') };
}

/** Logs each request by its route pattern (`/api/visits/:reference`), so no reference or query reaches the log. */
export function logRequests(log: Log): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    log.info('request', {
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
  };
}

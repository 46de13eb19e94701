// The Hono app: small routers behind a few named middleware, wired in an order that reads top to bottom.
import type { Client } from '@temporalio/client';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { Db } from 'mongodb';
import type { RuleBook } from '../rules/ruleBook';
import { healthRoutes } from './health';
import { logRequests, type Log } from './log';
import { buildOpenApi } from './openapi';
import { policyRoutes } from './policy';
import { prisonRoutes } from './prisons';
import { ProblemError, problemResponse, unavailable } from './problem';
import type { SessionKeys } from './session';
import { staffRoutes } from './staff';
import { visitRoutes } from './visits';
import { isUnavailable } from './unavailable';

export interface Services {
  db: Db;
  temporal: Client;
  taskQueue: string;
  /** How long a command may wait for Temporal before the API answers 503. */
  commandTimeoutMs: number;
  /** The prisons' rule files in force. */
  rules: RuleBook;
  session: SessionKeys;
  /** Mark cookies Secure (production, behind HTTPS). */
  secureCookies: boolean;
  log: Log;
}

const MAX_BODY_BYTES = 64 * 1024;

function handleError(log: Log) {
  return (error: Error, c: Context) => {
    if (error instanceof ProblemError) return problemResponse(c, error);
    if (isUnavailable(error)) {
      log.warn('backing server unavailable', { route: c.req.routePath, error: error.name });
      return problemResponse(c, unavailable('A server the service needs is unavailable; try again shortly.'));
    }
    log.error('unexpected error', { route: c.req.routePath, error: error.name, message: error.message });
    return problemResponse(c, new ProblemError(500, 'internal_error', 'Something went wrong on our side.'));
  };
}

export function createApp(services: Services) {
  const openApi = buildOpenApi();
  return new Hono()
    .use(logRequests(services.log))
    .use(secureHeaders())
    .use(
      bodyLimit({
        maxSize: MAX_BODY_BYTES,
        onError: () => {
          throw new ProblemError(413, 'body_too_large', `Send at most ${MAX_BODY_BYTES} bytes.`);
        },
      }),
    )
    .route('/health', healthRoutes(services))
    .get('/openapi.json', (c) => c.json(openApi))
    .route('/api/prisons', prisonRoutes(services))
    .route('/api/visits', visitRoutes(services))
    .route('/api/staff', staffRoutes(services))
    .route('/api/policy', policyRoutes(services))
    .notFound((c) => problemResponse(c, new ProblemError(404, 'not_found', 'There is nothing at this address.')))
    .onError(handleError(services.log));
}

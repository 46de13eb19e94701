// The visitor's API: submit a request, see it, withdraw or cancel it.
import { timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { londonClock } from '../rules/londonTime';
import { visitorCancellation } from '../workflows/visit';
import type { Services } from './services';
import { fieldError, invalid, ProblemError } from './problem';
import { idempotencyKeyHeader } from './schemas';
import { submission } from '../rules/shapes';
import { readJson } from './validation';
import { sha256, visitClient } from '../workflows/client';
import { rememberVisitors } from '../activities/readModel/bookers';
import { findVisit } from '../activities/readModel/lookups';
import { publicView } from './visitViews';
import { bookerAccounts, bookerOfBearer } from './bookers';

/** The Idempotency-Key header, if sent. */
export function idempotencyKey(c: Context): string | undefined {
  const key = c.req.header('Idempotency-Key');
  if (key === undefined) return undefined;
  if (!idempotencyKeyHeader.safeParse(key).success) throw invalid([fieldError('Idempotency-Key', 'invalid_format')]);
  return key;
}

export function visitRoutes(services: Services) {
  const { db } = services;
  const visits = visitClient(services);
  const accounts = bookerAccounts(services);

  /** The visit named in the path, if the bearer token is its access token. */
  async function visitForToken(c: Context) {
    const token = /^Bearer (.+)$/i.exec(c.req.header('Authorization') ?? '')?.[1];
    if (!token) throw new ProblemError(401, 'token_required', 'Send the access token as a bearer token.');
    const visit = await findVisit(db, c.req.param('reference') ?? '');
    const [given, expected] = [Buffer.from(sha256(token)), Buffer.from(visit?.accessTokenHash ?? '')];
    // An anonymised visit has no token hash left: the lengths differ, and nobody gets in.
    if (!visit || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ProblemError(404, 'not_found', 'There is no visit with this reference and token.');
    }
    return visit;
  }

  return new Hono()
    .post('/', async (c) => {
      const body = await readJson(c, submission);
      const key = idempotencyKey(c);
      // Sent with a booker's session token, the visit is theirs: in their list of visits.
      const booker = await bookerOfBearer(accounts, c);
      const result = await visits.submit(body, {
        idempotencyKey: key,
        today: londonClock(new Date()).date,
        ...(booker ? { bookerId: booker.booker.bookerId } : {}),
      });
      // A booker's visitors and phone number are offered again next time, as the pages do.
      if (booker) await rememberVisitors(db, booker.booker.bookerId, body.visitors, body.contact.phone);
      c.header('Location', result.statusUrl);
      return c.json(result, 201);
    })
    .get('/:reference', async (c) => c.json(publicView(await visitForToken(c))))
    .delete('/:reference', async (c) => {
      const visit = await visitForToken(c);
      const key = idempotencyKey(c); // checked even when there is nothing left to do
      const action = visitorCancellation(visit, new Date());
      if (action === 'not_cancellable') {
        throw new ProblemError(409, 'not_cancellable', `A ${visit.status} visit cannot be withdrawn or cancelled.`);
      }
      if (action !== 'done') {
        await visits.cancelByVisitor(visit.reference, key);
      }
      const after = await findVisit(db, visit.reference);
      if (after && visitorCancellation(after, new Date()) !== 'done') {
        throw new ProblemError(409, 'not_cancellable', `A ${after.status} visit cannot be withdrawn or cancelled.`);
      }
      return c.json(publicView(after ?? visit));
    });
}

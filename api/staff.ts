// The staff API: sign in, the queue, a visit in full, and decisions. Every read and write checks the prison.
import { Hono } from 'hono';
import { deleteCookie } from 'hono/cookie';
import { findVisit, queueOf } from '../activities/readModel/lookups';
import type { VisitDocument } from '../activities/readModel/visits';
import { visitClient } from '../workflows/client';
import { prisonsSeenBy, refuseUnlessMayChangeVisits, refuseUnlessMaySeeVisits, visibleVisit } from './access';
import type { Services } from './services';
import { ProblemError } from './problem';
import { assistedFiguresFor } from './performance';
import { performanceQuery, queueQuery, searchQuery, signIn as signInBody, timeChange, visitorsChange } from './schemas';
import { decision, staffCancellation, staffMessage } from '../rules/shapes';
import { clientAddress } from './clientAddress';
import { requireStaff, SESSION_COOKIE, setSessionCookie, signIn, signOut, type StaffEnv } from './session';
import { readJson, readQuery } from './validation';
import { idempotencyKey } from './visits';
import { searchVisits, staffView, summaryView } from './visitViews';

export function staffRoutes(services: Services) {
  const { db, rules, session, secureCookies } = services;

  const staffOnly = requireStaff(db, session);
  const visits = visitClient(services);

  const staffActor = (user: StaffEnv['Variables']['user']) => ({ email: user.email });

  /** A visit the signed-in user may change: the role is refused before the visit is looked up. */
  async function actionableVisit(reference: string, user: StaffEnv['Variables']['user']): Promise<VisitDocument> {
    refuseUnlessMayChangeVisits(user);
    return visibleVisit(db, user, reference);
  }

  return new Hono<StaffEnv>()
    .post('/session', async (c) => {
      const { email, password } = await readJson(c, signInBody);
      const result = await signIn(services, email, password, clientAddress(c, services.trustedProxyHops));
      if (result.outcome === 'locked') {
        throw new ProblemError(429, 'too_many_attempts', 'Too many failed sign-ins: try again later.', undefined, {
          'Retry-After': String(result.retryAfterSeconds),
        });
      }
      if (result.outcome === 'busy') {
        throw new ProblemError(503, 'busy', 'Too many sign-ins at once: try again shortly.', undefined, {
          'Retry-After': String(result.retryAfterSeconds),
        });
      }
      if (result.outcome === 'wrong_credentials') {
        throw new ProblemError(401, 'bad_credentials', 'The e-mail address or password is wrong.');
      }
      setSessionCookie(c, result.token, secureCookies);
      return c.json({ token: result.token, user: result.user });
    })
    .delete('/session', staffOnly, async (c) => {
      // The session ends at once, for the cookie of the same sign-in too.
      await signOut(services, { user: c.get('user'), sessionHash: c.get('sessionHash') });
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.body(null, 204);
    })
    .get('/queue', staffOnly, async (c) => {
      const user = c.get('user');
      const { prisonId } = readQuery(c, queueQuery);
      refuseUnlessMaySeeVisits(user, prisonId);
      const seen = prisonsSeenBy(user);
      const prisons = prisonId ? [prisonId] : seen === 'all' ? rules.list().map((p) => p.id) : seen;
      const { requested, cancellations } = await queueOf(db, prisons);
      return c.json({ requested: requested.map(summaryView), cancellations: cancellations.map(summaryView) });
    })
    .get('/visits/:reference', staffOnly, async (c) =>
      c.json(staffView(await visibleVisit(db, c.get('user'), c.req.param('reference')))),
    )
    .post('/visits/:reference/decision', staffOnly, async (c) => {
      const user = c.get('user');
      const visit = await actionableVisit(c.req.param('reference'), user);
      const body = await readJson(c, decision);
      await visits.decide(visit.reference, body, staffActor(user), idempotencyKey(c));
      return c.json(staffView((await findVisit(db, visit.reference)) ?? visit));
    })
    .post('/visits/:reference/cancel', staffOnly, async (c) => {
      const visit = await actionableVisit(c.req.param('reference'), c.get('user'));
      const { reasons } = await readJson(c, staffCancellation);
      await visits.cancelByStaff(visit.reference, reasons, staffActor(c.get('user')), idempotencyKey(c));
      return c.json(staffView((await findVisit(db, visit.reference)) ?? visit));
    })
    .post('/visits/:reference/cancellation-confirmed', staffOnly, async (c) => {
      const visit = await actionableVisit(c.req.param('reference'), c.get('user'));
      const key = idempotencyKey(c); // checked even when there is nothing left to do
      if (visit.cancellationConfirmed) return c.json(staffView(visit));
      await visits.confirmCancellation(visit.reference, staffActor(c.get('user')), key);
      return c.json(staffView((await findVisit(db, visit.reference)) ?? visit));
    })
    .post('/visits/:reference/change', staffOnly, async (c) => {
      const visit = await actionableVisit(c.req.param('reference'), c.get('user'));
      const { slot } = await readJson(c, timeChange);
      await visits.changeVisit(visit, slot, staffActor(c.get('user')), idempotencyKey(c));
      return c.json(staffView((await findVisit(db, visit.reference)) ?? visit));
    })
    .post('/visits/:reference/visitors', staffOnly, async (c) => {
      const visit = await actionableVisit(c.req.param('reference'), c.get('user'));
      const { additionalVisitors } = await readJson(c, visitorsChange);
      await visits.changeVisitors(visit, additionalVisitors, staffActor(c.get('user')), idempotencyKey(c));
      return c.json(staffView((await findVisit(db, visit.reference)) ?? visit));
    })
    .post('/visits/:reference/messages', staffOnly, async (c) => {
      const visit = await actionableVisit(c.req.param('reference'), c.get('user'));
      const { body } = await readJson(c, staffMessage);
      await visits.sendMessage(visit.reference, body, staffActor(c.get('user')), idempotencyKey(c));
      return c.json(staffView((await findVisit(db, visit.reference)) ?? visit), 201);
    })
    .get('/performance/assisted-digital', staffOnly, async (c) => {
      const { from, to } = readQuery(c, performanceQuery);
      return c.json(await assistedFiguresFor(services, c.get('user'), from, to));
    })
    .get('/search', staffOnly, async (c) => {
      const user = c.get('user');
      const { q } = readQuery(c, searchQuery);
      const found = (await searchVisits(db, user, q)) ?? []; // searchQuery admits only terms it can search by
      return c.json({ visits: found.map((visit) => summaryView(visit)) });
    });
}

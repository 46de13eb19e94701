// The staff API: sign in, the queue, a visit in full, and decisions. Every read and write checks the prison.
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import type { Filter } from 'mongodb';
import { visitsCollection, type VisitDocument } from '../activities/readModel';
import { decide } from '../workflows/messages';
import type { Services } from './app';
import { ProblemError } from './problem';
import { decision, signIn } from './schemas';
import { canSeePrison, issueToken, requireStaff, SESSION_COOKIE, SESSION_SECONDS, type StaffEnv } from './session';
import { signInStaff } from './staffAccounts';
import { readJson } from './validation';
import { idempotencyKey } from './visits';
import { runCommand } from './visitCommands';
import { findVisit, staffView, summaryView } from './visitViews';

export function staffRoutes(services: Services) {
  const { db, session, secureCookies } = services;

  const staffOnly = requireStaff(db, session);

  /** The visit named in the path, if the signed-in user may see its prison; else 404, to reveal nothing. */
  async function visibleVisit(reference: string, user: StaffEnv['Variables']['user']): Promise<VisitDocument> {
    const visit = await findVisit(db, reference);
    if (!visit || !canSeePrison(user, visit.prisonId)) {
      throw new ProblemError(404, 'not_found', 'There is no visit with this reference at your prisons.');
    }
    return visit;
  }

  return new Hono<StaffEnv>()
    .post('/session', async (c) => {
      const { email, password } = await readJson(c, signIn);
      const user = await signInStaff(db, email, password);
      if (!user) throw new ProblemError(401, 'bad_credentials', 'The e-mail address or password is wrong.');
      const token = issueToken(user.email, session);
      setCookie(c, SESSION_COOKIE, token, {
        httpOnly: true,
        secure: secureCookies,
        sameSite: 'Lax',
        path: '/',
        maxAge: SESSION_SECONDS,
      });
      return c.json({ token, user });
    })
    .get('/queue', staffOnly, async (c) => {
      const user = c.get('user');
      const prisonId = c.req.query('prisonId');
      if (prisonId !== undefined && !canSeePrison(user, prisonId)) {
        throw new ProblemError(403, 'not_your_prison', 'You do not work at this prison.');
      }
      const prisons: Filter<VisitDocument> = prisonId
        ? { prisonId }
        : user.role === 'admin'
          ? {}
          : { prisonId: { $in: user.prisons } };
      const visits = visitsCollection(db);
      const [requested, cancellations] = await Promise.all([
        visits
          .find({ ...prisons, status: 'requested' })
          .sort({ submittedAt: 1 })
          .limit(500)
          .toArray(),
        visits
          .find({ ...prisons, status: 'cancelled', 'cancellation.by': 'visitor', cancellationConfirmed: { $ne: true } })
          .sort({ submittedAt: 1 })
          .limit(500)
          .toArray(),
      ]);
      const now = new Date();
      return c.json({
        requested: requested.map((visit) => summaryView(visit, now)),
        cancellations: cancellations.map((visit) => summaryView(visit, now)),
      });
    })
    .get('/visits/:reference', staffOnly, async (c) =>
      c.json(staffView(await visibleVisit(c.req.param('reference'), c.get('user')))),
    )
    .post('/visits/:reference/decision', staffOnly, async (c) => {
      const user = c.get('user');
      if (user.role === 'policy') throw new ProblemError(403, 'forbidden', 'Policy users cannot decide visits.');
      const visit = await visibleVisit(c.req.param('reference'), user);
      const body = await readJson(c, decision);
      await runCommand(services, visit.reference, decide, [{ decision: body, staff: { email: user.email } }], {
        updateId: idempotencyKey(c),
        whenEnded: () => {
          throw new ProblemError(409, 'already_processed', 'This visit has already been processed.');
        },
      });
      return c.json(staffView((await findVisit(db, visit.reference)) ?? visit));
    });
}

// What follows the prisoner's record, for the JSON API and the staff pages alike: the "needs review" list of a prison,
// "no change needed", a prisoner's visiting orders and staff adjustments to them, and the changes the prisoner service
// tells (`POST /api/prisoner-events`). Each action is written once here; the pages call the same.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { tellVisits } from '../activities/prisonerChanges';
import { findVisit, reviewListOf, visitsOfPrisoner } from '../activities/readModel/lookups';
import { balanceOf, hasLedgerEntry, ledgerOf } from '../activities/readModel/visitingOrders';
import type { VisitDocument } from '../activities/readModel/visits';
import { prisonerEvent, type PrisonerRecord } from '../rules/prisonerRecord';
import { PRISON_NUMBER } from '../rules/shapes';
import { visitClient } from '../workflows/client';
import { openReview } from '../workflows/visit';
import { refuseUnlessMayChangeVisits, refuseUnlessMaySeeVisits, visibleVisit, prisonsSeenBy } from './access';
import { fieldError, invalid, ProblemError } from './problem';
import { reviewItem, visitingOrderAdjustment, visitingOrdersView, type StaffUser } from './schemas';
import type { Services } from './services';
import { requireStaff, type StaffEnv } from './session';
import { readJson } from './validation';
import { idempotencyKey } from './visits';
import { staffView } from './visitViews';

/** A visit under review as the list shows it. */
export function reviewItemOf(visit: VisitDocument): z.infer<typeof reviewItem> {
  const review = openReview(visit);
  return {
    reference: visit.reference,
    prisonId: visit.prisonId,
    status: visit.status,
    prisonerName: `${visit.prisoner.firstName} ${visit.prisoner.lastName}`,
    prisonerNumber: visit.prisoner.number,
    ...(visit.slotGranted ? { slotGranted: visit.slotGranted } : {}),
    since: review?.since ?? '',
    changes: (review?.changes ?? []).map(({ kind, detail, detailCy, at, source }) => ({
      kind,
      detail,
      ...(detailCy ? { detailCy } : {}),
      at,
      source,
    })),
  };
}

/** The "needs review" list of a prison the user works at. */
export async function reviewListFor(services: Services, user: StaffUser, prisonId: string) {
  refuseUnlessMaySeeVisits(user, prisonId);
  return (await reviewListOf(services.db, prisonId)).map(reviewItemOf);
}

/** "No change needed" on a visit under review, by a member of staff who may change its visits. */
export async function markNoChangeNeeded(services: Services, user: StaffUser, reference: string, key?: string) {
  refuseUnlessMayChangeVisits(user);
  const visit = await visibleVisit(services.db, user, reference);
  await visitClient(services).noChangeNeeded(visit.reference, { email: user.email }, key);
  return (await findVisit(services.db, visit.reference)) ?? visit;
}

/**
 * A prisoner's visiting orders, for staff of the prison their record places them at, or of a prison where they have a
 * visit still open (the record may not answer); else 404, which says nothing of prisoners elsewhere. A number not
 * shaped like one is refused, naming it, before anything is asked of the prisoner service.
 */
export async function visitingOrdersFor(
  services: Services,
  user: StaffUser,
  prisonerNumber: string,
): Promise<z.infer<typeof visitingOrdersView> & { record?: PrisonerRecord }> {
  refuseUnlessMaySeeVisits(user);
  const number = prisonerNumber.replace(/\s+/g, '').toUpperCase();
  if (!PRISON_NUMBER.test(number)) throw invalid([fieldError('number', 'invalid_prison_number')]);
  const [visits, check, balance, entries] = await Promise.all([
    visitsOfPrisoner(services.db, number, prisonsSeenBy(user)),
    services.prisonerService?.find(number) ?? Promise.resolve({ status: 'not_configured' as const }),
    balanceOf(services.db, number),
    ledgerOf(services.db, number),
  ]);
  const record = check.status === 'found' ? check.record : undefined;
  const seen = prisonsSeenBy(user);
  const atTheirPrison = record && (seen === 'all' || seen.includes(record.prisonId));
  const openVisit = visits.some(
    (visit) => visit.status === 'requested' || (visit.status === 'booked' && !visit.completedAt),
  );
  if (!atTheirPrison && !openVisit) {
    throw new ProblemError(404, 'not_found', 'There is no prisoner with this number at your prisons.');
  }
  // The ledger's balance while its period is the record's; a record of a later period starts afresh.
  const statement = record?.visitingOrders;
  const current = balance && (!statement || (balance.renewsOn ?? '') >= statement.renewsOn);
  return {
    prisonerNumber: number,
    ...(current
      ? { balance: balance.balance, ...(balance.renewsOn ? { renewsOn: balance.renewsOn } : {}) }
      : statement
        ? { balance: statement.balance, renewsOn: statement.renewsOn }
        : {}),
    ...(record?.legalStatus ? { remand: record.legalStatus === 'remand' } : {}),
    recordChecked: check.status === 'found' || check.status === 'not_found',
    mayAdjust: Boolean(atTheirPrison),
    entries: entries.map(({ _id: _, prisonerNumber: __, ...entry }) => entry),
    ...(record ? { record } : {}),
  };
}

/**
 * Staff add or take away orders with a reason; a repeat with the same key changes nothing. `seen` is the prisoner's
 * orders as `visitingOrdersFor` gave them to this user (which checked they may see them), read once by the caller.
 */
export async function adjustVisitingOrders(
  services: Services,
  user: StaffUser,
  seen: Awaited<ReturnType<typeof visitingOrdersFor>>,
  adjustment: z.infer<typeof visitingOrderAdjustment>,
  key: string,
) {
  refuseUnlessMayChangeVisits(user, 'adjust visiting orders');
  // Only the prison that holds the prisoner adjusts their orders.
  if (!seen.mayAdjust) {
    throw new ProblemError(
      403,
      'not_your_prisoner',
      'Only staff of the prison that holds the prisoner adjust their orders.',
    );
  }
  const id = createHash('sha256').update(`${user.email}\n${key}`).digest('hex').slice(0, 32);
  const result = await visitClient(services).adjustVisitingOrders(seen.prisonerNumber, {
    id,
    amount: adjustment.amount,
    reason: adjustment.reason,
    by: user.email,
    ...(seen.record?.visitingOrders ? { statement: seen.record.visitingOrders } : {}),
  });
  if (!result.adjusted) {
    throw new ProblemError(409, 'below_zero', 'That would leave fewer than no visiting orders.', [
      fieldError('amount', 'below_zero', 'That would leave fewer than no visiting orders'),
    ]);
  }
  // The ledger writes its entries to the read model just after: a moment's wait, so that what answers shows it.
  const deadline = Date.now() + 3_000;
  while (!(await hasLedgerEntry(services.db, seen.prisonerNumber, `adjusted.${id}`)) && Date.now() < deadline) {
    await new Promise((wait) => setTimeout(wait, 50));
  }
  return result;
}

/** Whether the request carries the prisoner-events token, compared in constant time. */
function hasEventsToken(c: Context, token: string | undefined): boolean {
  const given = /^Bearer (.+)$/.exec(c.req.header('Authorization') ?? '')?.[1];
  if (!token || !given) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}

export function prisonerRecordRoutes(services: Services) {
  const staffOnly = requireStaff(services.db, services.session);
  return new Hono<StaffEnv>()
    .get('/prisons/:prisonId/review', staffOnly, async (c) =>
      c.json({ visits: await reviewListFor(services, c.get('user'), c.req.param('prisonId')) }),
    )
    .post('/visits/:reference/no-change-needed', staffOnly, async (c) =>
      c.json(staffView(await markNoChangeNeeded(services, c.get('user'), c.req.param('reference'), idempotencyKey(c)))),
    )
    .get('/prisoners/:number/visiting-orders', staffOnly, async (c) => {
      const { record: _, ...view } = await visitingOrdersFor(services, c.get('user'), c.req.param('number'));
      return c.json(view);
    })
    .post('/prisoners/:number/visiting-orders/adjustments', staffOnly, async (c) => {
      // Who may, before what they sent is read.
      refuseUnlessMayChangeVisits(c.get('user'), 'adjust visiting orders');
      const seen = await visitingOrdersFor(services, c.get('user'), c.req.param('number'));
      const key = idempotencyKey(c);
      if (!key) throw invalid([fieldError('Idempotency-Key', 'required')]);
      const body = await readJson(c, visitingOrderAdjustment);
      await adjustVisitingOrders(services, c.get('user'), seen, body, key);
      // Read again: the ledger's new entry and balance.
      const { record: _, ...view } = await visitingOrdersFor(services, c.get('user'), seen.prisonerNumber);
      return c.json(view, 201);
    });
}

/** `POST /api/prisoner-events`: a change to a prisoner's record, from the prisoner service or an operator. */
export function prisonerEventRoutes(services: Services) {
  return new Hono().post('/', async (c) => {
    if (!hasEventsToken(c, services.prisonerEventsToken)) {
      throw new ProblemError(401, 'unauthorised', 'Send the prisoner-events token as a bearer token.');
    }
    const event = await readJson(c, prisonerEvent);
    const told = await tellVisits(services.db, visitClient(services).prisonerChanged, event, 'event');
    return c.json({ visits: told }, 202);
  });
}

// What a signed-in member of staff may see and do, decided here once for the JSON API and the staff pages alike.
import type { Db } from 'mongodb';
import { findVisit } from '../activities/readModel/lookups';
import type { VisitDocument } from '../activities/readModel/visits';
import { ProblemError } from './problem';
import type { StaffUser } from './schemas';

/** Whether a user may see and act on a prison's visits. */
export function canSeePrison(user: StaffUser, prisonId: string): boolean {
  return user.role === 'admin' || user.prisons.includes(prisonId);
}

/** The prisons whose visits a user sees: every one for an admin, else those they work at. */
export function prisonsSeenBy(user: StaffUser): string[] | 'all' {
  return user.role === 'admin' ? 'all' : user.prisons;
}

/**
 * Refuses (403) a policy user's attempt to change a visit: they read visits to write rules, but do not decide them.
 * `doing` names the change in the refusal, e.g. "decide visits".
 */
export function refuseUnlessMayChangeVisits(user: StaffUser, doing = 'change visits'): void {
  if (user.role === 'policy') throw new ProblemError(403, 'forbidden', `Policy users cannot ${doing}.`);
}

/** Refuses (403) the policy preview to prison staff: it is for the policy and admin users who write the rules. */
export function refuseUnlessMayPreviewRules(user: StaffUser): void {
  if (user.role === 'staff') throw new ProblemError(403, 'forbidden', 'Only policy and admin users can preview rules.');
}

/** Refuses (403) anyone but the admin role: what is the whole service's, such as visitors' feedback. `doing` names it. */
export function refuseUnlessAdmin(user: StaffUser, doing: string): void {
  if (user.role !== 'admin') throw new ProblemError(403, 'forbidden', `Only admin users can ${doing}.`);
}

/**
 * Refuses (403) visits to the policy role, and a prison's visits (when `prisonId` is given) to a user who does not
 * work there. The policy role writes rule files and tries them on sample requests: least privilege keeps visitors'
 * and prisoners' details from them. Every route that shows a visit, a queue, a search or a list of visits calls this
 * (or `visibleVisit`, which does).
 */
export function refuseUnlessMaySeeVisits(user: StaffUser, prisonId?: string): void {
  if (user.role === 'policy') {
    throw new ProblemError(403, 'forbidden', 'Policy users work on rule files: they do not see visits.');
  }
  if (prisonId !== undefined && !canSeePrison(user, prisonId)) {
    throw new ProblemError(403, 'not_your_prison', 'You do not work at this prison.');
  }
}

/**
 * The visit with this reference, if the user may see its prison; else 404, which reveals nothing of other prisons.
 * The policy role sees no visit (403).
 */
export async function visibleVisit(db: Db, user: StaffUser, reference: string): Promise<VisitDocument> {
  refuseUnlessMaySeeVisits(user);
  const visit = await findVisit(db, reference);
  if (!visit || !canSeePrison(user, visit.prisonId)) {
    throw new ProblemError(404, 'not_found', 'There is no visit with this reference at your prisons.');
  }
  return visit;
}

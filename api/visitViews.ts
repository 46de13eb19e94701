// What the visitor and the staff see of a visit, read from the read model.
import type { Db } from 'mongodb';
import { findVisit, visitsOfPrisoner } from '../activities/readModel/lookups';
import type { VisitDocument } from '../activities/readModel/visits';
import { visitorCancellation } from '../workflows/visit';
import type { z } from 'zod';
import type { publicVisit, StaffUser, staffVisit, visitSummary } from './schemas';
import { canSeePrison, prisonsSeenBy, refuseUnlessMaySeeVisits } from './access';

export function publicView(visit: VisitDocument, now = new Date()): z.infer<typeof publicVisit> {
  const action = visitorCancellation(visit, now);
  return {
    reference: visit.reference,
    prisonId: visit.prisonId,
    status: visit.status,
    slotOptions: visit.slotOptions,
    ...(visit.slotGranted ? { slotGranted: visit.slotGranted } : {}),
    confirmBy: visit.confirmBy,
    ...(visit.closed !== undefined ? { closed: visit.closed } : {}),
    visitors: visit.visitors.map(({ firstName, lastName, outcome }) => ({
      firstName,
      lastName,
      ...(outcome ? { allowed: outcome === 'allowed' } : {}),
    })),
    ...(visit.rejection
      ? {
          rejection: {
            reasons: visit.rejection.reasons,
            auto: visit.rejection.auto,
            ...(visit.rejection.explanations ? { explanations: visit.rejection.explanations } : {}),
          },
        }
      : {}),
    ...(visit.cancellation ? { cancellation: visit.cancellation } : {}),
    canWithdraw: action === 'withdraw',
    canCancel: action === 'cancel',
    timeline: visit.timeline.map(({ status, at, by }) => ({ status, at, by })),
  };
}

export function staffView(visit: VisitDocument, now = new Date()): z.infer<typeof staffVisit> {
  return {
    ...publicView(visit, now),
    prisoner: visit.prisoner,
    visitors: visit.visitors,
    contact: visit.contact,
    ...(visit.referenceNo ? { referenceNo: visit.referenceNo } : {}),
    ...(visit.rejection ? { rejection: visit.rejection } : {}),
    ...(visit.eligibility ? { eligibility: visit.eligibility } : {}),
    messages: visit.messages,
    ...(visit.changes?.length ? { changes: visit.changes } : {}),
    channel: visit.channel ?? 'web',
    ...(visit.assistedMinutes !== undefined ? { assistedMinutes: visit.assistedMinutes } : {}),
    ...(visit.assistedOrganisation ? { assistedOrganisation: visit.assistedOrganisation } : {}),
    ...(visit.support ? { support: visit.support } : {}),
    overdue: visit.overdue === true,
    ...(visit.reviews?.length ? { reviews: visit.reviews } : {}),
    needsReview: visit.needsReview === true,
    ...(visit.visitingOrder ? { visitingOrder: visit.visitingOrder } : {}),
    ...(visit.cancellationConfirmed !== undefined ? { cancellationConfirmed: visit.cancellationConfirmed } : {}),
    ...(visit.completedAt ? { completedAt: visit.completedAt } : {}),
    submittedAt: visit.submittedAt,
    timeline: visit.timeline,
  };
}

export function summaryView(visit: VisitDocument): z.infer<typeof visitSummary> {
  return {
    reference: visit.reference,
    prisonId: visit.prisonId,
    status: visit.status,
    prisonerName: `${visit.prisoner.firstName} ${visit.prisoner.lastName}`,
    slotOptions: visit.slotOptions,
    confirmBy: visit.confirmBy,
    overdue: visit.overdue === true,
    submittedAt: visit.submittedAt,
    flags: [
      ...(visit.eligibility?.flags.map((finding) => finding.flag) ?? []),
      ...(visit.eligibility?.closedVisit ? ['closed_visit'] : []),
    ],
  };
}

/**
 * A search by prison number (any spacing or case) or by reference, at the prisons the user works at: undefined when
 * `q` is neither.
 */
export async function searchVisits(db: Db, user: StaffUser, q: string): Promise<VisitDocument[] | undefined> {
  refuseUnlessMaySeeVisits(user);
  const wanted = q.replace(/\s+/g, '').toUpperCase();
  if (/^[0-9A-Z]{8}$/.test(wanted)) {
    const visit = await findVisit(db, wanted);
    return visit && canSeePrison(user, visit.prisonId) ? [visit] : [];
  }
  if (!/^[A-Z]\d{4}[A-Z]{2}$/.test(wanted)) return undefined;
  return visitsOfPrisoner(db, wanted, prisonsSeenBy(user));
}

// The read model: one document per visit in MongoDB, written only by the workflow's activities.
import type { Db } from 'mongodb';
import { londonClock } from '../../rules/londonTime';
import { openReview, type Visit } from '../../workflows/visit';
import { CONTACT_CHECK } from '../../rules/contacts';
import type { Eligibility } from '../../rules/eligibility';
import { queries } from './queries';

/**
 * A visit as the workflow keeps it, with top-level copies of what the queries filter on (`queries.ts`): FerretDB
 * pushes down only filters on top-level fields, so the nested ones (`prisoner.number`, the timeline) are copied up.
 */
export type VisitDocument = Visit & {
  _id: string;
  savedAt: Date;
  anonymisedAt?: string;
  prisonerNumber: string;
  /** London dates: submitted, booked for, decided (booked or rejected), and the story ended (see `finishedOn`). */
  submittedOn: string;
  slotDate?: string;
  decidedOn?: string;
  finishedOn?: string;
  /** A visitor's cancellation that staff are still to confirm in the prison's records. */
  cancellationToConfirm: boolean;
  /** Requested, or booked and not yet over: a change to the prisoner's record reaches it. */
  open: boolean;
  /** Flagged by a change to the prisoner's record, until staff deal with it. */
  needsReview: boolean;
  anonymised: boolean;
};

/** The top-level fields a visit's document adds for its queries. */
export type QueryFields = Omit<VisitDocument, keyof Visit | '_id' | 'savedAt' | 'anonymisedAt'>;

export function visitsCollection(db: Db) {
  return db.collection<VisitDocument>('visits');
}

const londonDate = (instant: string) => londonClock(new Date(instant)).date;

/** Whether a change to the prisoner's record still reaches the visit, and whether it waits for staff's review. */
function openAndReview(visit: Visit): Pick<QueryFields, 'open' | 'needsReview'> {
  const open = visit.status === 'requested' || (visit.status === 'booked' && !visit.completedAt);
  return { open, needsReview: open && openReview(visit) !== undefined };
}

/**
 * The query fields of a visit. Its story ends, for retention, when it reaches its end, except that a visitor's
 * cancellation ends when staff confirm it: its personal data is kept until then.
 */
export function queryFields(visit: Visit, anonymised = false): QueryFields {
  const decision = visit.timeline.find((entry) => entry.status === 'booked' || entry.status === 'rejected');
  const toConfirm = visit.status === 'cancelled' && visit.cancellation?.by === 'visitor';
  const ended = toConfirm ? visit.cancellationConfirmedAt : visit.finishedAt;
  return {
    prisonerNumber: visit.prisoner.number,
    submittedOn: londonDate(visit.submittedAt),
    ...(visit.slotGranted ? { slotDate: visit.slotGranted.slice(0, 10) } : {}),
    ...(decision ? { decidedOn: londonDate(decision.at) } : {}),
    ...(ended ? { finishedOn: londonDate(ended) } : {}),
    cancellationToConfirm: toConfirm && visit.cancellationConfirmed !== true,
    ...openAndReview(visit),
    anonymised,
  };
}

/**
 * Saves a copy of a visit unless the read model already holds this version or a later one, so that retries and
 * late, out-of-order saves never take the read model backwards. One round trip: a replace of the document whose
 * version is older, or an insert when there is none; a clash on `_id` means a copy as new or newer is there.
 *
 * A visit's workflow runs its saves one at a time, so the only save that can overlap another is an attempt Temporal
 * has given up on and retried. An attempt writes only until `writeBy`, half its time (the activity passes it),
 * long before its successor can start, let alone a later save. FerretDB does not isolate a write from another to
 * the same document (docs/decisions/0002); this keeps them from meeting.
 */
export async function saveVisit(db: Db, visit: Visit, writeBy = Infinity): Promise<void> {
  if (Date.now() > writeBy) throw new Error('this attempt is out of time: a retry saves the visit');
  const document: VisitDocument = { ...visit, ...queryFields(visit), _id: visit.reference, savedAt: new Date() };
  try {
    await visitsCollection(db).replaceOne(
      { ...queries.visitByReference.filter(visit.reference), version: { $lt: visit.version } },
      document,
      { upsert: true },
    );
  } catch (error) {
    // The upsert found no older copy and its insert clashed on _id (11000 on MongoDB, 1 on FerretDB): a copy of
    // this version or a later one is saved.
    const code = (error as { code?: number }).code;
    if (code !== 11000 && code !== 1) throw error;
    const saved = await visitsCollection(db).findOne(queries.visitByReference.filter(visit.reference), {
      projection: { version: 1 },
    });
    if (!saved || saved.version < visit.version) throw error;
  }
}

/** How many other requested and booked visits a prisoner has, and how many were asked for in the 28 days before. */
export async function earlierVisits(
  db: Db,
  prisonerNumber: string,
  exceptReference: string,
  before: Date,
): Promise<{ requested: number; booked: number; inLast28Days: number }> {
  const since = new Date(before.getTime() - 28 * 86_400_000).toISOString();
  const others = await visitsCollection(db)
    .find(queries.earlierVisits.filter(prisonerNumber, exceptReference), {
      projection: { status: 1, submittedAt: 1 },
    })
    .limit(1000)
    .toArray();
  return {
    requested: others.filter((visit) => visit.status === 'requested').length,
    booked: others.filter((visit) => visit.status === 'booked').length,
    inLast28Days: others.filter((visit) => visit.submittedAt >= since && visit.submittedAt < before.toISOString())
      .length,
  };
}

const ANONYMISED = 'Anonymised';

/** The findings of the check of the visitors against the prisoner's contacts name them: their words go. */
function withoutNames(eligibility: Eligibility): Eligibility {
  const { visitors: _, ...rest } = eligibility;
  const blank = <Finding extends { rule: string; explanation: string }>(finding: Finding): Finding =>
    finding.rule === CONTACT_CHECK ? { ...finding, explanation: '' } : finding;
  return {
    ...rest,
    flags: rest.flags.map(blank),
    rejections: rest.rejections.map((rejection) => {
      const { explanationCy: __, ...blanked } = blank(rejection);
      return rejection.rule === CONTACT_CHECK ? blanked : rejection;
    }),
    ...(rest.closedVisit ? { closedVisit: blank(rest.closedVisit) } : {}),
  };
}

/** Removes the personal data of the visits whose story ended on `date`, and the e-mails sent about them. */
export async function anonymiseVisitsFinishedOn(db: Db, date: string): Promise<number> {
  const visits = visitsCollection(db);
  const finished = await visits.find(queries.dueForAnonymising.filter(date)).limit(50_000).toArray();
  for (const visit of finished) {
    await visits.updateOne(queries.visitByReference.filter(visit._id), {
      $set: {
        prisoner: { firstName: ANONYMISED, lastName: ANONYMISED, dateOfBirth: '', number: '' },
        prisonerNumber: '',
        visitors: visit.visitors.map((visitor) => ({
          firstName: ANONYMISED,
          lastName: ANONYMISED,
          dateOfBirth: '',
          ...(visitor.outcome ? { outcome: visitor.outcome } : {}),
        })),
        contact: { email: '', phone: '' },
        messages: visit.messages.map((message) => ({ ...message, body: '' })),
        // The checks of the visitors against the prisoner's contacts name them, as may what changed in the record.
        ...(visit.eligibility ? { eligibility: withoutNames(visit.eligibility) } : {}),
        ...(visit.reviews
          ? {
              reviews: visit.reviews.map((review) => ({
                ...review,
                // A restriction's id is a hash of the visitor's name: it goes too.
                changes: review.changes.map(({ detailCy: _, ...change }) => ({ ...change, id: '', detail: '' })),
              })),
            }
          : {}),
        accessTokenHash: '',
        anonymised: true,
        anonymisedAt: new Date().toISOString(),
      },
      // What the visitors said they need (health, disability) goes with their names.
      $unset: {
        'rejection.detail': '',
        'rejection.explanations': '',
        'rejection.explanationsCy': '',
        'rejection.changeId': '',
        support: '',
      },
    });
    await db.collection('outbox').deleteMany(queries.emailsOfVisit.filter(visit.reference));
  }
  return finished.length;
}

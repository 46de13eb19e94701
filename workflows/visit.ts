// One visit request as the workflow keeps it and the read model stores it, and the pure rules that change it.
// No I/O here: the workflow applies these functions and hands the result to an activity to save.
import type { Decision, Submission } from '../rules/shapes';
import type { CancellationReason, Channel, RejectionReason, VisitorOutcome, VisitStatus } from '../rules/vocabulary';
import { refusals, type Refusal } from '../rules/refusals';
import type { Eligibility } from '../rules/eligibility';
import type { PrisonerChangeKind } from '../rules/prisonerRecord';
import { slotTimes } from '../rules/londonTime';
import { noOrdersLeft } from '../rules/orderWords';

export type Actor = 'visitor' | 'staff' | 'system';

export interface TimelineEntry {
  status: VisitStatus;
  at: string;
  by: Actor;
  /** The staff user's e-mail when `by` is staff. */
  actor?: string;
}

export interface VisitorRecord {
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  outcome?: VisitorOutcome;
  bannedUntil?: string;
}

export interface StaffMessageRecord {
  body: string;
  at: string;
  by: string;
}

/** A change staff made to a booked visit: when, by whom, and what changed. */
export interface VisitChange {
  at: string;
  /** The staff user's e-mail. */
  by: string;
  /** Moved to another time. */
  slot?: { from: string; to: string };
  /** Other visitors with the lead visitor: how many came in all, before and after (no names, which are anonymised). */
  visitors?: { from: number; to: number };
}

/**
 * Something that changed in the prisoner's record (or a date the prison blocked) after the visit was asked for, told
 * by the prisoner service's event, the daily re-check or staff. A request still waiting for staff is rejected with
 * `rejectAs`; a booked visit goes into the prison's "needs review" list.
 */
export interface PrisonerChange {
  /** The same for the same change however often it is told: a repeat changes nothing. */
  id: string;
  kind: PrisonerChangeKind;
  /** Words for staff, and for the visitor when it rejects their request. */
  detail: string;
  detailCy?: string;
  /** When it happened, as told. */
  at: string;
  source: 'event' | 'recheck' | 'staff';
  /** Absent: a request waiting for staff is flagged for them rather than rejected. */
  rejectAs?: RejectionReason;
}

/** A booked visit flagged for staff by changes to the prisoner's record, and how staff dealt with it. */
export interface Review {
  since: string;
  changes: PrisonerChange[];
  closed?: {
    at: string;
    /** The staff user's e-mail; absent when the visit's own end closed it. */
    by?: string;
    /** `decided`: a flagged request that staff then booked or rejected; `ended`: the visit took place, or ended otherwise. */
    outcome: 'no_change_needed' | 'changed' | 'cancelled' | 'decided' | 'ended';
  };
}

/** The visitors with the lead visitor, as staff enter them. */
export type AdditionalVisitor = Pick<VisitorRecord, 'firstName' | 'lastName' | 'dateOfBirth'>;

export interface Visit {
  reference: string;
  prisonId: string;
  status: VisitStatus;
  /** Goes up by one with every change, so that the read model never takes an older copy over a newer one. */
  version: number;
  prisoner: Submission['prisoner'];
  visitors: VisitorRecord[];
  slotOptions: string[];
  slotGranted?: string;
  referenceNo?: string;
  closed?: boolean;
  confirmBy: string;
  contact: Submission['contact'];
  locale: Submission['locale'];
  accessTokenHash: string;
  submittedAt: string;
  rejection?: {
    reasons: RejectionReason[];
    auto: boolean;
    /** Plain-English words for the visitor, from the eligibility rules that rejected the request. */
    explanations?: string[];
    /** The same in Welsh, when every rule that rejected gives its Welsh. */
    explanationsCy?: string[];
    detail?: string;
    allowanceRenewsOn?: string;
    /** The change to the prisoner's record that rejected it. */
    changeId?: string;
  };
  /** The eligibility check's findings, with the version of the rule file that made them. */
  eligibility?: Eligibility;
  cancellation?: { reasons: CancellationReason[]; by: 'visitor' | 'staff' };
  /** Staff have recorded a visitor's cancellation in the prison's own records, and when. */
  cancellationConfirmed?: boolean;
  cancellationConfirmedAt?: string;
  messages: StaffMessageRecord[];
  /** Changes staff made to the booked visit, oldest first; absent until the first (and on visits saved before them). */
  changes?: VisitChange[];
  /** How the request arrived; for assisted requests, the minutes a helper spent. */
  channel: Channel;
  assistedMinutes?: number;
  /** For assisted requests, the organisation of the helper (a prison's booking line, a visitor centre, a charity). */
  assistedOrganisation?: string;
  /** Sent by a signed-in booker: their account's id, for "Your visits". */
  bookerId?: string;
  /** What the visitors need at the visit, as they said. */
  support?: Submission['support'];
  /**
   * Reviews of the visit after changes to the prisoner's record, oldest first; the last is open until staff deal with
   * it. Absent until the first.
   */
  reviews?: Review[];
  /** A visiting order this visit used from the prisoner's ledger (workflows/visitingOrders.ts), until given back. */
  visitingOrder?: 'used' | 'given_back';
  /** Still undecided after its confirm-by date. */
  overdue?: boolean;
  /** When a booked visit's slot ended. */
  completedAt?: string;
  /** When the story ended (a final state, or the visit took place): retention counts from here. */
  finishedAt?: string;
  timeline: TimelineEntry[];
}

/** What the API hands the workflow when a visitor submits a request. */
export interface VisitRequestInput {
  reference: string;
  submission: Submission;
  confirmBy: string;
  submittedAt: string;
  accessToken: string;
  accessTokenHash: string;
  /** SHA-256 of the submitted body: a retry with the same Idempotency-Key must send the same body. */
  requestHash: string;
  /** SHA-256 of the Idempotency-Key, when the client sent one. */
  idempotencyKeyHash?: string;
  /** Instants worked out from the prison's calendar at submission. */
  deadlines: {
    /** Remind staff of a request still undecided (the prison's processing days before confirm-by). */
    staffReminderAt: string;
    /** The request becomes overdue (the start of the day after confirm-by). */
    overdueAt: string;
  };
  /** Days before a booked visit that the visitor is reminded (the prison's setting). */
  visitorReminderDays: number;
  /** Entered by a helper for the visitor (assisted digital), through a channel other than `web`. */
  assisted?: { channel: Channel; minutes: number; by: string; organisation?: string };
  /**
   * At a prison that books at once (`booking: instant`): the request is booked as soon as its checks pass, unless a
   * rule flags it for staff; `holdId` names the place held for it, which the booking takes over.
   */
  instant?: { holdId?: string };
  /** Sent by a signed-in booker: their account's id. */
  bookerId?: string;
}

/** A staff member acting on a visit. */
export interface StaffActor {
  email: string;
}

export interface StaffDecision {
  decision: Decision;
  staff: StaffActor;
}

export function newVisit(input: VisitRequestInput): Visit {
  const { submission } = input;
  return {
    reference: input.reference,
    prisonId: submission.prisonId,
    status: 'requested',
    version: 1,
    prisoner: submission.prisoner,
    visitors: submission.visitors.map((visitor) => ({ ...visitor })),
    slotOptions: submission.slotOptions,
    confirmBy: input.confirmBy,
    contact: submission.contact,
    locale: submission.locale,
    accessTokenHash: input.accessTokenHash,
    submittedAt: input.submittedAt,
    messages: [],
    channel: input.assisted?.channel ?? 'web',
    ...(input.assisted ? { assistedMinutes: input.assisted.minutes } : {}),
    ...(input.assisted?.organisation ? { assistedOrganisation: input.assisted.organisation } : {}),
    ...(input.bookerId ? { bookerId: input.bookerId } : {}),
    ...(submission.support && (submission.support.needs.length > 0 || submission.support.details)
      ? { support: submission.support }
      : {}),
    timeline: [{ status: 'requested', at: input.submittedAt, by: 'visitor' }],
  };
}

const finalStates: VisitStatus[] = ['rejected', 'withdrawn', 'cancelled'];

function transition(visit: Visit, status: VisitStatus, at: Date, by: Actor, actor?: string): void {
  visit.status = status;
  visit.version += 1;
  visit.timeline.push({ status, at: at.toISOString(), by, ...(actor ? { actor } : {}) });
  if (finalStates.includes(status)) visit.finishedAt = at.toISOString();
}

/** A change that is not a new state (a flag, a message): the version still goes up. */
function touch(visit: Visit): void {
  visit.version += 1;
}

/** Why a command cannot apply to a visit in its present state, or undefined when it can. */
export function decisionRefusal(visit: Visit, decision: Decision, now: Date): Refusal | undefined {
  if (visit.status !== 'requested') return refusals.alreadyProcessed;
  if (decision.outcome === 'reject') return undefined;
  if (!visit.slotOptions.includes(decision.slot)) return refusals.slotNotRequested;
  if (slotTimes(decision.slot).start <= now) return refusals.slotStarted;
  if (decision.visitors.some((v) => v.index >= visit.visitors.length)) return refusals.unknownVisitor;
  return undefined;
}

/** The reasons a decision to accept turns into a rejection, by the rules of the domain. */
function automaticRejection(outcomes: VisitorOutcome[]): RejectionReason[] {
  const lead = outcomes[0];
  const all = (outcome: VisitorOutcome) => outcomes.every((o) => o === outcome);
  if (lead === 'banned' || all('banned')) return ['visitor_banned'];
  if (lead === 'not_on_list' || all('not_on_list')) return ['visitor_not_on_list'];
  if (lead === 'other') return ['visitor_other_reason'];
  return [];
}

/** What accepting would come to: a booking, or an automatic rejection because of who cannot attend. */
export function acceptOutcome(visit: Visit, decision: Extract<Decision, { outcome: 'accept' }>) {
  const outcomes = visit.visitors.map(
    (_, index) => decision.visitors.find((v) => v.index === index)?.status ?? 'allowed',
  );
  return {
    rejectionReasons: automaticRejection(outcomes),
    closed: decision.closed || Boolean(visit.eligibility?.closedVisit),
  };
}

/** Applies a staff decision already checked by `decisionRefusal`. */
export function applyDecision(visit: Visit, { decision, staff }: StaffDecision, now: Date): void {
  closeReview(visit, 'decided', now, staff.email);
  if (decision.outcome === 'reject') {
    visit.rejection = {
      reasons: decision.reasons,
      auto: false,
      ...(decision.detail ? { detail: decision.detail } : {}),
      ...(decision.allowanceRenewsOn ? { allowanceRenewsOn: decision.allowanceRenewsOn } : {}),
    };
    transition(visit, 'rejected', now, 'staff', staff.email);
    return;
  }
  for (const { index, status, bannedUntil } of decision.visitors) {
    visit.visitors[index] = { ...visit.visitors[index], outcome: status, ...(bannedUntil ? { bannedUntil } : {}) };
  }
  const { rejectionReasons, closed } = acceptOutcome(visit, decision);
  if (rejectionReasons.length > 0) {
    visit.rejection = { reasons: rejectionReasons, auto: true };
    transition(visit, 'rejected', now, 'staff', staff.email);
    return;
  }
  visit.visitors.forEach((visitor) => (visitor.outcome ??= 'allowed'));
  visit.slotGranted = decision.slot;
  visit.referenceNo = decision.referenceNo;
  visit.closed = closed;
  transition(visit, 'booked', now, 'staff', staff.email);
}

/**
 * Whether a request at a prison that books at once can be booked now: still requested, one time asked for, and
 * nothing for staff to look at (no rule flagged it; the prisoner's record was found, or there is no service to ask).
 */
export function bookableAtOnce(visit: Visit): boolean {
  const found = visit.eligibility;
  return (
    visit.status === 'requested' &&
    visit.slotOptions.length === 1 &&
    found !== undefined &&
    found.flags.length === 0 &&
    (found.prisonerCheck === 'found' || found.prisonerCheck === 'not_configured')
  );
}

/** Books a request at once, by the service: its one time, closed where the rules said so, every visitor allowed. */
export function applyInstantBooking(visit: Visit, now: Date): void {
  visit.visitors.forEach((visitor) => (visitor.outcome ??= 'allowed'));
  visit.slotGranted = visit.slotOptions[0];
  visit.closed = visit.eligibility?.closedVisit !== undefined;
  transition(visit, 'booked', now, 'system');
}

/** Records the eligibility findings; a rule that rejects ends a request still waiting for staff. */
export function applyEligibility(visit: Visit, eligibility: Eligibility, now: Date): void {
  visit.eligibility = eligibility;
  if (visit.status === 'requested' && eligibility.rejections.length > 0) {
    visit.rejection = {
      reasons: [...new Set(eligibility.rejections.map((r) => r.reason))],
      auto: true,
      explanations: eligibility.rejections.map((r) => r.explanation),
      ...(eligibility.rejections.every((r) => r.explanationCy)
        ? { explanationsCy: eligibility.rejections.map((r) => r.explanationCy ?? '') }
        : {}),
      ...(eligibility.allowanceRenewsOn ? { allowanceRenewsOn: eligibility.allowanceRenewsOn } : {}),
    };
    closeReview(visit, 'ended', now);
    transition(visit, 'rejected', now, 'system');
  } else {
    touch(visit);
  }
}

/** Rejects a request nobody decided before every slot it asked for had started. */
export function applyExpiry(visit: Visit, now: Date): void {
  visit.rejection = { reasons: ['request_expired'], auto: true };
  closeReview(visit, 'ended', now);
  transition(visit, 'rejected', now, 'system');
}

export function markOverdue(visit: Visit): void {
  visit.overdue = true;
  touch(visit);
}

/** The visit has taken place: its slot has ended. */
export function applyCompletion(visit: Visit, now: Date): void {
  visit.completedAt = now.toISOString();
  visit.finishedAt = now.toISOString();
  closeReview(visit, 'ended', now);
  touch(visit);
}

/** Whether the visitor may still withdraw or cancel, and what it would do. */
export function visitorCancellation(visit: Visit, now: Date): 'withdraw' | 'cancel' | 'done' | 'not_cancellable' {
  if (visit.status === 'requested') return 'withdraw';
  if (visit.status === 'booked' && visit.slotGranted && slotTimes(visit.slotGranted).start > now) return 'cancel';
  if (visit.status === 'withdrawn' || (visit.status === 'cancelled' && visit.cancellation?.by === 'visitor')) {
    return 'done';
  }
  return 'not_cancellable';
}

/** Withdraws a requested visit or cancels a booked one for the visitor. */
export function applyVisitorCancellation(visit: Visit, now: Date): void {
  if (visitorCancellation(visit, now) === 'withdraw') {
    closeReview(visit, 'cancelled', now);
    transition(visit, 'withdrawn', now, 'visitor');
  } else {
    visit.cancellation = { reasons: ['visitor_cancelled'], by: 'visitor' };
    closeReview(visit, 'cancelled', now);
    transition(visit, 'cancelled', now, 'visitor');
  }
}

/** Staff cancel a booked visit, at any time before it starts. */
export function staffCancellationRefusal(visit: Visit, now: Date): string | undefined {
  if (visit.status !== 'booked' || !visit.slotGranted || slotTimes(visit.slotGranted).start <= now) {
    return 'not_cancellable';
  }
  return undefined;
}

export function applyStaffCancellation(
  visit: Visit,
  reasons: CancellationReason[],
  staff: StaffActor,
  now: Date,
): void {
  visit.cancellation = { reasons, by: 'staff' };
  closeReview(visit, 'cancelled', now, staff.email);
  transition(visit, 'cancelled', now, 'staff', staff.email);
}

/** Staff confirm a visitor's cancellation is done in the prison's records. */
export function confirmationRefusal(visit: Visit): string | undefined {
  if (visit.status !== 'cancelled' || visit.cancellation?.by !== 'visitor') return 'not_a_visitor_cancellation';
  return undefined;
}

export function applyCancellationConfirmed(visit: Visit, now: Date): void {
  visit.cancellationConfirmed = true;
  visit.cancellationConfirmedAt = now.toISOString();
  touch(visit);
}

/** The kind of place a booked visit holds in its slot. */
export const placeKind = (visit: Pick<Visit, 'closed'>) => (visit.closed ? 'closed' : 'open');

/** Why staff cannot change a visit now, or undefined when they can: only a booked visit, before it starts. */
export function visitChangeRefusal(visit: Visit, now: Date): Refusal | undefined {
  if (visit.status !== 'booked' || !visit.slotGranted || slotTimes(visit.slotGranted).start <= now) {
    return refusals.notChangeable;
  }
  return undefined;
}

/**
 * Why staff cannot move a visit to `slot` now, or undefined when they can: only a booked visit, before it starts, to
 * another time not yet started. Whether the prison offers that time is the rule book's to say (workflows/client.ts).
 */
export function changeRefusal(visit: Visit, slot: string, now: Date): Refusal | undefined {
  const refusal = visitChangeRefusal(visit, now);
  if (refusal) return refusal;
  if (slot === visit.slotGranted) return refusals.slotUnchanged;
  const start = slotTimes(slot).start.getTime();
  if (Number.isNaN(start) || start <= now.getTime()) return refusals.slotUnavailable;
  return undefined;
}

/** Moves a booked visit to another time, once its place there is held; kept as one of the visit's changes. */
export function applyChange(visit: Visit, slot: string, staff: StaffActor, now: Date): void {
  const from = visit.slotGranted ?? slot;
  visit.slotGranted = slot;
  (visit.changes ??= []).push({ at: now.toISOString(), by: staff.email, slot: { from, to: slot } });
  closeReview(visit, 'changed', now, staff.email);
  touch(visit);
}

/**
 * Replaces the visitors who come with the lead visitor (checked against the prison's limits by workflows/client.ts):
 * staff enter them, so each is allowed; the lead visitor, who asked, stays as decided.
 */
export function applyVisitorsChange(visit: Visit, additional: AdditionalVisitor[], staff: StaffActor, now: Date): void {
  const from = visit.visitors.length;
  visit.visitors = [
    visit.visitors[0],
    ...additional.map(({ firstName, lastName, dateOfBirth }) => ({
      firstName,
      lastName,
      dateOfBirth,
      outcome: 'allowed' as const,
    })),
  ];
  (visit.changes ??= []).push({
    at: now.toISOString(),
    by: staff.email,
    visitors: { from, to: visit.visitors.length },
  });
  closeReview(visit, 'changed', now, staff.email);
  touch(visit);
}

/** Staff write to the visitor about a booked visit. */
export function messageRefusal(visit: Visit): string | undefined {
  return visit.status === 'booked' && !visit.completedAt ? undefined : 'not_booked';
}

export function applyMessage(visit: Visit, body: string, staff: StaffActor, now: Date): void {
  visit.messages.push({ body, at: now.toISOString(), by: staff.email });
  touch(visit);
}

/** The review of a visit still open, if any. */
export const openReview = (visit: Pick<Visit, 'reviews'>) => {
  const last = visit.reviews?.at(-1);
  return last && !last.closed ? last : undefined;
};

/**
 * What a change to the prisoner's record does to a visit: rejects a request still waiting for staff (when it says
 * with what reason), or flags a request or a booked visit not yet started for staff; nothing to a visit that has
 * ended, or for a change it has been told already.
 */
export function prisonerChangeEffect(visit: Visit, change: PrisonerChange, now: Date): 'reject' | 'flag' | 'none' {
  const told =
    visit.rejection?.changeId === change.id ||
    (visit.reviews ?? []).some((review) => review.changes.some(({ id }) => id === change.id));
  if (told) return 'none';
  if (visit.status === 'requested') return change.rejectAs ? 'reject' : 'flag';
  if (visit.status === 'booked' && visit.slotGranted && slotTimes(visit.slotGranted).start > now) return 'flag';
  return 'none';
}

/** Applies a change to the prisoner's record, as `prisonerChangeEffect` says. */
export function applyPrisonerChange(visit: Visit, change: PrisonerChange, now: Date): void {
  const effect = prisonerChangeEffect(visit, change, now);
  if (effect === 'reject' && change.rejectAs) {
    visit.rejection = {
      reasons: [change.rejectAs],
      auto: true,
      explanations: [change.detail],
      ...(change.detailCy ? { explanationsCy: [change.detailCy] } : {}),
      changeId: change.id,
    };
    closeReview(visit, 'ended', now);
    transition(visit, 'rejected', now, 'system');
  } else if (effect === 'flag') {
    const review = openReview(visit);
    if (review) review.changes.push(change);
    else (visit.reviews ??= []).push({ since: now.toISOString(), changes: [change] });
    touch(visit);
  }
}

/** Staff can say "no change needed" only of a visit under review. */
export function reviewRefusal(visit: Visit): Refusal | undefined {
  return openReview(visit) ? undefined : refusals.notUnderReview;
}

/** Closes the visit's open review, if it has one: staff dealt with it, or the visit ended. */
export function closeReview(visit: Visit, outcome: NonNullable<Review['closed']>['outcome'], now: Date, by?: string) {
  const review = openReview(visit);
  if (review) review.closed = { at: now.toISOString(), outcome, ...(by ? { by } : {}) };
}

/** Staff found the visit can go ahead as it is. */
export function applyNoChangeNeeded(visit: Visit, staff: StaffActor, now: Date): void {
  closeReview(visit, 'no_change_needed', now, staff.email);
  touch(visit);
}

/** A request that would be booked at once, but the prisoner has no visiting orders left: rejected, saying when. */
export function applyNoOrdersLeft(visit: Visit, renewsOn: string | undefined, now: Date): void {
  const { explanation, explanationCy } = noOrdersLeft(renewsOn);
  visit.rejection = {
    reasons: ['no_allowance'],
    auto: true,
    explanations: [explanation],
    explanationsCy: [explanationCy],
    ...(renewsOn ? { allowanceRenewsOn: renewsOn } : {}),
  };
  closeReview(visit, 'ended', now);
  transition(visit, 'rejected', now, 'system');
}

// Why a command cannot apply to a visit: the workflow refuses with these, the API and the pages answer them. Apart
// from ./vocabulary, and free of zod, because the workflow bundle imports it.
export const refusals = {
  alreadyProcessed: 'already_processed',
  notCancellable: 'not_cancellable',
  idempotencyKeyReused: 'idempotency_key_reused',
  referenceTaken: 'reference_taken',
  slotFull: 'slot_full',
  slotStarted: 'slot_started',
  slotNotRequested: 'slot_not_requested',
  unknownVisitor: 'unknown_visitor',
  notBooked: 'not_booked',
  notAVisitorCancellation: 'not_a_visitor_cancellation',
  /** Staff change only a booked visit whose time has not started (and whose story follows a change, from December 2026). */
  notChangeable: 'not_changeable',
  /** A time the prison does not offer (not in its calendar, started, or past its booking window). */
  slotUnavailable: 'slot_unavailable',
  /** A change to the time the visit already has. */
  slotUnchanged: 'slot_unchanged',
  /** "No change needed" of a visit that is not under review. */
  notUnderReview: 'not_under_review',
  /** Booking would use a visiting order the prisoner does not have. */
  noVisitingOrder: 'no_visiting_order',
} as const;
export type Refusal = (typeof refusals)[keyof typeof refusals];

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
} as const;
export type Refusal = (typeof refusals)[keyof typeof refusals];

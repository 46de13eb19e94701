// The messages of the visit-request workflow, declared once and imported by the API.
// Commands are updates: their validators refuse a command that does not fit the visit's state before it enters
// history, and each handler returns once the read model shows its effect.
import { defineUpdate } from '@temporalio/workflow';
import type { Submitted } from '../api/schemas';
import type { StaffDecision } from './visit';

/** Waits until the new request is in the read model; answers the visitor's submission (sent with the start). */
export const submit = defineUpdate<Submitted, [{ requestHash: string; idempotencyKeyHash?: string }]>('submit');

/** A staff decision to accept or reject. Returns the visit's version after it. */
export const decide = defineUpdate<number, [StaffDecision]>('decide');

/** The visitor withdraws a requested visit or cancels a booked one. Returns whether anything changed. */
export const cancelByVisitor = defineUpdate<boolean, []>('cancelByVisitor');

/** Names of the business failures the updates raise, shared with the API, which maps them to HTTP answers. */
export const refusals = {
  alreadyProcessed: 'already_processed',
  notCancellable: 'not_cancellable',
  idempotencyKeyReused: 'idempotency_key_reused',
  referenceTaken: 'reference_taken',
} as const;

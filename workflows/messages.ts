// The messages of the visit-request workflow, declared once and imported by the API.
// Commands are updates: their validators refuse a command that does not fit the visit's state before it enters
// history, and each handler returns once the read model shows its effect.
import { defineUpdate } from '@temporalio/workflow';
import type { Submitted } from '../rules/shapes';
import type { CancellationReason } from '../rules/vocabulary';
import type { AdditionalVisitor, PrisonerChange, StaffActor, StaffDecision } from './visit';

/** Waits until the new request is in the read model; answers the visitor's submission (sent with the start). */
export const submit = defineUpdate<Submitted, [{ requestHash: string; idempotencyKeyHash?: string }]>('submit');

/** A staff decision to accept or reject. Returns the visit's version after it. */
export const decide = defineUpdate<number, [StaffDecision]>('decide');

/** The visitor withdraws a requested visit or cancels a booked one. Returns whether anything changed. */
export const cancelByVisitor = defineUpdate<boolean, []>('cancelByVisitor');

/** Staff cancel a booked visit with reasons. */
export const cancelByStaff = defineUpdate<number, [{ reasons: CancellationReason[]; staff: StaffActor }]>(
  'cancelByStaff',
);

/** Staff confirm that a visitor's cancellation is done in the prison's own records. */
export const confirmCancellation = defineUpdate<number, [{ staff: StaffActor }]>('confirmCancellation');

/**
 * Staff move a booked visit to another time: the new place is held before the old one is let go, and the visitor is
 * told. Returns the visit's version after it.
 */
export const changeVisit = defineUpdate<number, [{ slot: string; staff: StaffActor }]>('changeVisit');

/** Staff replace the visitors who come with the lead visitor of a booked visit, and the visitor is told. */
export const changeVisitors = defineUpdate<number, [{ visitors: AdditionalVisitor[]; staff: StaffActor }]>(
  'changeVisitors',
);

/** Staff write to the visitor about a booked visit. */
export const sendMessage = defineUpdate<number, [{ body: string; staff: StaffActor }]>('sendMessage');

/**
 * Something changed in the prisoner's record, or the prison blocked the visit's date: a request waiting for staff is
 * rejected (or flagged), a booked visit flagged for review. A repeat of the same change does nothing. Returns the
 * visit's version after it.
 */
export const prisonerChanged = defineUpdate<number, [PrisonerChange]>('prisonerChanged');

/** Staff found a visit under review can go ahead as it is: "no change needed". */
export const noChangeNeeded = defineUpdate<number, [{ staff: StaffActor }]>('noChangeNeeded');

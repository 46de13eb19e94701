// Tells a visit's workflow of a change to its prisoner's record (or a date its prison blocked): for the API, the pages
// and the daily re-check alike. Apart from ./client, which the activities do not import.
import { createHash } from 'node:crypto';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { refusals } from '../rules/refusals';
import { prisonerChanged } from './messages';
import type { PrisonerChange } from './visit';

/** Returns the visit's version after it; 0 when its story has ended, or is ending, and takes no notice. */
export async function tellOfChange(
  temporal: Client,
  reference: string,
  change: PrisonerChange,
  timeoutMs: number,
): Promise<number> {
  try {
    return await temporal.connection.withDeadline(Date.now() + timeoutMs, () =>
      temporal.workflow.getHandle(`visit-${reference}`).executeUpdate(prisonerChanged, {
        args: [change],
        // The same change to the same visit is one update, however often it is told.
        updateId: `prisonerChanged-${createHash('sha256').update(`${reference}.${change.id}`).digest('hex')}`,
      }),
    );
  } catch (error) {
    const ending =
      error instanceof WorkflowUpdateFailedError &&
      error.cause instanceof ApplicationFailure &&
      error.cause.type === refusals.alreadyProcessed;
    const ended =
      error instanceof WorkflowNotFoundError ||
      (error instanceof Error && /workflow execution already completed/i.test(error.message));
    if (ending || ended) return 0;
    throw error;
  }
}

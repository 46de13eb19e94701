// Sending the visitor's and the staff's commands to the visit-request workflows, and turning Temporal's answers
// into HTTP ones.
import { createHash, randomBytes } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import { refusals } from '../rules/refusals';
import { submit } from '../workflows/messages';
import type { VisitRequestInput } from '../workflows/visit';
import { visitRequest } from '../workflows/visitRequest';
import { fieldError, invalid, ProblemError } from './problem';
import type { Submission, Submitted } from '../rules/shapes';

export interface WorkflowDeps {
  temporal: Client;
  taskQueue: string;
  /** How long a command may wait for Temporal before the API answers 503 (the client retries with its key). */
  commandTimeoutMs: number;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 8 characters of Crockford base 32 from the first 40 bits of `bytes`. */
function toReference(bytes: Buffer): string {
  let value = bytes.readUIntBE(0, 5);
  let reference = '';
  for (let i = 0; i < 8; i++) {
    reference = CROCKFORD[value % 32] + reference;
    value = Math.floor(value / 32);
  }
  return reference;
}

/** The reference a request tries at each attempt: from its Idempotency-Key when it has one, else at random. */
export function referenceFor(idempotencyKey: string | undefined, attempt: number): string {
  return toReference(
    idempotencyKey === undefined
      ? randomBytes(5)
      : createHash('sha256').update(`${idempotencyKey}:${attempt}`).digest(),
  );
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export const workflowId = (reference: string) => `visit-${reference}`;

/** A command the workflow refused: its refusal's name, if that is what the error is. */
function refusalOf(error: unknown): string | undefined {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    return error.cause.type ?? undefined;
  }
  return undefined;
}

/** Whether the workflow has ended (or never was), so that it takes no more commands. */
function isEnded(error: unknown): boolean {
  return (
    error instanceof WorkflowNotFoundError ||
    (error instanceof Error && /workflow execution already completed/i.test(error.message))
  );
}

/**
 * Starts the workflow of a new visit request and waits until the read model shows it.
 * With an Idempotency-Key, the reference is derived from the key, so a retry reaches the same workflow and gets
 * the same answer; a reference already used by another request moves on to the next one derived from the key.
 */
export async function submitVisit(
  { temporal, taskQueue, commandTimeoutMs }: WorkflowDeps,
  submission: Submission,
  schedule: Pick<VisitRequestInput, 'confirmBy' | 'deadlines' | 'visitorReminderDays'>,
  idempotencyKey: string | undefined,
  assisted?: VisitRequestInput['assisted'],
): Promise<Submitted> {
  const requestHash = sha256(JSON.stringify(submission));
  const idempotencyKeyHash = idempotencyKey === undefined ? undefined : sha256(idempotencyKey);
  const accessToken = randomBytes(32).toString('base64url');
  for (let attempt = 0; attempt < 8; attempt++) {
    const reference = referenceFor(idempotencyKey, attempt);
    const input: VisitRequestInput = {
      reference,
      submission,
      ...schedule,
      submittedAt: new Date().toISOString(),
      accessToken,
      accessTokenHash: sha256(accessToken),
      requestHash,
      idempotencyKeyHash,
      ...(assisted ? { assisted } : {}),
    };
    try {
      const deadline = Date.now() + commandTimeoutMs;
      return await temporal.connection.withDeadline(deadline, () =>
        temporal.workflow.executeUpdateWithStart(submit, {
          args: [{ requestHash, idempotencyKeyHash }],
          // Temporal answers a repeated update id from its first run, so the id carries the body's hash: the same
          // body gets the first answer, a different one reaches the validator, which refuses it.
          updateId: `submit-${requestHash}`,
          startWorkflowOperation: new WithStartWorkflowOperation(visitRequest, {
            workflowId: workflowId(reference),
            taskQueue,
            args: [input],
            workflowIdConflictPolicy: idempotencyKey === undefined ? 'FAIL' : 'USE_EXISTING',
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          }),
        }),
      );
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal === refusals.idempotencyKeyReused) {
        throw invalid([fieldError('Idempotency-Key', 'idempotency_key_reused')]);
      }
      if (refusal === refusals.referenceTaken) continue;
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        if (idempotencyKey === undefined) continue;
        // A finished request holds this reference: this key's, retried too late, or another request's.
        throw new ProblemError(
          409,
          'idempotency_key_expired',
          'A request with this Idempotency-Key has already ended; look it up by its reference.',
        );
      }
      throw error;
    }
  }
  throw new Error('no free reference found after 8 attempts');
}

/** Runs a command on a visit's workflow; `whenEnded` answers when the workflow takes no more commands. */
export async function runCommand<Ret, Args extends unknown[]>(
  { temporal, commandTimeoutMs }: WorkflowDeps,
  reference: string,
  update: UpdateDefinition<Ret, Args>,
  args: Args,
  options: { updateId?: string; whenEnded: () => Promise<Ret> },
): Promise<Ret> {
  const handle = temporal.workflow.getHandle(workflowId(reference));
  try {
    // The SDK types updates with and without arguments apart; `args` here fits `update` by this function's signature.
    return await temporal.connection.withDeadline(Date.now() + commandTimeoutMs, () =>
      handle.executeUpdate(update as unknown as UpdateDefinition<Ret, [unknown]>, {
        args: args as unknown as [unknown],
        // Scoped to the command, so one key sent with two different commands cannot answer the second from the first.
        ...(options.updateId ? { updateId: `${update.name}-${sha256(options.updateId)}` } : {}),
      }),
    );
  } catch (error) {
    const refusal = refusalOf(error);
    const conflicts: string[] = [
      refusals.alreadyProcessed,
      refusals.notCancellable,
      refusals.slotFull,
      refusals.slotStarted,
      refusals.notBooked,
      refusals.notAVisitorCancellation,
    ];
    if (refusal && conflicts.includes(refusal)) {
      throw new ProblemError(409, refusal, `This visit cannot change so: ${refusal.replaceAll('_', ' ')}.`);
    }
    if (refusal) throw invalid([fieldError(refusal === refusals.unknownVisitor ? 'visitors' : 'slot', refusal)]);
    if (isEnded(error)) return options.whenEnded();
    throw error;
  }
}

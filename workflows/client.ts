// The one client of the visit-request workflows, for the API and the pages alike: submit a request (checked against
// its prison's rules, scheduled by its calendar, started), and one function for each command. A command the
// workflow refuses throws `Refused`, a request the rules refuse `NotValid`; the API answers them as problems
// (api/problem.ts), the pages as messages. Not part of the workflow bundle (workflows/index.ts).
import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import type { Db } from 'mongodb';
import { blockedOfPrison } from '../activities/readModel/blockedDates';
import { findVisit } from '../activities/readModel/lookups';
import { linkAddressHash } from '../activities/readModel/visitLinks';
import { changeableSlots, isBlocked, requestSchedule, type BlockedTime } from '../rules/calendar';
import { londonClock } from '../rules/londonTime';
import { refusals, type Refusal } from '../rules/refusals';
import type { RuleBook } from '../rules/ruleBook';
import type { CancellationReason, Locale } from '../rules/vocabulary';
import type { Decision, Submission, Submitted } from '../rules/shapes';
import { checkSubmission, visitorProblems, type SubmissionProblem } from '../rules/submission';
import {
  cancelByStaff,
  cancelByVisitor,
  changeVisit,
  changeVisitors,
  confirmCancellation,
  decide,
  noChangeNeeded,
  sendMessage,
  submit,
} from './messages';
import type { AdditionalVisitor, PrisonerChange, StaffActor, Visit, VisitRequestInput } from './visit';
import type { VisitingOrderStatement } from '../rules/prisonerRecord';
import { adjustOrders, visitingOrders, visitingOrdersWorkflowId } from './visitingOrders';
import { tellOfChange } from './tellOfChange';
import { signInLink, signInWorkflowId } from './signInLink';
import { visitLink } from './visitLink';
import { visitRequest } from './visitRequest';

/** A command the workflow refused, by its refusal; `field`, when the refusal is about one field of the command. */
export class Refused extends Error {
  readonly field: string | undefined;
  constructor(readonly code: Refusal | 'idempotency_key_expired') {
    super(`the visit refused the command: ${code}`);
    this.name = 'Refused';
    this.field = fieldOf[code];
  }
}

const fieldOf: Partial<Record<Refused['code'], string>> = {
  [refusals.slotNotRequested]: 'slot',
  [refusals.slotUnavailable]: 'slot',
  [refusals.slotUnchanged]: 'slot',
  [refusals.unknownVisitor]: 'visitors',
  [refusals.idempotencyKeyReused]: 'Idempotency-Key',
};

/** A visit request its prison's rules refuse (or a prison not in the rule book), with each problem. */
export class NotValid extends Error {
  constructor(readonly problems: SubmissionProblem[]) {
    super('the visit request does not fit its prison’s rules');
    this.name = 'NotValid';
  }
}

export interface WorkflowDeps {
  temporal: Client;
  taskQueue: string;
  rules: RuleBook;
  /** How long a command may wait for Temporal before the API answers 503 (the client retries with its key). */
  commandTimeoutMs: number;
  /** Keys the ids of the new-link workflows, which Temporal keeps in clear (`linkWorkflowId`). */
  session: { secret: string };
  /** The read model, for the dates and sessions a prison's staff blocked; none: nothing is blocked. */
  db?: Db;
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
function refusalOf(error: unknown): Refusal | undefined {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const type = error.cause.type ?? undefined;
    return Object.values(refusals).find((refusal) => refusal === type);
  }
  return undefined;
}

/** Whether the workflow has ended (or never was), so that it takes no more commands. */
export function isEnded(error: unknown): boolean {
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
async function start(
  { temporal, taskQueue, commandTimeoutMs }: WorkflowDeps,
  submission: Submission,
  schedule: Pick<VisitRequestInput, 'confirmBy' | 'deadlines' | 'visitorReminderDays' | 'instant'>,
  idempotencyKey: string | undefined,
  by: Pick<VisitRequestInput, 'assisted' | 'bookerId'>,
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
      ...(by.assisted ? { assisted: by.assisted } : {}),
      ...(by.bookerId ? { bookerId: by.bookerId } : {}),
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
      if (refusal === refusals.idempotencyKeyReused) throw new Refused(refusal);
      if (refusal === refusals.referenceTaken) continue;
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        if (idempotencyKey === undefined) continue;
        // A finished request holds this reference: this key's, retried too late, or another request's.
        throw new Refused('idempotency_key_expired');
      }
      throw error;
    }
  }
  throw new Error('no free reference found after 8 attempts');
}

/** Runs a command on a visit's workflow; `whenEnded` answers when the workflow takes no more commands. */
async function runCommand<Ret, Args extends unknown[]>(
  { temporal, commandTimeoutMs }: Pick<WorkflowDeps, 'temporal' | 'commandTimeoutMs'>,
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
    if (refusal) throw new Refused(refusal);
    if (isEnded(error)) return options.whenEnded();
    throw error;
  }
}

/**
 * The id of a new-link workflow: the visit's, and the address's hash keyed by the service's secret. Workflow ids are
 * kept in clear by Temporal (not payloads, which are encrypted): an unkeyed hash of a reference and an address would
 * let whoever reads them test guessed addresses.
 */
export function linkWorkflowId(secret: string, reference: string, addressHash: string): string {
  const keyed = createHmac('sha256', `visit-link-id:${secret}`).update(addressHash).digest('hex');
  return `visit-link-${reference}-${keyed.slice(0, 32)}`;
}

/**
 * Asks for a new link to a visit to be e-mailed to its contact address, if `email` is that address; the answer is the
 * same whether it is or not (the worker compares). The workflow's id is the visit's and the address's: a request made
 * again while the first holds its id (workflows/visitLink.ts) joins it.
 */
async function requestLink(deps: WorkflowDeps, reference: string, email: string) {
  const { temporal, taskQueue, commandTimeoutMs } = deps;
  const addressHash = linkAddressHash(reference, email);
  await temporal.connection.withDeadline(Date.now() + commandTimeoutMs, () =>
    temporal.workflow.start(visitLink, {
      workflowId: linkWorkflowId(deps.session.secret, reference, addressHash),
      taskQueue,
      args: [{ reference, addressHash }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    }),
  );
}

/**
 * Asks for a sign-in link to be e-mailed to a booker. The workflow's id is the account's: asking again while the
 * first holds its id (a minute, workflows/signInLink.ts) joins it, and sends nothing more.
 */
export async function requestSignInLink(deps: WorkflowDeps, bookerId: string, locale: Locale): Promise<void> {
  const { temporal, taskQueue, commandTimeoutMs } = deps;
  await temporal.connection.withDeadline(Date.now() + commandTimeoutMs, () =>
    temporal.workflow.start(signInLink, {
      workflowId: signInWorkflowId(bookerId),
      taskQueue,
      args: [{ bookerId, locale }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    }),
  );
}

/** A visit whose workflow has ended takes no more commands: refused as `code`. */
const ended = (code: Refusal) => async (): Promise<never> => {
  throw new Refused(code);
};

export type VisitClient = ReturnType<typeof visitClient>;

/** The visit workflows' client. `key`: the command's Idempotency-Key, so that a retry is not run twice. */
export function visitClient(deps: WorkflowDeps) {
  const blockedOf = async (prisonId: string): Promise<readonly BlockedTime[]> =>
    deps.db ? blockedOfPrison(deps.db, prisonId) : [];
  return {
    /** Checks a request against its prison's rules and calendar, schedules its deadlines and starts its workflow. */
    async submit(
      submission: Submission,
      options: {
        idempotencyKey?: string;
        assisted?: VisitRequestInput['assisted'];
        /** A signed-in booker's account, whose visits list this one. */
        bookerId?: string;
        today: string;
      },
    ): Promise<Submitted> {
      const prison = deps.rules.get(submission.prisonId);
      const problems = checkSubmission(submission, prison, options.today, await blockedOf(submission.prisonId));
      if (problems.length > 0 || !prison) throw new NotValid(problems);
      const schedule = requestSchedule(prison, options.today);
      // A prison that books at once: its workflow books the request (taking over the place held for it) unless the
      // rules flag it for staff.
      const instant =
        prison.booking === 'instant' ? { ...(submission.holdId ? { holdId: submission.holdId } : {}) } : undefined;
      return start(deps, submission, { ...schedule, ...(instant ? { instant } : {}) }, options.idempotencyKey, {
        assisted: options.assisted,
        bookerId: options.bookerId,
      });
    },
    /** Decides a request; a time its prison's staff have since blocked cannot be accepted. */
    async decide(reference: string, decision: Decision, staff: StaffActor, key?: string): Promise<number> {
      if (decision.outcome === 'accept' && deps.db) {
        const visit = await findVisit(deps.db, reference);
        if (visit && isBlocked(await blockedOf(visit.prisonId), decision.slot)) {
          throw new Refused(refusals.slotUnavailable);
        }
      }
      return runCommand(deps, reference, decide, [{ decision, staff }], {
        updateId: key,
        whenEnded: ended(refusals.alreadyProcessed),
      });
    },
    cancelByStaff: (reference: string, reasons: CancellationReason[], staff: StaffActor, key?: string) =>
      runCommand(deps, reference, cancelByStaff, [{ reasons, staff }], {
        updateId: key,
        whenEnded: ended(refusals.notCancellable),
      }),
    confirmCancellation: (reference: string, staff: StaffActor, key?: string) =>
      runCommand(deps, reference, confirmCancellation, [{ staff }], {
        updateId: key,
        whenEnded: ended(refusals.notAVisitorCancellation),
      }),
    /**
     * Moves a booked visit to another time its prison offers now (the rule book's calendar, which the workflow does
     * not read): the one action behind the API's change and the staff page's form.
     */
    async changeVisit(
      visit: { reference: string; prisonId: string },
      slot: string,
      staff: StaffActor,
      key?: string,
    ): Promise<number> {
      const prison = deps.rules.get(visit.prisonId);
      const offered = prison && changeableSlots(prison, new Date()).includes(slot);
      if (!offered || isBlocked(await blockedOf(visit.prisonId), slot)) throw new Refused(refusals.slotUnavailable);
      return runCommand(deps, visit.reference, changeVisit, [{ slot, staff }], {
        updateId: key,
        whenEnded: ended(refusals.notChangeable),
      });
    },
    /**
     * Replaces the visitors who come with a booked visit's lead visitor, within its prison's limits (ages today, as at
     * a submission): the one action behind the API's change and the staff page's. Problems name `additionalVisitors`.
     */
    async changeVisitors(
      visit: Pick<Visit, 'reference' | 'prisonId' | 'visitors'>,
      additional: AdditionalVisitor[],
      staff: StaffActor,
      key?: string,
    ): Promise<number> {
      const prison = deps.rules.get(visit.prisonId);
      if (!prison) throw new NotValid([{ path: 'prisonId', code: 'unknown_prison' }]);
      const problems = visitorProblems([visit.visitors[0], ...additional], prison, londonClock(new Date()).date)
        .filter((problem) => !problem.path.startsWith('visitors.0.')) // the lead visitor stays as they were
        .map((problem) => ({
          ...problem,
          path: problem.path.replace(/^visitors(?:\.(\d+))?/, (_, n: string | undefined) =>
            n === undefined ? 'additionalVisitors' : `additionalVisitors.${Number(n) - 1}`,
          ),
        }));
      if (problems.length > 0) throw new NotValid(problems);
      return runCommand(deps, visit.reference, changeVisitors, [{ visitors: additional, staff }], {
        updateId: key,
        whenEnded: ended(refusals.notChangeable),
      });
    },
    sendMessage: (reference: string, body: string, staff: StaffActor, key?: string) =>
      runCommand(deps, reference, sendMessage, [{ body, staff }], {
        updateId: key,
        whenEnded: ended(refusals.notBooked),
      }),
    /**
     * Tells a visit of a change to its prisoner's record (or a date its prison blocked): the one action behind the
     * prisoner-change events, the daily re-check and blocked dates. A visit whose story has ended takes no notice.
     */
    prisonerChanged: (reference: string, change: PrisonerChange) =>
      tellOfChange(deps.temporal, reference, change, deps.commandTimeoutMs),
    /** Staff found a visit under review can go ahead as it is. */
    noChangeNeeded: (reference: string, staff: StaffActor, key?: string) =>
      runCommand(deps, reference, noChangeNeeded, [{ staff }], {
        updateId: key,
        whenEnded: ended(refusals.notUnderReview),
      }),
    /**
     * Staff add or take away a prisoner's visiting orders, with a reason; `id` (the form's own) makes a repeat
     * change nothing. Refused when it would leave fewer than none.
     */
    async adjustVisitingOrders(
      prisonerNumber: string,
      adjustment: { id: string; amount: number; reason: string; by: string; statement?: VisitingOrderStatement },
    ): Promise<{ adjusted: boolean; balance?: number }> {
      return deps.temporal.connection.withDeadline(Date.now() + deps.commandTimeoutMs, () =>
        deps.temporal.workflow.executeUpdateWithStart(adjustOrders, {
          args: [adjustment],
          updateId: `adjust-${sha256(adjustment.id)}`,
          startWorkflowOperation: new WithStartWorkflowOperation(visitingOrders, {
            workflowId: visitingOrdersWorkflowId(deps.taskQueue, prisonerNumber),
            taskQueue: deps.taskQueue,
            args: [{ prisonerNumber }],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        }),
      );
    },
    /** Withdraws or cancels the visitor's visit; a visit whose story has ended has nothing left to withdraw. */
    cancelByVisitor: (reference: string, key?: string) =>
      runCommand(deps, reference, cancelByVisitor, [], { updateId: key, whenEnded: async () => false }),
    /** E-mails a new link to the visit if `email` is its contact address; says nothing of whether it is. */
    requestLink: (reference: string, email: string) => requestLink(deps, reference, email),
  };
}

// The story of one visit request: saved as requested, checked against the prison's eligibility rules (which may
// reject it at once), then waiting for staff to decide or the visitor to withdraw; once booked, waiting for the
// visit to happen or to be cancelled.
import { ApplicationFailure, allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { slotTimes } from '../rules/londonTime';
import { cancelByVisitor, decide, refusals, submit } from './messages';
import {
  applyDecision,
  applyEligibility,
  applyVisitorCancellation,
  decisionRefusal,
  newVisit,
  visitorCancellation,
  type Visit,
  type VisitRequestInput,
} from './visit';

const { saveVisit, checkEligibility } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
});

function refuse(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

export async function visitRequest(input: VisitRequestInput): Promise<Visit['status']> {
  const visit = newVisit(input);
  let savedVersion = 0;
  let saving: Promise<unknown> = Promise.resolve();

  /**
   * Saves the visit to the read model and resolves with the version saved, once the read model shows it.
   * Saves run one at a time (FerretDB does not isolate concurrent writes to a document), and a save that finds a
   * later version already saved does nothing.
   */
  function save(): Promise<number> {
    const version = visit.version;
    const run = saving.then(async () => {
      if (savedVersion >= version) return;
      const snapshot = JSON.parse(JSON.stringify(visit)) as Visit;
      await saveVisit(snapshot);
      savedVersion = snapshot.version;
    });
    saving = run.catch(() => undefined);
    return run.then(() => version);
  }

  setHandler(
    submit,
    async () => {
      await condition(() => savedVersion >= 1);
      return {
        reference: visit.reference,
        status: 'requested' as const,
        confirmBy: visit.confirmBy,
        accessToken: input.accessToken,
        statusUrl: `/api/visits/${visit.reference}`,
      };
    },
    {
      validator: ({ requestHash, idempotencyKeyHash }) => {
        if (idempotencyKeyHash !== input.idempotencyKeyHash) refuse(refusals.referenceTaken, 'reference in use');
        if (requestHash !== input.requestHash) refuse(refusals.idempotencyKeyReused, 'a different request');
      },
    },
  );

  // A decision waits for the eligibility check (its findings, such as a closed visit, shape the decision); once
  // one is waiting, any other is refused as already processed.
  let deciding = false;
  setHandler(
    decide,
    async (command) => {
      deciding = true;
      try {
        await condition(() => visit.eligibility !== undefined || visit.status !== 'requested');
        const refusal = decisionRefusal(visit, command.decision);
        if (refusal) refuse(refusal, `the decision cannot apply: ${refusal}`);
        applyDecision(visit, command, new Date());
      } finally {
        deciding = false;
      }
      return save();
    },
    {
      validator: ({ decision }) => {
        const refusal = deciding ? refusals.alreadyProcessed : decisionRefusal(visit, decision);
        if (refusal) refuse(refusal, `the decision cannot apply: ${refusal}`);
      },
    },
  );

  setHandler(
    cancelByVisitor,
    async () => {
      if (visitorCancellation(visit, new Date()) === 'done') return false;
      applyVisitorCancellation(visit, new Date());
      await save();
      return true;
    },
    {
      validator: () => {
        if (visitorCancellation(visit, new Date()) === 'not_cancellable') {
          refuse(refusals.notCancellable, `a ${visit.status} visit cannot be cancelled`);
        }
      },
    },
  );

  await save();
  applyEligibility(visit, await checkEligibility(JSON.parse(JSON.stringify(visit)) as Visit), new Date());
  await save();
  await condition(() => visit.status !== 'requested');
  if (visit.status === 'booked' && visit.slotGranted) {
    const untilVisitEnds = slotTimes(visit.slotGranted).end.getTime() - Date.now();
    await condition(() => visit.status !== 'booked', Math.max(untilVisitEnds, 1));
  }
  await condition(allHandlersFinished);
  return visit.status;
}

// The story of one visit request. Saved as requested and the visitor told; checked against the prison's
// eligibility rules (which may reject it at once); then waiting for staff to decide or the visitor to withdraw,
// reminding staff before the confirm-by date, marking it overdue after, and rejecting it as expired once every
// slot it asked for has started. Once booked: the visitor is reminded before the visit, and the story ends when
// the visit has taken place or is cancelled (a visitor's cancellation once staff confirm it in their records).
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { Template } from '../activities/emails/render';
import { slotTimes } from '../rules/londonTime';
import { refusals } from '../rules/refusals';
import {
  cancelByStaff,
  cancelByVisitor,
  changeVisit,
  changeVisitors,
  confirmCancellation,
  decide,
  noChangeNeeded,
  prisonerChanged,
  sendMessage,
  submit,
} from './messages';
import { holdReference } from './placeHold';
import {
  acceptOutcome,
  applyCancellationConfirmed,
  applyChange,
  applyCompletion,
  applyDecision,
  applyEligibility,
  applyInstantBooking,
  bookableAtOnce,
  applyExpiry,
  changeRefusal,
  applyMessage,
  applyNoChangeNeeded,
  applyNoOrdersLeft,
  applyPrisonerChange,
  applyStaffCancellation,
  applyVisitorCancellation,
  applyVisitorsChange,
  confirmationRefusal,
  decisionRefusal,
  markOverdue,
  messageRefusal,
  newVisit,
  placeKind,
  prisonerChangeEffect,
  reviewRefusal,
  staffCancellationRefusal,
  visitChangeRefusal,
  visitorCancellation,
  type Visit,
  type VisitRequestInput,
} from './visit';

type Activities = ReturnType<typeof createActivities>;

const storeCalls = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
} as const;
const { saveVisit, checkEligibility, reserveSlot, releaseSlot } = proxyActivities<Activities>(storeCalls);
// Calls to the prisoner's ledger workflow: short, so that one lost with its worker is tried again soon.
const { useVisitingOrder, giveBackVisitingOrder, moveVisitingOrder } = proxyActivities<Activities>({
  ...storeCalls,
  startToCloseTimeout: '10 seconds',
});
// Short calls to the store and the rules, run by the worker inside the workflow's own task: no round trip through
// the Temporal server for each (docs/decisions/0010).
const local = proxyLocalActivities<Activities>(storeCalls);

/**
 * Visits started before 3 December 2026 save themselves before their eligibility check, with each store and rules call
 * an ordinary activity; they go on doing so. Later ones are checked, then saved, before the visitor hears back.
 */
const LOCAL_STORE_CALLS = 'local-store-calls';

/** Requests at prisons that book at once (from 4 December 2026) are booked by the story itself, as below. */
const INSTANT_BOOKING = 'instant-booking';

/**
 * Visits started from 4 December 2026 can be moved to another time by staff, and their booked phase follows the time
 * they have; older ones wait for the time they were booked for, and refuse a change.
 */
const CHANGES_TIME = 'changes-time';

/**
 * Visits started from 5 December 2026 use one of the prisoner's visiting orders when booked, and give it back when
 * cancelled (workflows/visitingOrders.ts); older ones were booked without.
 */
const VISITING_ORDERS = 'visiting-orders';

// A mail provider that is down is retried with back-off for as long as it takes; the outbox makes retries safe.
const { sendEmail, remindStaff } = proxyActivities<Activities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

function refuse(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

const copy = (visit: Visit) => JSON.parse(JSON.stringify(visit)) as Visit;

export async function visitRequest(input: VisitRequestInput): Promise<Visit['status']> {
  const localStoreCalls = patched(LOCAL_STORE_CALLS);
  // Asked only of requests that may be booked at once, so the histories of all others are as they were.
  const instant = input.instant !== undefined && patched(INSTANT_BOOKING);
  const changesTime = patched(CHANGES_TIME);
  const usesOrders = patched(VISITING_ORDERS);
  const visit = newVisit(input);
  let savedVersion = 0;
  let saving: Promise<unknown> = Promise.resolve();
  const emails: Promise<unknown>[] = [];
  let closing = false;
  /** Refuses any command once the story is ending. */
  const open = (refusal: string) => {
    if (closing) refuse(refusal, 'this visit has ended');
  };

  /**
   * Saves the visit to the read model and resolves with the version saved, once the read model shows it.
   * Saves run one at a time (FerretDB does not isolate concurrent writes to a document), and a save that finds a
   * later version already saved does nothing.
   */
  function save(): Promise<number> {
    const version = visit.version;
    const run = saving.then(async () => {
      if (savedVersion >= version) return;
      const snapshot = copy(visit);
      await (localStoreCalls ? local.saveVisit : saveVisit)(snapshot);
      savedVersion = snapshot.version;
    });
    saving = run.catch(() => undefined);
    return run.then(() => version);
  }

  /** Sends the visitor an e-mail in the background; the story does not wait for the mail provider. */
  function email(key: string, template: Template, message?: string): void {
    emails.push(sendEmail({ key, template, visit: copy(visit), accessToken: input.accessToken, message }));
  }

  /**
   * Whether booking uses a visiting order: when the prisoner's record gave their orders at the check, or says they are
   * on remand. A record that was not read books as before (failing open, like the rest of the check).
   */
  const countsOrders = () => Boolean(visit.eligibility?.orders?.statement || visit.eligibility?.orders?.remand);

  /** Uses one of the prisoner's visiting orders for the visit, booked into `slot`. */
  async function useOrder(slot: string) {
    const used = await useVisitingOrder({
      prisonerNumber: visit.prisoner.number,
      reference: visit.reference,
      visitDate: slot.slice(0, 10),
      ...(visit.eligibility?.orders ? { orders: visit.eligibility.orders } : {}),
    });
    if (used.used) visit.visitingOrder = 'used';
    return used;
  }

  /** Gives back the visiting order the visit used, if it used one. */
  async function giveBackOrder() {
    if (visit.visitingOrder !== 'used') return;
    await giveBackVisitingOrder({ prisonerNumber: visit.prisoner.number, reference: visit.reference });
    visit.visitingOrder = 'given_back';
  }

  /** The e-mail of a decision: booked or rejected. */
  const emailForOutcome = () => email(visit.status, visit.status === 'booked' ? 'booked' : 'rejected');

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

  // A decision waits for the eligibility check (its findings, such as a closed visit, shape the decision) and, to
  // book, for a place in a slot with a capacity; once one is waiting, any other is refused as already processed.
  let deciding = false;
  /** Set while a request at a prison that books at once is being booked by the story (below). */
  let bookingAtOnce = false;
  setHandler(
    decide,
    async (command) => {
      deciding = true;
      try {
        await condition(() => visit.eligibility !== undefined || visit.status !== 'requested');
        // A request being booked at once is not also decided by staff: they see it booked, or theirs if it could not be.
        if (instant) await condition(() => !bookingAtOnce);
        const refusal = decisionRefusal(visit, command.decision, new Date());
        if (refusal) refuse(refusal, `the decision cannot apply: ${refusal}`);
        const { decision } = command;
        if (decision.outcome === 'accept' && acceptOutcome(visit, decision).rejectionReasons.length === 0) {
          const place = { prisonId: visit.prisonId, slot: decision.slot, reference: visit.reference };
          const kind = acceptOutcome(visit, decision).closed ? 'closed' : 'open';
          if (!(await reserveSlot({ ...place, kind }))) refuse(refusals.slotFull, 'the slot is full');
          if (visit.status !== 'requested') {
            await releaseSlot(place);
            refuse(refusals.alreadyProcessed, 'the visitor withdrew meanwhile');
          }
          if (usesOrders && countsOrders()) {
            const used = await useOrder(decision.slot);
            if (!used.used) {
              await releaseSlot(place);
              refuse(refusals.noVisitingOrder, used.renewsOn ? `no visiting orders until ${used.renewsOn}` : used.why);
            }
            if (visit.status !== 'requested') {
              await giveBackOrder();
              await releaseSlot(place);
              refuse(refusals.alreadyProcessed, 'the visitor withdrew meanwhile');
            }
          }
        }
        applyDecision(visit, command, new Date());
      } finally {
        deciding = false;
      }
      emailForOutcome();
      return save();
    },
    {
      validator: ({ decision }) => {
        open(refusals.alreadyProcessed);
        const refusal = deciding ? refusals.alreadyProcessed : decisionRefusal(visit, decision, new Date());
        if (refusal) refuse(refusal, `the decision cannot apply: ${refusal}`);
      },
    },
  );

  setHandler(
    cancelByVisitor,
    async () => {
      const action = visitorCancellation(visit, new Date());
      if (action === 'done') {
        // Done by an earlier command: answer once the read model shows it, as that command will.
        await condition(() => savedVersion >= visit.version);
        return false;
      }
      applyVisitorCancellation(visit, new Date());
      if (action === 'cancel' && visit.slotGranted) {
        await releaseSlot({ prisonId: visit.prisonId, slot: visit.slotGranted, reference: visit.reference });
      }
      if (action === 'cancel') await giveBackOrder();
      await save();
      return true;
    },
    {
      validator: () => {
        const action = visitorCancellation(visit, new Date());
        // A repeat of a withdrawal or cancellation done already changes nothing: answered as done even while the
        // story ends (its handler only waits for the read model, and the story waits for its handlers).
        if (action === 'done') return;
        open(refusals.notCancellable);
        if (action === 'not_cancellable')
          refuse(refusals.notCancellable, `a ${visit.status} visit cannot be cancelled`);
      },
    },
  );

  setHandler(
    cancelByStaff,
    async ({ reasons, staff }) => {
      applyStaffCancellation(visit, reasons, staff, new Date());
      email('cancelled', 'cancelled');
      if (visit.slotGranted) {
        await releaseSlot({ prisonId: visit.prisonId, slot: visit.slotGranted, reference: visit.reference });
      }
      await giveBackOrder();
      return save();
    },
    {
      validator: (_command) => {
        open(refusals.notCancellable);
        const refusal = staffCancellationRefusal(visit, new Date());
        if (refusal) refuse(refusal, `a ${visit.status} visit cannot be cancelled`);
      },
    },
  );

  setHandler(
    confirmCancellation,
    async (_command) => {
      applyCancellationConfirmed(visit, new Date());
      return save();
    },
    {
      validator: (_command) => {
        open(refusals.notAVisitorCancellation);
        const refusal = confirmationRefusal(visit);
        if (refusal) refuse(refusal, 'only a visitor’s cancellation is confirmed');
      },
    },
  );

  // A change holds the new place before it lets the old one go (docs/decisions/0016): the visit always holds one, and
  // the place it is shown booked in is always one it holds. One change at a time: another meanwhile is refused as
  // already processed, as a second decision is.
  let changing = false;
  setHandler(
    changeVisit,
    async ({ slot, staff }) => {
      changing = true;
      try {
        const place = { prisonId: visit.prisonId, reference: visit.reference };
        const reserved = await reserveSlot({ ...place, slot, kind: placeKind(visit) });
        if (!reserved) refuse(refusals.slotFull, 'the slot is full');
        // A remand prisoner's visit counts in its week: the new week must have room (visits using an order only).
        if (visit.visitingOrder === 'used') {
          const moved = await moveVisitingOrder({
            prisonerNumber: visit.prisoner.number,
            reference: visit.reference,
            visitDate: slot.slice(0, 10),
          });
          if (!moved) {
            await releaseSlot({ ...place, slot });
            refuse(refusals.noVisitingOrder, 'the week of the new time is full');
          }
        }
        const refusal = changeRefusal(visit, slot, new Date());
        if (refusal) {
          // Cancelled, or started, while the new place was being held: it goes back (and the week, if it moved).
          if (visit.visitingOrder === 'used' && visit.slotGranted) {
            await moveVisitingOrder({
              prisonerNumber: visit.prisoner.number,
              reference: visit.reference,
              visitDate: visit.slotGranted.slice(0, 10),
            });
          }
          await releaseSlot({ ...place, slot });
          refuse(refusal, `the change cannot apply: ${refusal}`);
        }
        const from = visit.slotGranted;
        // Moved before the old place goes: a cancellation arriving meanwhile gives back the new place, this the old.
        applyChange(visit, slot, staff, new Date());
        if (from) await releaseSlot({ ...place, slot: from });
      } finally {
        changing = false;
      }
      email(`changed-${visit.changes?.length ?? 0}`, 'changed');
      return save();
    },
    {
      validator: ({ slot }) => {
        open(refusals.notChangeable);
        if (!changesTime) refuse(refusals.notChangeable, 'this visit was booked before changes were possible');
        const refusal = changing ? refusals.alreadyProcessed : changeRefusal(visit, slot, new Date());
        if (refusal) refuse(refusal, `the change cannot apply: ${refusal}`);
      },
    },
  );

  // Who comes holds no place of its own (a slot counts visits), so a change of visitors is one step. A new command, not
  // a change to what the story does: visits under way take it as well.
  setHandler(
    changeVisitors,
    async ({ visitors, staff }) => {
      applyVisitorsChange(visit, visitors, staff, new Date());
      email(`changed-${visit.changes?.length ?? 0}`, 'changed');
      return save();
    },
    {
      validator: (_command) => {
        open(refusals.notChangeable);
        const refusal = changing ? refusals.alreadyProcessed : visitChangeRefusal(visit, new Date());
        if (refusal) refuse(refusal, `the change cannot apply: ${refusal}`);
      },
    },
  );

  // A change to the prisoner's record: a request waiting for staff is rejected (the visitor told, as for any
  // rejection) or flagged; a booked visit is flagged for review. A new command, not a change to what the story does.
  setHandler(
    prisonerChanged,
    async (change) => {
      const effect = prisonerChangeEffect(visit, change, new Date());
      if (effect === 'none') {
        await condition(() => savedVersion >= visit.version);
        return visit.version;
      }
      applyPrisonerChange(visit, change, new Date());
      if (effect === 'reject') emailForOutcome();
      return save();
    },
    { validator: (_change) => open(refusals.alreadyProcessed) },
  );

  setHandler(
    noChangeNeeded,
    async ({ staff }) => {
      applyNoChangeNeeded(visit, staff, new Date());
      return save();
    },
    {
      validator: (_command) => {
        open(refusals.notUnderReview);
        const refusal = reviewRefusal(visit);
        if (refusal) refuse(refusal, 'this visit is not under review');
      },
    },
  );

  setHandler(
    sendMessage,
    async ({ body, staff }) => {
      applyMessage(visit, body, staff, new Date());
      email(`message-${visit.messages.length}`, 'message', body);
      return save();
    },
    {
      validator: (_command) => {
        open(refusals.notBooked);
        const refusal = messageRefusal(visit);
        if (refusal) refuse(refusal, 'messages go only to booked visits');
      },
    },
  );

  const until = (instant: string | Date) => Math.max(new Date(instant).getTime() - Date.now(), 1);

  /**
   * Booked: reminds the visitor before the visit and waits for it to take place, following its time when staff change
   * it. Each time gets its reminder, unless it is too near for one (the change's e-mail has told the visitor then).
   */
  async function untilVisited(): Promise<void> {
    const reminded = new Set<string>();
    while (visit.status === 'booked' && visit.slotGranted) {
      const slot = visit.slotGranted;
      const changedOrEnded = () => visit.status !== 'booked' || visit.slotGranted !== slot;
      const { start, end } = slotTimes(slot);
      const remindAt = start.getTime() - input.visitorReminderDays * 86_400_000;
      if (!reminded.has(slot) && remindAt > Date.now()) {
        if (await condition(changedOrEnded, until(new Date(remindAt)))) continue;
        reminded.add(slot);
        email(reminded.size === 1 ? 'reminder' : `reminder-${reminded.size}`, 'reminder');
      }
      if (await condition(changedOrEnded, until(end))) continue;
      applyCompletion(visit, new Date());
      await save();
      return;
    }
  }

  /**
   * Books the request at once in the one time it asked for, taking over the place held for it; a slot that is full
   * (its hold expired and the place was taken) leaves it with staff, to offer another time.
   */
  async function bookAtOnce(): Promise<void> {
    const place = { prisonId: visit.prisonId, slot: visit.slotOptions[0], reference: visit.reference };
    const kind = visit.eligibility?.closedVisit ? 'closed' : 'open';
    const holdId = input.instant?.holdId;
    const reserved = await reserveSlot({ ...place, kind, ...(holdId ? { instead: holdReference(holdId) } : {}) });
    if (!reserved) return;
    if (visit.status === 'requested' && usesOrders && countsOrders()) {
      const used = await useOrder(place.slot);
      if (!used.used) {
        await releaseSlot(place);
        // No orders left: the visitor is told when they can next book. A remand prisoner's full week: left with staff.
        if (used.why === 'no_orders_left' && visit.status === 'requested') {
          applyNoOrdersLeft(visit, used.renewsOn, new Date());
          emailForOutcome();
        }
        return;
      }
    }
    if (visit.status === 'requested') applyInstantBooking(visit, new Date());
    else {
      await giveBackOrder();
      await releaseSlot(place); // withdrawn meanwhile
    }
  }

  if (!localStoreCalls) await save();
  if (!instant) email('received', 'received');
  const eligibility = await (localStoreCalls ? local.checkEligibility : checkEligibility)(copy(visit));
  applyEligibility(visit, eligibility, new Date());
  if (visit.status === 'rejected') emailForOutcome();
  if (instant) {
    bookingAtOnce = bookableAtOnce(visit);
    if (bookingAtOnce) {
      await bookAtOnce();
      bookingAtOnce = false;
    }
    // Booked, rejected (no orders left), or left with staff (flagged, or its time taken): the visitor hears which.
    if (visit.status === 'booked') emailForOutcome();
    else if (visit.status === 'requested') email('received', 'received');
    // The place held for it goes back now, not when the hold runs out: not booked, a place staff book later is
    // reserved then; booked into a closed place (the hold was an open one), the open place is free again. Taken over
    // by the booking, the hold gives back nothing.
    const holdId = input.instant?.holdId;
    if (holdId) {
      await releaseSlot({ prisonId: visit.prisonId, slot: visit.slotOptions[0], reference: holdReference(holdId) });
    }
  }
  await save();

  // Waiting for staff, with the deadlines of the prison's calendar.
  const lastSlotStart = Math.max(...visit.slotOptions.map((slot) => slotTimes(slot).start.getTime()));
  // A deadline already past when the story gets to it still applies (overdue, expired), except a reminder,
  // which would only be noise by then. The staff reminder goes in the background, like the visitor's e-mails.
  const deadlines: { at: number; act: () => Promise<unknown>; onlyOnTime?: boolean }[] = [
    {
      at: Date.parse(input.deadlines.staffReminderAt),
      act: async () => void emails.push(remindStaff(copy(visit))),
      onlyOnTime: true,
    },
    { at: Date.parse(input.deadlines.overdueAt), act: () => (markOverdue(visit), save()) },
    {
      at: lastSlotStart,
      act: async () => {
        applyExpiry(visit, new Date());
        emailForOutcome();
        await save();
      },
    },
  ];
  for (const deadline of deadlines.sort((a, b) => a.at - b.at)) {
    if (visit.status !== 'requested') break;
    if (deadline.at > Date.now()) {
      if (await condition(() => visit.status !== 'requested', until(new Date(deadline.at)))) break;
    } else if (deadline.onlyOnTime) {
      continue;
    }
    await deadline.act();
  }
  await condition(() => visit.status !== 'requested');

  // Booked: remind the visitor, then wait for the visit to take place (or be cancelled).
  if (changesTime) {
    await untilVisited();
  } else if (visit.status === 'booked' && visit.slotGranted) {
    const { start, end } = slotTimes(visit.slotGranted);
    const remindAt = start.getTime() - input.visitorReminderDays * 86_400_000;
    if (remindAt > Date.now() && !(await condition(() => visit.status !== 'booked', until(new Date(remindAt))))) {
      email('reminder', 'reminder');
    }
    if (!(await condition(() => visit.status !== 'booked', until(end)))) {
      applyCompletion(visit, new Date());
      await save();
    }
  }
  if (visit.status === 'cancelled' && visit.cancellation?.by === 'visitor') {
    await condition(() => visit.cancellationConfirmed === true);
  }
  // The story is ending: refuse new commands, so that none is accepted and then lost with the workflow.
  closing = true;
  await condition(allHandlersFinished);
  await save();
  await Promise.all(emails);
  return visit.status;
}

// One prisoner's visiting orders: the ledger of what this service's bookings used from the orders the prison issued
// (the prisoner service's statement of a balance and its renewal date), what cancellations gave back, and staff
// adjustments. One workflow per prisoner handles them one at a time, so two bookings at the same moment cannot both
// use the last order (FerretDB does not isolate concurrent updates, docs/decisions/0002), and each entry is keyed by
// visit and event, so a retried activity or a restarted worker applies it once (docs/decisions/0019). Each entry and
// the balance after it are written to the read model for the pages. Remand prisoners use no orders: they may have
// REMAND_VISITS_PER_WEEK visits in a week instead.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { VisitingOrderStatement } from '../rules/prisonerRecord';

/** Visits a week a remand prisoner may have, whatever their orders. */
export const REMAND_VISITS_PER_WEEK = 3;

export interface LedgerEntry {
  /**
   * Unique in the prisoner's ledger: `<reference>.used`, `<reference>.given_back`, `<reference>.moved.<week>`,
   * `issued.<renewsOn>`, `adjusted.<id>`.
   */
  key: string;
  kind: 'issued' | 'used' | 'given_back' | 'adjusted' | 'moved';
  /** Orders added (positive) or used (negative); 0 for a remand prisoner's visits, counted by week. */
  amount: number;
  balance: number;
  /** The renewal date of the period the entry fell in. */
  renewsOn?: string;
  at: string;
  reference?: string;
  /** A remand prisoner's visit: the Monday of its week. */
  week?: string;
  reason?: string;
  /** The staff user's e-mail, for an adjustment. */
  by?: string;
}

export type UseResult =
  | { used: true; balance?: number; week?: string }
  | { used: false; renewsOn?: string; week?: string; why: 'no_orders_left' | 'week_full' };

export interface UseOrder {
  reference: string;
  /** The prisoner service's statement, when it answered: a later renewal date starts a new period. */
  statement?: VisitingOrderStatement;
  remand: boolean;
  /** The date of the visit, for a remand prisoner's week. */
  visitDate: string;
}

/** Uses an order for a visit being booked (or, for a remand prisoner, a place in the week); a repeat answers again. */
export const useOrder = defineUpdate<UseResult, [UseOrder]>('useOrder');

/** Gives back what a visit used, once, when it is cancelled; false when it used nothing (or gave it back already). */
export const giveBackOrder = defineUpdate<boolean, [{ reference: string }]>('giveBackOrder');

/**
 * A visit moved to another date by staff: a remand prisoner's visit moves to its new week, if that week has room
 * (false if not); any other visit's order stays as it was (true).
 */
export const moveOrder = defineUpdate<boolean, [{ reference: string; visitDate: string }]>('moveOrder');

export interface Adjustment {
  /** Chosen by whoever asks (a form's own id): a repeat changes nothing. */
  id: string;
  amount: number;
  reason: string;
  by: string;
  statement?: VisitingOrderStatement;
}

/** Staff add or take away orders, with a reason; refused (false) where it would leave fewer than none. */
export const adjustOrders = defineUpdate<{ adjusted: boolean; balance?: number }, [Adjustment]>('adjustOrders');

export interface LedgerState {
  /** The period in force: its renewal date and the orders issued for it. */
  period?: VisitingOrderStatement;
  balance?: number;
  /** What each visit used and whether it was given back, by reference. */
  visits: Record<string, { amount: number; renewsOn?: string; week?: string; givenBack?: boolean; at: string }>;
  /** A remand prisoner's visits by week (its Monday). */
  weeks: Record<string, string[]>;
  /** Adjustments applied, by id. */
  adjustments: string[];
  /** Entries made and not yet written to the read model, in order. */
  unsaved: LedgerEntry[];
}

export const ledger = defineQuery<Pick<LedgerState, 'period' | 'balance' | 'weeks'>>('ledger');

export const visitingOrdersWorkflowId = (taskQueue: string, prisonerNumber: string) =>
  `visiting-orders-${taskQueue}-${prisonerNumber}`;

export interface VisitingOrdersInput {
  prisonerNumber: string;
  historyLimit?: number;
  carried?: LedgerState;
}

/** The read model's side of the ledger (activities/index.ts, which imports this file: so named here, not imported). */
interface LedgerActivities {
  saveLedgerEntries(request: { prisonerNumber: string; entries: LedgerEntry[]; version: number }): Promise<void>;
}

// A local activity, as a slot's places are written (decision 0010): the ledger's answer to a booking or a cancellation
// waits until its entries are in the read model, which the visit's own save needs as much.
const { saveLedgerEntries } = proxyLocalActivities<LedgerActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
});

const HISTORY_LIMIT = 2_000;
/** A ledger nobody has used for this long ends; the next use starts afresh from the prisoner service's statement. */
const IDLE_DAYS = 400;

/** The Monday of a date's week (dates as YYYY-MM-DD, by the calendar: no time zone involved). */
export function weekOf(date: string): string {
  const day = new Date(`${date}T12:00:00Z`);
  const back = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - back * 86_400_000).toISOString().slice(0, 10);
}

export async function visitingOrders({
  prisonerNumber,
  historyLimit = HISTORY_LIMIT,
  carried,
}: VisitingOrdersInput): Promise<number> {
  const state: LedgerState = carried ?? { visits: {}, weeks: {}, adjustments: [], unsaved: [] };
  let lastUsed = Date.now();
  const record = (entry: Omit<LedgerEntry, 'at' | 'balance' | 'renewsOn'>) => {
    state.unsaved.push({
      ...entry,
      at: new Date().toISOString(),
      balance: state.balance ?? 0,
      ...(state.period ? { renewsOn: state.period.renewsOn } : {}),
    });
  };
  /** A statement with a later renewal date than the period's starts a new period with the orders it issued. */
  const take = (statement: VisitingOrderStatement | undefined) => {
    lastUsed = Date.now();
    if (!statement || (state.period && statement.renewsOn <= state.period.renewsOn)) return;
    // The first period keeps what staff adjusted before any was known; a later one starts afresh.
    state.balance = statement.balance + (state.period ? 0 : (state.balance ?? 0));
    state.period = statement;
    record({ key: `issued.${statement.renewsOn}`, kind: 'issued', amount: statement.balance });
  };

  setHandler(useOrder, ({ reference, statement, remand, visitDate }): UseResult => {
    take(statement);
    const done = state.visits[reference];
    if (done) return done.week ? { used: true, week: done.week } : { used: true, balance: state.balance };
    if (remand) {
      const week = weekOf(visitDate);
      const visits = (state.weeks[week] ??= []);
      if (visits.length >= REMAND_VISITS_PER_WEEK) return { used: false, week, why: 'week_full' };
      visits.push(reference);
      state.visits[reference] = { amount: 0, week, at: new Date().toISOString() };
      record({ key: `${reference}.used`, kind: 'used', amount: 0, reference, week });
      return { used: true, week };
    }
    // Nothing known of the prisoner's orders (the service did not answer, and never has), or only of a period that has
    // ended: booked, using none, as the check fails open.
    const ended = state.period !== undefined && state.period.renewsOn <= new Date().toISOString().slice(0, 10);
    if (!state.period || ended) return { used: true };
    if ((state.balance ?? 0) <= 0) return { used: false, renewsOn: state.period.renewsOn, why: 'no_orders_left' };
    state.balance = (state.balance ?? 0) - 1;
    state.visits[reference] = { amount: -1, renewsOn: state.period.renewsOn, at: new Date().toISOString() };
    record({ key: `${reference}.used`, kind: 'used', amount: -1, reference });
    return { used: true, balance: state.balance };
  });

  setHandler(giveBackOrder, ({ reference }) => {
    lastUsed = Date.now();
    const used = state.visits[reference];
    if (!used || used.givenBack) return false;
    used.givenBack = true;
    // An order of a period that has ended went with it: nothing to give back to the period in force.
    const amount = used.renewsOn === undefined || used.renewsOn === state.period?.renewsOn ? -used.amount : 0;
    if (used.week) state.weeks[used.week] = (state.weeks[used.week] ?? []).filter((r) => r !== reference);
    else state.balance = (state.balance ?? 0) + amount;
    record({ key: `${reference}.given_back`, kind: 'given_back', amount, reference, week: used.week });
    return true;
  });

  setHandler(moveOrder, ({ reference, visitDate }) => {
    lastUsed = Date.now();
    const used = state.visits[reference];
    if (!used?.week || used.givenBack) return true;
    const week = weekOf(visitDate);
    if (week === used.week) return true;
    const visits = (state.weeks[week] ??= []);
    if (visits.length >= REMAND_VISITS_PER_WEEK) return false;
    visits.push(reference);
    state.weeks[used.week] = (state.weeks[used.week] ?? []).filter((r) => r !== reference);
    record({ key: `${reference}.moved.${week}`, kind: 'moved', amount: 0, reference, week });
    used.week = week;
    return true;
  });

  setHandler(adjustOrders, ({ id, amount, reason, by, statement }) => {
    take(statement);
    if (state.adjustments.includes(id)) return { adjusted: true, balance: state.balance };
    const balance = (state.balance ?? 0) + amount;
    if (balance < 0) return { adjusted: false, balance: state.balance };
    state.balance = balance;
    state.adjustments.push(id);
    record({ key: `adjusted.${id}`, kind: 'adjusted', amount, reason, by });
    return { adjusted: true, balance };
  });

  setHandler(ledger, () => ({ period: state.period, balance: state.balance, weeks: state.weeks }));

  const limit = Math.max(historyLimit, 20);
  const tooLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= limit;
  const idleFor = () => Math.max(lastUsed + IDLE_DAYS * 86_400_000 - Date.now(), 1);
  for (;;) {
    const woke = await condition(() => state.unsaved.length > 0 || tooLong(), idleFor());
    if (state.unsaved.length > 0) {
      const entries = state.unsaved.slice();
      // Versioned by the workflow's clock, which only goes forward, also from one run to a new one after an idle end.
      await saveLedgerEntries({ prisonerNumber, entries, version: Date.now() });
      state.unsaved.splice(0, entries.length);
      continue;
    }
    if (!woke && Date.now() - lastUsed >= IDLE_DAYS * 86_400_000) break;
    if (tooLong()) {
      await condition(allHandlersFinished);
      if (state.unsaved.length > 0) continue;
      await continueAsNew<typeof visitingOrders>({ prisonerNumber, historyLimit, carried: forget(state) });
    }
  }
  await condition(allHandlersFinished);
  return state.balance ?? 0;
}

/** What a new run needs: visits of the last IDLE_DAYS (older ones can no longer be cancelled) and recent weeks. */
function forget(state: LedgerState): LedgerState {
  const since = new Date(Date.now() - IDLE_DAYS * 86_400_000).toISOString();
  const weekSince = weekOf(since.slice(0, 10));
  return {
    ...state,
    visits: Object.fromEntries(Object.entries(state.visits).filter(([, visit]) => visit.at >= since)),
    weeks: Object.fromEntries(Object.entries(state.weeks).filter(([week]) => week >= weekSince)),
    adjustments: state.adjustments.slice(-200),
  };
}

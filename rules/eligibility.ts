// Eligibility: a prison's json-rules-engine rules, plus the checks of the prisoner's record, over the facts of one
// request. The outcome says which rules fired and why, in words staff (and, for rejections, visitors) can read.
import { Engine, type RuleProperties, type RuleResult } from 'json-rules-engine';
import type { RejectionReason } from './vocabulary';
import { addDays } from './londonTime';
import type { Prison } from './prison';
import type { Condition, EligibilityRule } from './schema';
import { ageOn } from './submission';
import { checkVisitors, visitorFindings, type Visitor, type VisitorCheck } from './contacts';
import { noOrdersLeft } from './orderWords';
import type { PrisonerRecord, VisitingOrderStatement } from './prisonerRecord';

export type { PrisonerRecord } from './prisonerRecord';

export type PrisonerCheck =
  | { status: 'found'; record: PrisonerRecord }
  | { status: 'not_found' }
  | { status: 'unavailable' }
  | { status: 'not_configured' };

/** What eligibility is judged on. */
export interface EligibilityInput {
  today: string;
  prisoner: { number: string; lastName: string; dateOfBirth: string };
  visitorDatesOfBirth: string[];
  /** The visitors, lead first: when given, their ages come from here and they are checked against the contacts. */
  visitors?: Visitor[];
  slotOptions: string[];
  check: PrisonerCheck;
  earlierVisits: { requested: number; booked: number; inLast28Days: number };
  /** The visiting orders left once this service's bookings are taken off; absent: not known. */
  visitingOrders?: { balance: number; renewsOn: string; remand?: boolean };
}

export interface Finding {
  rule: string;
  explanation: string;
}

export interface Eligibility {
  /** The content hash of the rule file used. */
  rulesVersion: string;
  prisonerCheck: PrisonerCheck['status'];
  rejections: (Finding & { reason: RejectionReason; explanationCy?: string })[];
  flags: (Finding & { flag: string })[];
  closedVisit?: Finding;
  /**
   * The prisoner's visiting orders as the record gave them (set by the check's activity): what booking the visit uses
   * one of (workflows/visitingOrders.ts). Absent when the record was not found.
   */
  orders?: { statement?: VisitingOrderStatement; remand: boolean };
  /** Where the record placed the prisoner at the check, and their status: a later change is news only if it differs. */
  recordSeen?: { prisonId: string; status?: PrisonerRecord['status'] };
  rulesFired: string[];
  /** Each visitor against the prisoner's contacts, lead first: only when the record lists the contacts. */
  visitors?: VisitorCheck[];
  /** When the prisoner's visiting orders renew, with a `no_allowance` rejection. */
  allowanceRenewsOn?: string;
}

/** How one condition of a rule came out, for `rules -- explain` and the policy preview. */
export interface ConditionTrace {
  test: string;
  actual: unknown;
  result: boolean;
}

export interface RuleTrace {
  rule: string;
  fired: boolean;
  event: EligibilityRule['event'];
  conditions: ConditionTrace[];
}

/** The requested slots' dates, each once. */
const visitDates = (input: EligibilityInput) => [...new Set(input.slotOptions.map((slot) => slot.slice(0, 10)))];

/** Each visitor against the prisoner's contacts, when the request names them and the record lists the contacts. */
export function visitorChecksFor(input: EligibilityInput): VisitorCheck[] | undefined {
  const contacts = input.check.status === 'found' ? input.check.record.contacts : undefined;
  if (!contacts || !input.visitors) return undefined;
  return checkVisitors(input.visitors, contacts, visitDates(input));
}

/** The facts the rules can test; rules/README.md lists them for policy teams. */
export function factsFor(prison: Prison, input: EligibilityInput, checks = visitorChecksFor(input)) {
  const ages = (input.visitors?.map((v) => v.dateOfBirth) ?? input.visitorDatesOfBirth).map((dob) =>
    ageOn(dob, input.today),
  );
  const firstSlot = [...input.slotOptions].sort()[0];
  const record = input.check.status === 'found' ? input.check.record : undefined;
  const exact = checks?.filter((check) => check.match === 'exact') ?? [];
  return {
    request: {
      visitorCount: ages.length,
      adultCount: ages.filter((age) => age >= prison.adultAge).length,
      childCount: ages.filter((age) => age < prison.adultAge).length,
      leadVisitorAge: ages[0],
      slotCount: input.slotOptions.length,
      daysUntilFirstSlot: firstSlot ? daysBetween(input.today, firstSlot.slice(0, 10)) : undefined,
    },
    visitors: ages.map((age, index) => ({
      age,
      match: checks?.[index]?.match,
      banned: checks ? checks[index].banned !== undefined : undefined,
      closed: checks ? checks[index].closed === true : undefined,
    })),
    contacts: {
      checked: checks !== undefined,
      leadVisitorMatch: checks?.[0]?.match,
      notOnList: checks?.filter((check) => check.match === 'none').length,
      nearMatches: checks?.filter((check) => check.match === 'near').length,
      banned: checks ? exact.filter((check) => check.banned).length : undefined,
      closed: checks ? exact.filter((check) => check.closed).length : undefined,
    },
    prisoner: {
      checked: input.check.status === 'found' || input.check.status === 'not_found',
      found: input.check.status === 'found',
      category: record?.category,
      status: record?.status,
      prisonId: record?.prisonId,
      atThisPrison: record ? record.prisonId === prison.id : undefined,
      visitBalance: record?.visitBalance,
      detailsMatch: record ? detailsMatch(record, input.prisoner) : undefined,
      legalStatus: record?.legalStatus,
      alerts: record ? (record.alerts ?? []).map((alert) => alert.code) : undefined,
      visitingOrders: input.visitingOrders?.balance,
    },
    earlierVisits: input.earlierVisits,
  };
}

function daysBetween(from: string, to: string): number {
  let days = 0;
  for (let date = from; date < to; date = addDays(date, 1)) days++;
  return days;
}

function detailsMatch(record: PrisonerRecord, given: EligibilityInput['prisoner']): boolean {
  return (
    record.lastName.trim().toLowerCase() === given.lastName.trim().toLowerCase() &&
    record.dateOfBirth === given.dateOfBirth
  );
}

/** Findings from the prisoner-information check itself, the same at every prison. */
function prisonerCheckFlags(prison: Prison, input: EligibilityInput): Eligibility['flags'] {
  const rule = 'prisoner-check';
  switch (input.check.status) {
    case 'unavailable':
    case 'not_configured': {
      const why = input.check.status === 'unavailable' ? 'did not answer' : 'is not configured';
      return [
        {
          rule,
          flag: 'prisoner_not_checked',
          explanation: `Could not check: the prisoner information service ${why}. Check the prisoner’s details.`,
        },
      ];
    }
    case 'not_found':
      return [{ rule, flag: 'prisoner_not_found', explanation: 'No prisoner has this prison number.' }];
    case 'found': {
      const flags: Eligibility['flags'] = [];
      if (!detailsMatch(input.check.record, input.prisoner)) {
        flags.push({
          rule,
          flag: 'prisoner_details_mismatch',
          explanation: 'The last name or date of birth differs from the prisoner’s record.',
        });
      }
      if (input.check.record.prisonId !== prison.id) {
        flags.push({
          rule,
          flag: 'prisoner_at_another_prison',
          explanation: `The prisoner’s record places them at ${input.check.record.prisonId}, not ${prison.id}.`,
        });
      }
      return flags;
    }
  }
}

const engines = new WeakMap<Prison, Engine>();

function engineFor(prison: Prison): Engine {
  let engine = engines.get(prison);
  if (!engine) {
    engine = new Engine(
      prison.eligibility.map((rule): RuleProperties => ({
        name: rule.name,
        priority: rule.priority ?? 1,
        conditions: rule.conditions as RuleProperties['conditions'],
        event: rule.event,
      })),
      { allowUndefinedFacts: true },
    );
    engines.set(prison, engine);
  }
  return engine;
}

function describe(condition: Condition): string {
  const subject = `${condition.fact}${condition.path ? condition.path.slice(1) : ''}`;
  return `${subject} ${condition.operator} ${JSON.stringify(condition.value)}`;
}

/** The leaf conditions of a rule's result, each with the fact's value and whether it held. */
function traceConditions(node: unknown): ConditionTrace[] {
  const c = node as Condition & { factResult?: unknown; result?: boolean };
  if (c.all) return c.all.flatMap(traceConditions);
  if (c.any) return c.any.flatMap(traceConditions);
  if (c.not) return traceConditions(c.not);
  return [{ test: describe(c), actual: c.factResult, result: Boolean(c.result) }];
}

/** Runs a prison's rules on one request's facts. */
export async function evaluateEligibility(
  prison: Prison,
  input: EligibilityInput,
): Promise<{ eligibility: Eligibility; trace: RuleTrace[] }> {
  const checks = visitorChecksFor(input);
  const { results, failureResults } = await engineFor(prison).run(factsFor(prison, input, checks));
  const byName = new Map(prison.eligibility.map((rule) => [rule.name, rule]));
  const order = new Map(prison.eligibility.map((rule, index) => [rule.name, index]));
  const trace = [...results, ...failureResults]
    .map((result: RuleResult) => ({
      rule: result.name,
      fired: Boolean(result.result),
      event: byName.get(result.name)?.event as EligibilityRule['event'],
      conditions: traceConditions(result.conditions),
    }))
    .sort((a, b) => (order.get(a.rule) ?? 0) - (order.get(b.rule) ?? 0));

  const eligibility: Eligibility = {
    rulesVersion: prison.version,
    prisonerCheck: input.check.status,
    rejections: [],
    flags: prisonerCheckFlags(prison, input),
    rulesFired: [],
  };
  for (const { rule, fired, event } of trace) {
    if (!fired) continue;
    eligibility.rulesFired.push(rule);
    const { explanation } = event.params;
    if (event.type === 'reject') {
      const { reason, explanation_cy: explanationCy } = event.params;
      eligibility.rejections.push({ rule, reason, explanation, ...(explanationCy ? { explanationCy } : {}) });
    }
    if (event.type === 'flag') eligibility.flags.push({ rule, flag: event.params.flag, explanation });
    if (event.type === 'closed_visit') eligibility.closedVisit ??= { rule, explanation };
  }
  if (checks) {
    const found = visitorFindings(input.visitors ?? [], checks);
    eligibility.visitors = checks;
    eligibility.rejections.push(...found.rejections);
    eligibility.flags.push(...found.flags);
    if (found.closedVisit) eligibility.closedVisit ??= found.closedVisit;
  }
  allowanceFindings(input, eligibility);
  return { eligibility, trace };
}

/**
 * A prisoner with no visiting orders left cannot be visited until new ones are issued, unless on remand (remand
 * prisoners' visits do not use orders). Only once: a prison's own rule may already reject for it.
 */
function allowanceFindings(input: EligibilityInput, eligibility: Eligibility): void {
  const orders = input.visitingOrders;
  const remand = orders?.remand || (input.check.status === 'found' && input.check.record.legalStatus === 'remand');
  if (!orders || orders.balance > 0 || remand) return;
  eligibility.allowanceRenewsOn = orders.renewsOn;
  if (eligibility.rejections.some((rejection) => rejection.reason === 'no_allowance')) return;
  eligibility.rejections.push({ rule: 'visiting-orders', reason: 'no_allowance', ...noOrdersLeft(orders.renewsOn) });
}

/** What the rules can judge before a request is sent: its prisoner and visitors as typed, no record, no history. */
export interface KnownBeforeSending {
  today: string;
  prisoner: { number: string; lastName: string; dateOfBirth: string };
  visitorDatesOfBirth: string[];
}

/**
 * The slots a prison's rules rule out for this prisoner and these visitors, each with the rejection that does (the
 * first): only a rejection that fires for some slots and not for others. One that fires for every slot is the
 * request's, told with its explanation once it is sent.
 */
export async function slotsRuledOut(
  prison: Prison,
  known: KnownBeforeSending,
  slots: string[],
): Promise<Map<string, Eligibility['rejections'][number]>> {
  if (!prison.eligibility.some((rule) => rule.event.type === 'reject')) return new Map();
  const rejected = new Map<string, Eligibility['rejections']>();
  for (const slot of slots) {
    const { eligibility } = await evaluateEligibility(prison, {
      ...known,
      slotOptions: [slot],
      check: { status: 'not_configured' },
      earlierVisits: { requested: 0, booked: 0, inLast28Days: 0 },
    });
    rejected.set(slot, eligibility.rejections);
  }
  const firesForAll = (rule: string) => slots.every((slot) => rejected.get(slot)?.some((r) => r.rule === rule));
  const ruledOut = new Map<string, Eligibility['rejections'][number]>();
  for (const [slot, rejections] of rejected) {
    const bySlot = rejections.find((rejection) => !firesForAll(rejection.rule));
    if (bySlot) ruledOut.set(slot, bySlot);
  }
  return ruledOut;
}

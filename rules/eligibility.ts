// Eligibility: a prison's json-rules-engine rules, plus the checks of the prisoner's record, over the facts of one
// request. The outcome says which rules fired and why, in words staff (and, for rejections, visitors) can read.
import { Engine, type RuleProperties, type RuleResult } from 'json-rules-engine';
import type { RejectionReason } from './vocabulary';
import { addDays } from './londonTime';
import type { Prison } from './prison';
import type { Condition, EligibilityRule } from './schema';
import { ageOn } from './submission';

/** A prisoner as the prisoner-information service knows them. */
export interface PrisonerRecord {
  number: string;
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  prisonId: string;
  category?: string;
  status?: 'in_prison' | 'released' | 'out_of_prison';
  visitBalance?: number;
}

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
  slotOptions: string[];
  check: PrisonerCheck;
  earlierVisits: { requested: number; booked: number; inLast28Days: number };
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
  rulesFired: string[];
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

/** The facts the rules can test; rules/README.md lists them for policy teams. */
export function factsFor(prison: Prison, input: EligibilityInput) {
  const ages = input.visitorDatesOfBirth.map((dob) => ageOn(dob, input.today));
  const firstSlot = [...input.slotOptions].sort()[0];
  const record = input.check.status === 'found' ? input.check.record : undefined;
  return {
    request: {
      visitorCount: ages.length,
      adultCount: ages.filter((age) => age >= prison.adultAge).length,
      childCount: ages.filter((age) => age < prison.adultAge).length,
      leadVisitorAge: ages[0],
      slotCount: input.slotOptions.length,
      daysUntilFirstSlot: firstSlot ? daysBetween(input.today, firstSlot.slice(0, 10)) : undefined,
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
  const { results, failureResults } = await engineFor(prison).run(factsFor(prison, input));
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
  return { eligibility, trace };
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

// Slot enumeration and rule evaluation on one core: run by bench/run.ts under `taskset -c 0`, printing JSON.
import { bookableSlots } from '../rules/calendar';
import { evaluateEligibility, type EligibilityInput } from '../rules/eligibility';
import { addDays, londonClock } from '../rules/londonTime';
import { RuleBook } from '../rules/ruleBook';
import { round } from './figures';

const SECONDS = Number(process.env.BENCH_CPU_SECONDS ?? 3);
const prisons = new RuleBook('rules/prisons').list();
const today = londonClock(new Date()).date;

/** Runs `work` repeatedly for SECONDS (after a short warm-up), returning calls per second and what it counted. */
async function rate(work: (i: number) => number | Promise<number>) {
  for (let i = 0; i < 200; i++) await work(i);
  let calls = 0;
  let counted = 0;
  const started = performance.now();
  while (performance.now() - started < SECONDS * 1000) {
    counted += await work(calls);
    calls++;
  }
  const seconds = (performance.now() - started) / 1000;
  return { callsPerSecond: round(calls / seconds, 0), countedPerSecond: round(counted / seconds, 0) };
}

// Every prison's bookable slots, as the visitor's times page and the submission check work them out, for each of
// the next 365 days as "today".
const slots = await rate((i) => {
  const prison = prisons[i % prisons.length];
  return bookableSlots(prison, addDays(today, i % 365)).length;
});

// A prison's eligibility rules over one request's facts: a request with two visitors, one a child, two slots, a
// prisoner found by the prisoner-information service, with earlier visits.
const withRules = prisons.filter((prison) => prison.eligibility.length > 0);
const inputs = withRules.map((prison): EligibilityInput => {
  const slotOptions = bookableSlots(prison, today).slice(0, 2);
  return {
    today,
    prisoner: { number: 'A1234BC', lastName: 'Wilde', dateOfBirth: '1980-10-16' },
    visitorDatesOfBirth: ['1985-01-01', '2015-06-01'],
    slotOptions,
    check: {
      status: 'found',
      record: {
        number: 'A1234BC',
        firstName: 'Oscar',
        lastName: 'Wilde',
        dateOfBirth: '1980-10-16',
        prisonId: prison.id,
        category: 'C',
        status: 'in_prison',
        visitBalance: 2,
      },
    },
    earlierVisits: { requested: 1, booked: 1, inLast28Days: 2 },
  };
});
const rules = await rate(async (i) => {
  const which = i % withRules.length;
  await evaluateEligibility(withRules[which], inputs[which]);
  return withRules[which].eligibility.length;
});

console.log(
  JSON.stringify({
    seconds: SECONDS,
    slotEnumeration: {
      prisons: prisons.map((prison) => prison.id),
      enumerationsPerSecond: slots.callsPerSecond,
      slotsPerSecond: slots.countedPerSecond,
    },
    ruleEvaluation: {
      prisons: withRules.map((prison) => `${prison.id} (${prison.eligibility.length} rules)`),
      requestsPerSecond: rules.callsPerSecond,
      rulesPerSecond: rules.countedPerSecond,
    },
  }),
);

// Example cases beside each rule file (`<name>.examples.yaml`): a sample request and the outcome the policy team
// expects. `npm run rules -- test` and `npm test` run them; the same case shape feeds `rules -- explain` and the
// policy preview.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { rejectionReason } from './vocabulary';
import { evaluateEligibility, type EligibilityInput, type PrisonerCheck, type RuleTrace } from './eligibility';
import type { Prison } from './prison';

const count = z.number().int().min(0);

/** A sample request, as far as eligibility is concerned. */
export const sampleCase = z.strictObject({
  visitorAges: z.array(z.number().int().min(0).max(119)).min(1).max(6).default([35]),
  slotsInDays: z
    .array(z.number().int().min(0).max(60))
    .min(1)
    .max(3)
    .default([7])
    .describe('How far ahead each slot is'),
  prisoner: z
    .union([
      z.enum(['unavailable', 'not_found']),
      z.strictObject({
        category: z.string().optional(),
        status: z.enum(['in_prison', 'released', 'out_of_prison']).optional(),
        visitBalance: z.number().int().optional(),
        prisonId: z.string().optional().describe('Where the record places the prisoner; this prison if unset'),
      }),
    ])
    .default({})
    .describe('The prisoner service’s answer: a record, or that it was unavailable or found nobody'),
  earlierVisits: z
    .strictObject({ requested: count.default(0), booked: count.default(0), inLast28Days: count.default(0) })
    .prefault({}),
});
export type SampleCase = z.infer<typeof sampleCase>;

export const exampleCase = sampleCase.extend({
  name: z.string().min(1),
  expect: z.strictObject({
    rejected: z.array(rejectionReason).default([]),
    flags: z.array(z.string()).default([]),
    closedVisit: z.boolean().default(false),
  }),
});
export type ExampleCase = z.infer<typeof exampleCase>;

const TODAY = '2026-06-15';
const PRISONER = { number: 'A1234BC', firstName: 'Sample', lastName: 'Prisoner', dateOfBirth: '1980-01-01' };

/** The eligibility input a sample case stands for, on a fixed day. */
export function inputFromCase(prison: Prison, sample: SampleCase): EligibilityInput {
  const check: PrisonerCheck =
    sample.prisoner === 'unavailable' || sample.prisoner === 'not_found'
      ? { status: sample.prisoner }
      : { status: 'found', record: { ...PRISONER, prisonId: prison.id, ...sample.prisoner } };
  const year = Number(TODAY.slice(0, 4));
  return {
    today: TODAY,
    prisoner: PRISONER,
    visitorDatesOfBirth: sample.visitorAges.map((age) => `${year - age}-01-01`),
    slotOptions: sample.slotsInDays.map((days) => {
      const date = new Date(`${TODAY}T00:00:00Z`);
      date.setUTCDate(date.getUTCDate() + days);
      return `${date.toISOString().slice(0, 10)}T14:00/15:00`;
    }),
    check,
    earlierVisits: sample.earlierVisits,
  };
}

export interface ExampleResult {
  name: string;
  passed: boolean;
  expected: ExampleCase['expect'];
  actual: ExampleCase['expect'];
  trace: RuleTrace[];
}

const sorted = (list: string[]) => [...new Set(list)].sort();

export async function runExample(prison: Prison, example: ExampleCase): Promise<ExampleResult> {
  const { eligibility, trace } = await evaluateEligibility(prison, inputFromCase(prison, example));
  const actual = {
    rejected: sorted(eligibility.rejections.map((r) => r.reason)) as ExampleCase['expect']['rejected'],
    flags: sorted(eligibility.flags.map((f) => f.flag)),
    closedVisit: Boolean(eligibility.closedVisit),
  };
  const expected = {
    ...example.expect,
    rejected: sorted(example.expect.rejected),
    flags: sorted(example.expect.flags),
  };
  return {
    name: example.name,
    passed: JSON.stringify(actual) === JSON.stringify(expected),
    expected: expected as ExampleCase['expect'],
    actual,
    trace,
  };
}

/** The examples file beside a rule file, if there is one. */
export function examplesFileFor(dir: string, ruleFile: string): string | undefined {
  const path = join(dir, ruleFile.replace(/\.yaml$/, '.examples.yaml'));
  return existsSync(path) ? path : undefined;
}

/** Reads an examples file, throwing an error that names each bad case and field. */
export function loadExamples(path: string): ExampleCase[] {
  const result = z.array(exampleCase).safeParse(parse(readFileSync(path, 'utf8')));
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`${path} has invalid examples:\n${lines.join('\n')}`);
}

// The policy preview: a prison's rules, or an edited copy of a rule file, tried on a sample request. Nothing takes
// effect. The API and the staff page both call this; each only turns the result into its own answer.
import type { z } from 'zod';
import { evaluateEligibility, type Eligibility, type RuleTrace } from './eligibility';
import { inputFromCase, sampleCase } from './examples';
import type { Prison } from './prison';
import { parseRuleFile, type RuleFileError } from './ruleFile';

/** The rules to try: a prison's in force, or an edited rule file (`fileName` names it in errors). */
export type PreviewRules = { prison: Prison } | { ruleFile: string; fileName: string };

export type PolicyPreview =
  | { ok: true; prison: Prison; eligibility: Eligibility; trace: RuleTrace[] }
  // Both kinds of mistake at once, so a form can name them all on one page.
  | { ok: false; ruleFileErrors: RuleFileError[]; caseError?: z.ZodError };

/** Tries the rules on a sample case (checked here against `sampleCase`), or says what is wrong with either. */
export async function previewPolicy(rules: PreviewRules, sample: unknown): Promise<PolicyPreview> {
  const parsed = 'ruleFile' in rules ? parseRuleFile(rules.ruleFile, rules.fileName) : { ok: true as const, ...rules };
  const checked = sampleCase.safeParse(sample);
  if (!parsed.ok || !checked.success) {
    return {
      ok: false,
      ruleFileErrors: parsed.ok ? [] : parsed.errors,
      ...(checked.success ? {} : { caseError: checked.error }),
    };
  }
  const { eligibility, trace } = await evaluateEligibility(parsed.prison, inputFromCase(parsed.prison, checked.data));
  return { ok: true, prison: parsed.prison, eligibility, trace };
}

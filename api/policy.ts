// The policy preview: a prison's rules, or an edited copy, tried on a sample request before anything goes live.
import { Hono } from 'hono';
import { evaluateEligibility } from '../rules/eligibility';
import { inputFromCase } from '../rules/examples';
import { parseRuleFile } from '../rules/ruleFile';
import type { Services } from './services';
import { invalid, ProblemError } from './problem';
import { policyPreviewRequest } from './schemas';
import { canSeePrison, requireStaff, type StaffEnv } from './session';
import { readJson } from './validation';

export function policyRoutes({ db, session, rules }: Services) {
  return new Hono<StaffEnv>().post('/preview', requireStaff(db, session), async (c) => {
    const user = c.get('user');
    if (user.role === 'staff')
      throw new ProblemError(403, 'forbidden', 'Only policy and admin users can preview rules.');
    const body = await readJson(c, policyPreviewRequest);
    let prison = body.prisonId ? rules.get(body.prisonId.toUpperCase()) : undefined;
    if (body.ruleFile !== undefined) {
      const parsed = parseRuleFile(body.ruleFile, 'ruleFile');
      if (!parsed.ok) {
        throw invalid(
          parsed.errors.map((error) => ({
            path: error.path === '(file)' ? 'ruleFile' : `ruleFile.${error.path}`,
            code: 'invalid_rule_file',
            message: `line ${error.line}: ${error.message}`,
          })),
        );
      }
      prison = parsed.prison;
    }
    if (!prison || !canSeePrison(user, prison.id)) {
      throw new ProblemError(404, 'unknown_prison', 'There is no prison with this id among yours.');
    }
    const { eligibility, trace } = await evaluateEligibility(prison, inputFromCase(prison, body.case));
    return c.json({
      prisonId: prison.id,
      rulesVersion: prison.version,
      edited: body.ruleFile !== undefined,
      eligibility,
      rules: trace,
    });
  });
}

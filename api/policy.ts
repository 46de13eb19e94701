// The policy preview: a prison's rules, or an edited copy, tried on a sample request before anything goes live.
import { Hono } from 'hono';
import { previewPolicy, type PreviewRules } from '../rules/policyPreview';
import type { Services } from './services';
import { invalid, ProblemError } from './problem';
import { policyPreviewRequest } from './schemas';
import { canSeePrison, refuseUnlessMayPreviewRules } from './access';
import { requireStaff, type StaffEnv } from './session';
import { readJson } from './validation';

export function policyRoutes({ db, session, rules }: Services) {
  return new Hono<StaffEnv>().post('/preview', requireStaff(db, session), async (c) => {
    const user = c.get('user');
    refuseUnlessMayPreviewRules(user);
    const body = await readJson(c, policyPreviewRequest);
    const unknownPrison = () => new ProblemError(404, 'unknown_prison', 'There is no prison with this id among yours.');
    const inForce = body.prisonId ? rules.get(body.prisonId.toUpperCase()) : undefined;
    const tried: PreviewRules | undefined =
      body.ruleFile !== undefined ? { ruleFile: body.ruleFile, fileName: 'ruleFile' } : inForce && { prison: inForce };
    if (!tried) throw unknownPrison();
    const preview = await previewPolicy(tried, body.case);
    if (!preview.ok) {
      throw invalid([
        ...preview.ruleFileErrors.map((error) => ({
          path: error.path === '(file)' ? 'ruleFile' : `ruleFile.${error.path}`,
          code: 'invalid_rule_file',
          message: `line ${error.line}: ${error.message}`,
        })),
      ]);
    }
    // An edited copy names its own prison, and that is the one the user must be able to see.
    if (!canSeePrison(user, preview.prison.id)) throw unknownPrison();
    return c.json({
      prisonId: preview.prison.id,
      rulesVersion: preview.prison.version,
      edited: body.ruleFile !== undefined,
      eligibility: preview.eligibility,
      rules: preview.trace,
    });
  });
}

// The policy preview: a prison's rules, or an edited copy, tried on a sample request. Nothing takes effect.
import { Hono } from 'hono';
import { ProblemError } from '../../api/problem';
import type { Services } from '../../api/services';
import { canSeePrison, refuseUnlessMayPreviewRules } from '../../api/access';
import { previewPolicy } from '../../rules/policyPreview';
import { form, staffAccess, staffPage, type StaffPageEnv } from './common';

export function policyPreviewPages(services: Services) {
  const { rules } = services;
  const { signedIn, prisonsOf } = staffAccess(services);

  return new Hono<StaffPageEnv>().on(['GET', 'POST'], '/staff/policy-preview', signedIn, async (c) => {
    const user = c.get('user');
    refuseUnlessMayPreviewRules(user);
    const prisons = prisonsOf(user);
    let values: Record<string, string> = {
      visitorAges: '35',
      prisonerService: 'found',
      category: '',
      visitBalance: '',
      inLast28Days: '0',
    };
    let errors: { path: string; text: string }[] = [];
    let outcome: unknown;
    if (c.req.method === 'POST') {
      const body = await form(c);
      values = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v ?? '').trim()]));
      const unknownPrison = () => new ProblemError(404, 'unknown_prison', 'There is no such prison among yours.');
      const prison = rules.get(values.prisonId);
      if (!prison || !canSeePrison(user, prison.id)) throw unknownPrison();
      const ages = (values.visitorAges ?? '')
        .split(/[,\s]+/)
        .filter(Boolean)
        .map(Number);
      const number = (name: string) => (values[name] === '' ? undefined : Number(values[name]));
      const preview = await previewPolicy(
        values.ruleFile ? { ruleFile: values.ruleFile, fileName: 'edited copy' } : { prison },
        {
          visitorAges: ages,
          prisoner:
            values.prisonerService === 'found'
              ? {
                  ...(values.category ? { category: values.category } : {}),
                  ...(number('visitBalance') !== undefined ? { visitBalance: number('visitBalance') } : {}),
                }
              : values.prisonerService,
          earlierVisits: { inLast28Days: number('inLast28Days') ?? 0 },
        },
      );
      // An edited copy names its own prison, and that is the one the user must be able to see, as in the API.
      if (preview.ok && !canSeePrison(user, preview.prison.id)) throw unknownPrison();
      if (!preview.ok) {
        const words: Record<string, string> = {
          visitorAges: 'Enter 1 to 6 ages, whole numbers, separated by commas',
          'prisoner.visitBalance': 'Enter the visits left as a whole number',
          'earlierVisits.inLast28Days': 'Enter a whole number of requests, 0 or more',
        };
        const at = { 'prisoner.visitBalance': 'visitBalance', 'earlierVisits.inLast28Days': 'inLast28Days' } as Record<
          string,
          string
        >;
        errors = [
          ...preview.ruleFileErrors.map((e) => ({ path: 'ruleFile', text: `Line ${e.line}: ${e.path}: ${e.message}` })),
          ...(preview.caseError?.issues ?? []).map((i) => {
            const path = i.path.join('.').replace(/^visitorAges\.\d+$/, 'visitorAges');
            return { path: at[path] ?? path, text: words[path] ?? i.message };
          }),
        ];
      } else {
        const { eligibility, trace } = preview;
        const row = (key: string, text: string) => ({ key: { text: key }, value: { text } });
        outcome = {
          version: preview.prison.version,
          rows: [
            row('Rejected', eligibility.rejections.map((r) => `${r.reason}: ${r.explanation}`).join('; ') || 'No'),
            row('Flags for staff', eligibility.flags.map((f) => `${f.flag}: ${f.explanation}`).join('; ') || 'None'),
            row('Closed visit', eligibility.closedVisit ? `Yes: ${eligibility.closedVisit.explanation}` : 'No'),
          ],
          rules: trace.map((rule) => [
            { text: rule.rule },
            { text: rule.fired ? 'Yes' : 'No' },
            {
              text: rule.conditions
                .map((t) => `${t.result ? '✓' : '✗'} ${t.test} (is ${JSON.stringify(t.actual) ?? 'unknown'})`)
                .join('; '),
            },
          ]),
        };
      }
    }
    return staffPage(c, 'staff/preview', {
      title: 'Try rules on a sample request',
      user,
      csrf: c.get('csrf'),
      active: 'preview',
      values,
      errors,
      outcome,
      status: errors.length ? 400 : 200,
      prisonItems: prisons.map((p) => ({ value: p.id, text: p.name, selected: p.id === values.prisonId })),
      serviceItems: [
        ['found', 'Finds the prisoner'],
        ['not_found', 'Finds nobody with this number'],
        ['unavailable', 'Does not answer'],
      ].map(([value, text]) => ({ value, text, checked: values.prisonerService === value })),
    });
  });
}

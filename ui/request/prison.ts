// The journey's start page, and its first step: which prison. A journey begins (and is counted) here.
import { Hono, type Context } from 'hono';
import type { Services } from '../../api/services';
import { checkSubmission } from '../../rules/submission';
import { newJourney, readJourney } from '../journeyCookie';
import { localeOf, render } from '../render';
import { journeys, message, next, text, today, wordsFor, type FieldProblem } from './common';

/**
 * Whether this request begins a journey: the browser brings none that is still running. Such a request is counted
 * (a `journeyEvents` document), so the composition root limits it per client.
 */
export const startsAJourney = (c: Context, secret: string) => typeof readJourney(c, secret) === 'string';

export function prisonStep(services: Services) {
  const { rules } = services;
  const journey = journeys(services);

  return new Hono()
    .get('/', (c) => render(c, 'start', { title: wordsFor(c)('start.title') }))
    .on(['GET', 'POST'], '/request/prison', async (c) => {
      let answers = readJourney(c, services.session.secret);
      if (typeof answers === 'string') {
        answers = { ...newJourney(), counted: true };
        await journey.step(answers, 'started');
      }
      let problems: FieldProblem[] = [];
      let chosen = answers.prisonId;
      if (c.req.method === 'POST') {
        const form = await journey.form(c, answers);
        chosen = text(form.prisonId);
        const prison = rules.get(chosen);
        problems = !prison
          ? [{ path: 'prisonId', code: 'required' }]
          : checkSubmission(
              { prisoner: { dateOfBirth: '1970-01-01' }, visitors: [], slotOptions: [] },
              prison,
              today(),
            ).filter((p) => p.path === 'prisonId');
        if (problems.length === 0) {
          journey.save(c, { ...answers, prisonId: chosen });
          await journey.step(answers, 'prison');
          return next(c, '/request/prisoner');
        }
      }
      journey.save(c, answers);
      const locale = localeOf(c);
      const t = wordsFor(c);
      return render(c, 'prison', {
        title: t('prison.title'),
        backUrl: '/',
        csrf: answers.csrf,
        prison: chosen ? rules.get(chosen) : undefined,
        errors: problems.map((p) => ({
          path: p.path,
          text: p.code === 'required' ? t('errors.prison.required') : message(locale, p, rules.get(chosen ?? '')),
        })),
        prisonItems: rules.list().map((p) => ({
          value: p.id,
          text: (locale === 'cy' && p.nameCy) || p.name,
          checked: p.id === chosen,
        })),
      });
    });
}

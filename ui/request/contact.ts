// The journey's step asking how to reach the visitor: e-mail address and phone number.
import { Hono } from 'hono';
import type { Services } from '../../api/services';
import { submission } from '../../rules/shapes';
import { render } from '../render';
import { check, errorsFor, journeys, text, wordsFor, type FieldProblem } from './common';

export function contactStep(services: Services) {
  const journey = journeys(services);

  return new Hono().on(['GET', 'POST'], '/request/contact', async (c) => {
    const answers = journey.of(c);
    if (answers instanceof Response) return answers;
    const prison = journey.prisonOf(answers);
    if (!prison) return c.redirect('/request/prison');
    let values = answers.contact ?? { email: '', phone: '' };
    let problems: FieldProblem[] = [];
    if (c.req.method === 'POST') {
      const form = await journey.form(c, answers);
      values = { email: text(form.email), phone: text(form.phone) };
      // A blank answer is asked for ("Enter your email address"), not called the wrong format.
      problems = check(submission.shape.contact, values, 'contact').map((p) =>
        values[p.path === 'contact.email' ? 'email' : 'phone'] === '' ? { ...p, code: 'required' } : p,
      );
      if (problems.length === 0) {
        journey.save(c, { ...answers, contact: values });
        await journey.step(answers, 'contact');
        return c.redirect('/request/check');
      }
    }
    journey.save(c, answers);
    return render(c, 'contact', {
      title: wordsFor(c)('contact.title'),
      backUrl: '/request/slots',
      csrf: answers.csrf,
      prison,
      values,
      errors: errorsFor(c, problems, prison),
    });
  });
}

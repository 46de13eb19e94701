// The journey's step asking how to reach the visitor: e-mail address, phone number, and whether to be told about the
// visit by e-mail, text message or both.
import { Hono } from 'hono';
import type { Services } from '../../api/services';
import { notifyBy, submission } from '../../rules/shapes';
import { render } from '../render';
import { check, errorsFor, journeys, text, wordsFor, type FieldProblem } from './common';

export function contactStep(services: Services) {
  const journey = journeys(services);

  return new Hono().on(['GET', 'POST'], '/request/contact', async (c) => {
    const answers = journey.of(c);
    if (answers instanceof Response) return answers;
    const prison = journey.prisonOf(answers);
    if (!prison) return c.redirect('/request/prison');
    // A signed-in booker starts from their account's address and last phone number.
    const booker = answers.contact ? undefined : await journey.booker(c);
    let values = answers.contact ?? {
      email: booker?._id ?? '',
      phone: booker?.phone ?? '',
      notifyBy: 'email' as const,
    };
    let problems: FieldProblem[] = [];
    if (c.req.method === 'POST') {
      const form = await journey.form(c, answers);
      // E-mail unless another is chosen: a form posted without the question (no radio ticked) keeps the default.
      const chosen = notifyBy.safeParse(text(form.notifyBy) || 'email');
      values = { email: text(form.email), phone: text(form.phone), notifyBy: chosen.data ?? 'email' };
      // A blank answer is asked for ("Enter your email address"), not called the wrong format.
      const blank = (path: string) =>
        (path === 'contact.email' && values.email === '') || (path === 'contact.phone' && values.phone === '');
      problems = check(submission.shape.contact, values, 'contact').map((p) =>
        blank(p.path) ? { ...p, code: 'required' } : p,
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
      values: { ...values, notifyBy: values.notifyBy ?? 'email' },
      errors: errorsFor(c, problems, prison),
    });
  });
}

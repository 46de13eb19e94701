// The journey's step about the prisoner: name, date of birth and prison number.
import { Hono } from 'hono';
import type { Services } from '../../api/services';
import { dateFieldsOf, isoDateOf } from '../../rules/dateFields';
import { prisoner as prisonerSchema } from '../../rules/shapes';
import { checkSubmission } from '../../rules/submission';
import { render } from '../render';
import {
  check,
  dateField,
  errorsFor,
  journeys,
  next,
  text,
  today,
  typedDateProblems,
  withDates,
  withRules,
  wordsFor,
  type FieldProblem,
} from './common';

const pick = ({
  firstName,
  lastName,
  dateOfBirth,
  number,
}: Record<'firstName' | 'lastName' | 'dateOfBirth' | 'number', string>) => ({
  firstName,
  lastName,
  dateOfBirth,
  number,
});

export function prisonerStep(services: Services) {
  const journey = journeys(services);

  return new Hono().on(['GET', 'POST'], '/request/prisoner', async (c) => {
    const answers = journey.of(c);
    if (answers instanceof Response) return answers;
    const prison = journey.prisonOf(answers);
    if (!prison) return c.redirect('/request/prison');
    // A signed-in booker starts from the prisoner linked to their account at this prison, if there is one.
    const linked = answers.prisoner
      ? undefined
      : (await journey.booker(c))?.prisoners.find((p) => p.prisonId === prison.id);
    const known = answers.prisoner ?? (linked && prisonerSchema.safeParse(pick(linked)).data);
    let values = { ...known, dob: dateFieldsOf(known?.dateOfBirth) };
    let problems: FieldProblem[] = [];
    if (c.req.method === 'POST') {
      const form = await journey.form(c, answers);
      const dob = dateField(form, 'dob');
      const prisoner = {
        firstName: text(form.firstName),
        lastName: text(form.lastName),
        dateOfBirth: isoDateOf(dob),
        number: text(form.number),
      };
      values = { ...prisoner, dob };
      problems = withRules(
        withDates(check(prisonerSchema, prisoner, 'prisoner'), typedDateProblems('prisoner.dateOfBirth', dob)),
        checkSubmission({ prisoner, visitors: [], slotOptions: [] }, prison, today()),
        'prisoner',
      );
      if (problems.length === 0) {
        journey.save(c, { ...answers, prisoner: prisonerSchema.parse(prisoner) });
        await journey.step(answers, 'prisoner');
        return next(c, '/request/visitors');
      }
    }
    journey.save(c, answers);
    return render(c, 'prisoner', {
      title: wordsFor(c)('prisoner.title'),
      backUrl: '/request/prison',
      csrf: answers.csrf,
      prison,
      values,
      errors: errorsFor(c, problems, prison),
    });
  });
}

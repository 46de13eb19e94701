// The journey's step about the visitors: one to six, each with a name and date of birth, added and removed by
// buttons that work without JavaScript.
import { Hono } from 'hono';
import type { Services } from '../../api/services';
import { dateFieldsOf, isoDateOf, type DateFields } from '../../rules/dateFields';
import { support as supportSchema, visitor as visitorSchema } from '../../rules/shapes';
import { supportNeed, type SupportNeed } from '../../rules/vocabulary';
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
  type Form,
} from './common';

interface VisitorForm {
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  organisation?: string;
  /** The date of birth as typed, to show again. */
  dob: Partial<DateFields>;
}

const blankVisitor = (): VisitorForm => ({ firstName: '', lastName: '', dateOfBirth: '', dob: {} });
const withoutDateParts = ({ dob: _dob, ...visitor }: VisitorForm) => visitor;

/** The visitors as typed, in the order of the form's numbered fields; at least one, blank if none. */
function visitorsOf(form: Form): VisitorForm[] {
  const visitors: VisitorForm[] = [];
  for (let i = 0; form[`visitor-${i}-firstName`] !== undefined; i++) {
    const dob = dateField(form, `visitor-${i}-dob`);
    const organisation = text(form[`visitor-${i}-organisation`]);
    visitors.push({
      firstName: text(form[`visitor-${i}-firstName`]),
      lastName: text(form[`visitor-${i}-lastName`]),
      dateOfBirth: isoDateOf(dob),
      ...(organisation ? { organisation } : {}),
      dob,
    });
  }
  return visitors.length > 0 ? visitors : [blankVisitor()];
}

/** The additional support asked for: the needs ticked (known ones only) and the details typed. */
function supportOf(form: Form): { needs: SupportNeed[]; details?: string } {
  const ticked = ([] as unknown[]).concat(form.support ?? []);
  const needs = supportNeed.options.filter((need) => ticked.includes(need));
  const details = text(form.supportDetails);
  return { needs, ...(details ? { details } : {}) };
}

export function visitorsStep(services: Services) {
  const journey = journeys(services);

  return new Hono().on(['GET', 'POST'], '/request/visitors', async (c) => {
    const answers = journey.of(c);
    if (answers instanceof Response) return answers;
    const prison = journey.prisonOf(answers);
    if (!prison) return c.redirect('/request/prison');
    const maxVisitors = Math.min(6, prison.maxVisitors);
    // A signed-in booker starts from the visitors of their last request.
    const saved = answers.visitors ? undefined : await journey.booker(c);
    const offered = answers.visitors ?? saved?.visitors.slice(0, Math.min(saved.lastParty ?? 1, maxVisitors));
    let visitors = offered?.length
      ? offered.map((v) => ({ ...v, dob: dateFieldsOf(v.dateOfBirth) }))
      : [blankVisitor()];
    let problems: FieldProblem[] = [];
    let support = answers.support ?? { needs: [] };
    if (c.req.method === 'POST') {
      const form = await journey.form(c, answers);
      visitors = visitorsOf(form);
      support = supportOf(form);
      const bare = visitors.map(withoutDateParts);
      if (form.add !== undefined && visitors.length < maxVisitors) {
        visitors.push(blankVisitor());
      } else if (form.remove !== undefined) {
        visitors.splice(Number(form.remove), 1);
      } else {
        problems = withRules(
          withDates(
            bare.flatMap((v, i) => check(visitorSchema, v, `visitors.${i}`)),
            visitors.flatMap((v, i) => typedDateProblems(`visitors.${i}.dateOfBirth`, v.dob)),
          ),
          checkSubmission(
            { prisoner: answers.prisoner ?? { dateOfBirth: '1970-01-01' }, visitors: bare, slotOptions: [] },
            prison,
            today(),
          ),
          'visitors',
        ).concat(check(supportSchema, support, 'support'));
        if (problems.length === 0) {
          journey.save(c, {
            ...answers,
            visitors: bare.map((v) => visitorSchema.parse(v)),
            support: supportSchema.parse(support),
          });
          await journey.step(answers, 'visitors');
          return next(c, '/request/slots');
        }
      }
      journey.save(c, { ...answers, visitors: visitors.map(withoutDateParts), support });
    } else {
      journey.save(c, answers);
    }
    const t = wordsFor(c);
    return render(c, 'visitors', {
      title: t('visitors.title'),
      backUrl: '/request/prisoner',
      csrf: answers.csrf,
      prison,
      maxVisitors,
      rules: t('visitors.rules', { max: maxVisitors, adults: prison.maxAdults, adultAge: prison.adultAge }),
      values: { visitors, support },
      supportItems: supportNeed.options.map((need) => ({
        value: need,
        text: t(`support.need.${need}`),
        checked: support.needs.includes(need),
      })),
      errors: errorsFor(c, problems, prison),
    });
  });
}

// What every step of the visitor's journey shares: the journey cookie read and written, the form's CSRF check, the
// field problems in the visitor's words, and the step's checks by the API's own schemas and the prison's rules.
import type { Context } from 'hono';
import type { z } from 'zod';
import { recordJourneyStep } from '../../activities/readModel/journeys';
import { ProblemError } from '../../api/problem';
import type { Services } from '../../api/services';
import { toFieldErrors } from '../../api/validation';
import { dateProblem, readDateFields, type DateFields, type DatePart } from '../../rules/dateFields';
import { londonClock } from '../../rules/londonTime';
import type { Prison } from '../../rules/prison';
import type { Locale } from '../../rules/vocabulary';
import { bookerOfPage } from '../account';
import { translate } from '../i18n';
import { csrfMatches, readJourney, writeJourney, type Journey } from '../journeyCookie';
import { localeOf, render } from '../render';

/** A problem with a field; for a date, the boxes to mark when not all of them. */
export type FieldProblem = { path: string; code: string; parts?: DatePart[] };
export type Form = Record<string, string | string[]>;

export const today = () => londonClock(new Date()).date;

/** A translator in the page's language. */
export const wordsFor = (c: Context) => (key: string, values?: Record<string, string | number>) =>
  translate(localeOf(c), key, values);

/** A form field, trimmed; '' when absent or repeated. */
export const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/** A day, month and year from a form, by the fields' common name. */
export const dateField = (form: Form, name: string) => readDateFields(name, (field) => text(form[field]));

/** The next step, or back to the check page when the visitor came from there to change an answer. */
export const next = (c: Context, step: string) => c.redirect(c.req.query('back') === 'check' ? '/request/check' : step);

/** The problem with a date of birth as typed into its boxes, at the field's path; none when it is a real date. */
export function typedDateProblems(path: string, fields: Partial<DateFields>): FieldProblem[] {
  const problem = dateProblem(fields);
  return problem ? [{ path, ...problem }] : [];
}

/** The dates' problems as typed, in place of the schema's vaguer ones about the same fields. */
export function withDates(schema: FieldProblem[], dates: FieldProblem[]): FieldProblem[] {
  const typed = new Set(dates.map((p) => p.path));
  return [...schema.filter((p) => !typed.has(p.path)), ...dates];
}

const has = (locale: Locale, key: string) => translate(locale, key) !== key;

/**
 * A problem with a date of birth in words that name the date, as the GOV.UK date input asks: "Enter the prisoner's
 * date of birth", "Visitor 2's date of birth must be in the past". Each language says whose date it is in two forms,
 * the one after "Enter" and the one before "must", since Welsh mutates them differently.
 */
function dateMessage(locale: Locale, problem: FieldProblem): string | undefined {
  const date = /^(?:prisoner|visitors\.(\d+))\.dateOfBirth$/.exec(problem.path);
  const key = `errors.date.${problem.code}`;
  if (!date || !has(locale, key)) return undefined;
  const whose = date[1] === undefined ? 'prisoner' : date[1] === '0' ? 'lead' : 'visitor';
  const n = Number(date[1] ?? 0) + 1;
  return translate(locale, key, {
    enter: translate(locale, `errors.date.${whose}.enter`, { n }),
    must: translate(locale, `errors.date.${whose}.must`, { n }),
  });
}

/** The words for a problem with a field, in the visitor's language. */
export function message(locale: Locale, problem: FieldProblem, prison?: Prison): string {
  const aboutDate = dateMessage(locale, problem);
  if (aboutDate) return aboutDate;
  const visitor = /^visitors\.(\d+)\.(\w+)$/.exec(problem.path);
  if (visitor) {
    // A visitor's field names whose it is: the visitor's own ("your first name"), or visitor 2's.
    const key = `errors.${visitor[1] === '0' ? 'lead' : 'visitor'}.${visitor[2]}.${problem.code}`;
    if (has(locale, key)) return translate(locale, key, { n: Number(visitor[1]) + 1 });
  }
  const specific = `errors.${problem.path.replace(/\.\d+\./, '.')}.${problem.code}`;
  if (problem.code === 'prison_not_bookable' && prison) {
    const which = prison.closed ? 'prison_closed' : prison.private ? 'prison_private' : 'prison_disabled';
    return translate(locale, `errors.${which}`, { prison: prison.name, phone: prison.phone ?? '0300 060 6000' });
  }
  const values: Record<string, number> = prison
    ? { max: Math.min(6, prison.maxVisitors), adults: prison.maxAdults, adultAge: prison.adultAge }
    : {};
  const key = has(locale, specific) ? specific : `errors.${problem.code}`;
  return translate(locale, key, values);
}

export const errorsFor = (c: Context, problems: FieldProblem[], prison?: Prison) =>
  problems.map((problem) => ({
    path: problem.path,
    text: message(localeOf(c), problem, prison),
    parts: problem.parts,
  }));

/** Checks a part of the request with the API's own schema, giving field problems with their codes. */
export function check<S extends z.ZodType>(schema: S, value: unknown, prefix: string): FieldProblem[] {
  const result = schema.safeParse(value);
  return result.success
    ? []
    : toFieldErrors(result.error).map((e) => ({ path: `${prefix}.${e.path}`.replace(/\.$/, ''), code: e.code }));
}

const fieldOrder = ['firstName', 'lastName', 'dateOfBirth', 'organisation', 'number'];
const order = (path: string) =>
  Number(/\.(\d+)\./.exec(path)?.[1] ?? 0) * 10 + Math.max(0, fieldOrder.indexOf(path.split('.').pop() ?? ''));

/**
 * The schema's problems with a step, and the prison rules' problems with its fields where the schema found none (a
 * date of birth must be a real date before it can be in the future), so one page names them all.
 */
export function withRules(schema: FieldProblem[], rules: FieldProblem[], step: string): FieldProblem[] {
  const flagged = new Set(schema.map((p) => p.path));
  return [...schema, ...rules.filter((p) => p.path.startsWith(step) && !flagged.has(p.path))].sort(
    (a, b) => order(a.path) - order(b.path),
  );
}

/** The journey in its cookie, for a step's pages. */
export function journeys(services: Services) {
  const { db, rules, session, secureCookies } = services;
  const signedIn = bookerOfPage(services);
  return {
    /** The signed-in booker's account, whose prisoners, visitors and contact the steps offer first. */
    booker: async (c: Context) => (await signedIn(c))?.booker,

    /** The journey, or the page that explains it has gone. */
    of(c: Context): Journey | Response {
      const journey = readJourney(c, session.secret);
      if (journey === 'expired') {
        const t = wordsFor(c);
        return render(c, 'page', {
          title: t('expired.title'),
          paragraphs: [t('expired.body')],
          link: { href: '/', text: t('expired.restart') },
        });
      }
      if (journey === 'missing') return c.redirect('/');
      return journey;
    },

    save: (c: Context, journey: Journey) => writeJourney(c, journey, session.secret, secureCookies),

    prisonOf: (journey: Journey) => (journey.prisonId ? rules.get(journey.prisonId) : undefined),

    /** A form post: its fields, once its CSRF token is checked. */
    async form(c: Context, journey: Journey): Promise<Form> {
      const form = (await c.req.parseBody({ all: true })) as Form;
      if (!csrfMatches(journey, form._csrf))
        throw new ProblemError(403, 'csrf', 'The form’s security token is missing or wrong.');
      return form;
    },

    /**
     * Counts a step of the web journey, for the completion rate; nothing personal. Only a journey begun at the prison
     * step (under its per-client limit) is counted: one whose cookie another page made (the sign-in page, a visit's
     * page) could otherwise add a document at every post, unlimited.
     */
    step: async (journey: Journey, step: string) => {
      if (journey.counted) await recordJourneyStep(db, journey.id, step);
    },
  };
}

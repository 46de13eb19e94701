// The visitor's journey: choose the prison, the prisoner, the visitors, the times and contact details, check the
// answers, send. Server-rendered, complete without JavaScript; answers in the encrypted journey cookie.
import { recordJourneyStep } from '../activities/readModel/journeys';
import { Hono, type Context } from 'hono';
import type { z } from 'zod';
import { formatDate, formatSlot } from '../activities/emails/render';
import type { Services } from '../api/services';
import { prisoner as prisonerSchema, submission, visitor as visitorSchema } from '../rules/shapes';
import { toFieldErrors } from '../api/validation';
import { ProblemError } from '../api/problem';
import { bookableSlots } from '../rules/calendar';
import { londonClock } from '../rules/londonTime';
import type { Prison } from '../rules/prison';
import { dateFieldsOf, isoDateOf, readDateFields, type DateFields } from '../rules/dateFields';
import { checkSubmission } from '../rules/submission';
import type { Locale } from '../rules/vocabulary';
import { translate } from './i18n';
import { csrfMatches, newJourney, readJourney, writeJourney, type Journey } from './journeyCookie';
import { localeOf, render } from './render';
import { refusals } from '../rules/refusals';
import { Refused, visitClient } from '../workflows/client';

type FieldProblem = { path: string; code: string };

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

export function requestPages(services: Services) {
  const { rules, db, secureCookies } = services;
  const secret = services.session.secret;

  /** Counts a step of the web journey, for the completion rate; nothing personal. */
  const event = (journey: Journey, step: string) => recordJourneyStep(db, journey.id, step);

  /** The words for a problem with a field, in the visitor's language. */
  function message(locale: Locale, problem: FieldProblem, prison?: Prison): string {
    const specific = `errors.${problem.path.replace(/\.\d+\./, '.')}.${problem.code}`;
    if (problem.code === 'prison_not_bookable' && prison) {
      const which = prison.closed ? 'prison_closed' : prison.private ? 'prison_private' : 'prison_disabled';
      return translate(locale, `errors.${which}`, { prison: prison.name, phone: prison.phone ?? '0300 060 6000' });
    }
    const values: Record<string, number> = prison
      ? { max: Math.min(6, prison.maxVisitors), adults: prison.maxAdults, adultAge: prison.adultAge }
      : {};
    const key = translate(locale, specific) !== specific ? specific : `errors.${problem.code}`;
    return translate(locale, key, values);
  }

  const errorsFor = (c: Context, problems: FieldProblem[], prison?: Prison) =>
    problems.map((problem) => ({ path: problem.path, text: message(localeOf(c), problem, prison) }));

  /** The journey, or the page that explains it has gone. */
  function journeyOf(c: Context): Journey | Response {
    const journey = readJourney(c, secret);
    if (journey === 'expired') {
      return render(c, 'page', {
        title: translate(localeOf(c), 'expired.title'),
        paragraphs: [translate(localeOf(c), 'expired.body')],
        link: { href: '/', text: translate(localeOf(c), 'expired.restart') },
      });
    }
    if (journey === 'missing') return c.redirect('/');
    return journey;
  }

  /** A form post: its fields, once its CSRF token is checked. */
  async function formOf(c: Context, journey: Journey): Promise<Record<string, string | string[]>> {
    const form = (await c.req.parseBody({ all: true })) as Record<string, string | string[]>;
    if (!csrfMatches(journey, form._csrf))
      throw new ProblemError(403, 'csrf', 'The form’s security token is missing or wrong.');
    return form;
  }

  const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
  const date = (form: Record<string, string | string[]>, name: string) =>
    readDateFields(name, (field) => text(form[field]));

  const prisonOf = (journey: Journey) => (journey.prisonId ? rules.get(journey.prisonId) : undefined);
  const next = (c: Context, step: string) => c.redirect(c.req.query('back') === 'check' ? '/request/check' : step);
  const today = () => londonClock(new Date()).date;
  const t = (c: Context) => (key: string, values?: Record<string, string | number>) =>
    translate(localeOf(c), key, values);

  /** Checks a part of the request with the API's own schema, giving field problems with their codes. */
  function check<S extends z.ZodType>(schema: S, value: unknown, prefix: string): FieldProblem[] {
    const result = schema.safeParse(value);
    return result.success
      ? []
      : toFieldErrors(result.error).map((e) => ({ path: `${prefix}.${e.path}`.replace(/\.$/, ''), code: e.code }));
  }

  /**
   * The schema's problems with a step, and the prison rules' problems with its fields where the schema found
   * none (a date of birth must be a real date before it can be in the future), so one page names them all.
   */
  const withRules = (schema: FieldProblem[], rules: FieldProblem[], step: string): FieldProblem[] => {
    const flagged = new Set(schema.map((p) => p.path));
    return [...schema, ...rules.filter((p) => p.path.startsWith(step) && !flagged.has(p.path))].sort(
      (a, b) => order(a.path) - order(b.path),
    );
  };
  const fieldOrder = ['firstName', 'lastName', 'dateOfBirth', 'organisation', 'number'];
  const order = (path: string) =>
    Number(/\.(\d+)\./.exec(path)?.[1] ?? 0) * 10 + Math.max(0, fieldOrder.indexOf(path.split('.').pop() ?? ''));

  const app = new Hono();
  const visits = visitClient(services);

  app.get('/', (c) => render(c, 'start', { title: t(c)('start.title') }));

  app.on(['GET', 'POST'], '/request/prison', async (c) => {
    let journey = readJourney(c, secret);
    if (typeof journey === 'string') {
      journey = newJourney();
      await event(journey, 'started');
    }
    let problems: FieldProblem[] = [];
    let chosen = journey.prisonId;
    if (c.req.method === 'POST') {
      const form = await formOf(c, journey);
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
        writeJourney(c, { ...journey, prisonId: chosen }, secret, secureCookies);
        await event(journey, 'prison');
        return next(c, '/request/prisoner');
      }
    }
    writeJourney(c, journey, secret, secureCookies);
    const locale = localeOf(c);
    return render(c, 'prison', {
      title: t(c)('prison.title'),
      backUrl: '/',
      csrf: journey.csrf,
      prison: chosen ? rules.get(chosen) : undefined,
      errors: problems.map((p) => ({
        path: p.path,
        text: p.code === 'required' ? t(c)('errors.prison.required') : message(locale, p, rules.get(chosen ?? '')),
      })),
      prisonItems: rules.list().map((p) => ({
        value: p.id,
        text: (locale === 'cy' && p.nameCy) || p.name,
        checked: p.id === chosen,
      })),
    });
  });

  app.on(['GET', 'POST'], '/request/prisoner', async (c) => {
    const journey = journeyOf(c);
    if (journey instanceof Response) return journey;
    const prison = prisonOf(journey);
    if (!prison) return c.redirect('/request/prison');
    let values = { ...journey.prisoner, dob: dateFieldsOf(journey.prisoner?.dateOfBirth) };
    let problems: FieldProblem[] = [];
    if (c.req.method === 'POST') {
      const form = await formOf(c, journey);
      const dob = date(form, 'dob');
      const prisoner = {
        firstName: text(form.firstName),
        lastName: text(form.lastName),
        dateOfBirth: isoDateOf(dob),
        number: text(form.number),
      };
      values = { ...prisoner, dob };
      problems = withRules(
        check(prisonerSchema, prisoner, 'prisoner'),
        checkSubmission({ prisoner, visitors: [], slotOptions: [] }, prison, today()),
        'prisoner',
      );
      if (problems.length === 0) {
        writeJourney(c, { ...journey, prisoner: prisonerSchema.parse(prisoner) }, secret, secureCookies);
        await event(journey, 'prisoner');
        return next(c, '/request/visitors');
      }
    }
    writeJourney(c, journey, secret, secureCookies);
    return render(c, 'prisoner', {
      title: t(c)('prisoner.title'),
      backUrl: '/request/prison',
      csrf: journey.csrf,
      prison,
      values,
      errors: errorsFor(c, problems, prison),
    });
  });

  app.on(['GET', 'POST'], '/request/visitors', async (c) => {
    const journey = journeyOf(c);
    if (journey instanceof Response) return journey;
    const prison = prisonOf(journey);
    if (!prison) return c.redirect('/request/prison');
    const maxVisitors = Math.min(6, prison.maxVisitors);
    let visitors: VisitorForm[] = journey.visitors?.map((v) => ({ ...v, dob: dateFieldsOf(v.dateOfBirth) })) ?? [
      blankVisitor(),
    ];
    let problems: FieldProblem[] = [];
    if (c.req.method === 'POST') {
      const form = await formOf(c, journey);
      visitors = [];
      for (let i = 0; form[`visitor-${i}-firstName`] !== undefined; i++) {
        const dob = date(form, `visitor-${i}-dob`);
        const organisation = text(form[`visitor-${i}-organisation`]);
        visitors.push({
          firstName: text(form[`visitor-${i}-firstName`]),
          lastName: text(form[`visitor-${i}-lastName`]),
          dateOfBirth: isoDateOf(dob),
          ...(organisation ? { organisation } : {}),
          dob,
        });
      }
      if (visitors.length === 0) visitors.push(blankVisitor());
      const bare = visitors.map(withoutDateParts);
      if (form.add !== undefined && visitors.length < maxVisitors) {
        visitors.push(blankVisitor());
      } else if (form.remove !== undefined) {
        visitors.splice(Number(form.remove), 1);
      } else {
        problems = withRules(
          bare.flatMap((v, i) => check(visitorSchema, v, `visitors.${i}`)),
          checkSubmission(
            { prisoner: journey.prisoner ?? { dateOfBirth: '1970-01-01' }, visitors: bare, slotOptions: [] },
            prison,
            today(),
          ),
          'visitors',
        );
        if (problems.length === 0) {
          writeJourney(c, { ...journey, visitors: bare.map((v) => visitorSchema.parse(v)) }, secret, secureCookies);
          await event(journey, 'visitors');
          return next(c, '/request/slots');
        }
      }
      writeJourney(
        c,
        {
          ...journey,
          visitors: visitors.map(withoutDateParts),
        },
        secret,
        secureCookies,
      );
    } else {
      writeJourney(c, journey, secret, secureCookies);
    }
    return render(c, 'visitors', {
      title: t(c)('visitors.title'),
      backUrl: '/request/prisoner',
      csrf: journey.csrf,
      prison,
      maxVisitors,
      rules: t(c)('visitors.rules', { max: maxVisitors, adults: prison.maxAdults, adultAge: prison.adultAge }),
      values: { visitors },
      errors: errorsFor(c, problems, prison),
    });
  });

  app.on(['GET', 'POST'], '/request/slots', async (c) => {
    const journey = journeyOf(c);
    if (journey instanceof Response) return journey;
    const prison = prisonOf(journey);
    if (!prison) return c.redirect('/request/prison');
    let chosen = journey.slotOptions ?? [];
    let problems: FieldProblem[] = [];
    if (c.req.method === 'POST') {
      const form = await formOf(c, journey);
      chosen = ([] as string[]).concat(form.slotOptions ?? []);
      const bookable = new Set(bookableSlots(prison, today()));
      if (chosen.length === 0) problems = [{ path: 'slotOptions', code: 'required' }];
      else if (chosen.length > 3) problems = [{ path: 'slotOptions', code: 'too_many_slots' }];
      else if (chosen.some((slot) => !bookable.has(slot)))
        problems = [{ path: 'slotOptions', code: 'slot_unavailable' }];
      if (problems.length === 0) {
        writeJourney(c, { ...journey, slotOptions: chosen }, secret, secureCookies);
        await event(journey, 'slots');
        return next(c, '/request/contact');
      }
    }
    writeJourney(c, journey, secret, secureCookies);
    const locale = localeOf(c);
    const groups = new Map<string, { date: string; label: string; items: unknown[] }>();
    for (const slot of bookableSlots(prison, today())) {
      const day = slot.slice(0, 10);
      if (!groups.has(day)) groups.set(day, { date: day, label: formatDate(day, locale), items: [] });
      groups
        .get(day)
        ?.items.push({ value: slot, text: formatSlot(slot, locale).split(', ').pop(), checked: chosen.includes(slot) });
    }
    return render(c, 'slots', {
      title: t(c)('slots.title'),
      backUrl: '/request/visitors',
      csrf: journey.csrf,
      prison,
      slotGroups: [...groups.values()],
      errors: problems.map((p) => ({
        path: p.path,
        text: p.code === 'required' ? t(c)('errors.slots.required') : message(locale, p, prison),
      })),
    });
  });

  app.on(['GET', 'POST'], '/request/contact', async (c) => {
    const journey = journeyOf(c);
    if (journey instanceof Response) return journey;
    const prison = prisonOf(journey);
    if (!prison) return c.redirect('/request/prison');
    let values = journey.contact ?? { email: '', phone: '' };
    let problems: FieldProblem[] = [];
    if (c.req.method === 'POST') {
      const form = await formOf(c, journey);
      values = { email: text(form.email), phone: text(form.phone) };
      problems = check(submission.shape.contact, values, 'contact');
      if (problems.length === 0) {
        writeJourney(c, { ...journey, contact: values }, secret, secureCookies);
        await event(journey, 'contact');
        return c.redirect('/request/check');
      }
    }
    writeJourney(c, journey, secret, secureCookies);
    return render(c, 'contact', {
      title: t(c)('contact.title'),
      backUrl: '/request/slots',
      csrf: journey.csrf,
      prison,
      values,
      errors: errorsFor(c, problems, prison),
    });
  });

  app.on(['GET', 'POST'], '/request/check', async (c) => {
    const journey = journeyOf(c);
    if (journey instanceof Response) return journey;
    const prison = prisonOf(journey);
    if (!prison || !journey.prisoner || !journey.visitors || !journey.slotOptions || !journey.contact) {
      return c.redirect('/request/prison');
    }
    const locale = localeOf(c);
    const body = {
      prisonId: prison.id,
      prisoner: journey.prisoner,
      visitors: journey.visitors,
      slotOptions: journey.slotOptions,
      contact: journey.contact,
      locale,
    };
    // Answers changed since they were checked (a visitor added, then left empty) go back to their step.
    const parsed = submission.safeParse(body);
    if (!parsed.success) {
      const [first] = toFieldErrors(parsed.error);
      const step = { prisoner: 'prisoner', visitors: 'visitors', slotOptions: 'slots', contact: 'contact' }[
        first.path.split('.')[0]
      ];
      return c.redirect(`/request/${step ?? 'prison'}`);
    }
    let problems: FieldProblem[] = [];
    if (c.req.method === 'POST') {
      await formOf(c, journey);
      problems = checkSubmission(parsed.data, prison, today());
      if (problems.length === 0) {
        // The journey's id is the Idempotency-Key: a second press of the button sends nothing twice. If the answers
        // changed after an attempt that failed (a busy service), the changed request gets a key of its own.
        const send = () => visits.submit(parsed.data, { idempotencyKey: journey.id, today: today() });
        const sent = await send().catch((error: unknown) => {
          if (!(error instanceof Refused && error.code === refusals.idempotencyKeyReused)) throw error;
          journey.id = newJourney().id;
          return send();
        });
        await event(journey, 'submitted');
        writeJourney(
          c,
          {
            csrf: journey.csrf,
            id: journey.id,
            updatedAt: Date.now(),
            sent: {
              reference: sent.reference,
              confirmBy: sent.confirmBy,
              prisonId: prison.id,
              email: journey.contact.email,
              accessToken: sent.accessToken,
            },
          },
          secret,
          secureCookies,
        );
        return c.redirect('/request/confirmation');
      }
    }
    writeJourney(c, journey, secret, secureCookies);
    const change = (href: string, what: string) => ({
      items: [{ href: `${href}?back=check`, text: t(c)('common.change'), visuallyHiddenText: what }],
    });
    const row = (key: string, html: string, href: string) => ({
      key: { text: t(c)(key) },
      value: { html },
      actions: change(href, t(c)(key)),
    });
    const escape = (value: string) => value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
    const person = (p: { firstName: string; lastName: string; dateOfBirth: string; organisation?: string }) =>
      `${escape(p.firstName)} ${escape(p.lastName)}, ${formatDate(p.dateOfBirth, locale, { weekday: false })}` +
      (p.organisation ? ` (${escape(p.organisation)})` : '');
    return render(c, 'check', {
      title: t(c)('check.title'),
      backUrl: '/request/contact',
      csrf: journey.csrf,
      prison,
      errors: errorsFor(c, problems, prison),
      rows: [
        row('check.prison', escape((locale === 'cy' && prison.nameCy) || prison.name), '/request/prison'),
        row('check.prisoner', `${person(journey.prisoner)}<br>${escape(journey.prisoner.number)}`, '/request/prisoner'),
        row('check.visitors', journey.visitors.map(person).join('<br>'), '/request/visitors'),
        row(
          'check.slots',
          journey.slotOptions.map((slot) => escape(formatSlot(slot, locale))).join('<br>'),
          '/request/slots',
        ),
        row(
          'check.contact',
          `${escape(journey.contact.email)}<br>${escape(journey.contact.phone)}`,
          '/request/contact',
        ),
      ],
    });
  });

  app.get('/request/confirmation', (c) => {
    const journey = journeyOf(c);
    if (journey instanceof Response) return journey;
    if (!journey.sent) return c.redirect('/');
    const prison = rules.get(journey.sent.prisonId);
    const locale = localeOf(c);
    return render(c, 'confirmation', {
      title: t(c)('confirmation.title'),
      prison,
      sent: journey.sent,
      prisonName: (prison && ((locale === 'cy' && prison.nameCy) || prison.name)) ?? journey.sent.prisonId,
      confirmBy: formatDate(journey.sent.confirmBy, locale),
      statusUrl: `/visits/${journey.sent.reference}?token=${encodeURIComponent(journey.sent.accessToken)}`,
    });
  });

  return app;
}

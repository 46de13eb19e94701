// The journey's last steps: check the answers and send the request (through the one client of the visit workflows,
// as the API does), then the confirmation with the reference and the private link to the visit.
import { Hono, type Context } from 'hono';
import { rememberVisitors } from '../../activities/readModel/bookers';
import { findVisit } from '../../activities/readModel/lookups';
import { blockedOfPrison } from '../../activities/readModel/blockedDates';
import { clock, formatDate, formatSlot } from '../../rules/dateWords';
import { londonClock } from '../../rules/londonTime';
import type { Services } from '../../api/services';
import { toFieldErrors } from '../../api/validation';
import { refusals } from '../../rules/refusals';
import { submission } from '../../rules/shapes';
import { checkSubmission } from '../../rules/submission';
import { Refused, visitClient } from '../../workflows/client';
import { holdsClient } from '../../workflows/holdsClient';
import { bookerOfPage } from '../account';
import { newJourney, type Journey } from '../journeyCookie';
import { escapeHtml, localeOf, render } from '../render';
import { visitAccess } from '../visitAccess';
import { errorsFor, journeys, today, wordsFor, type FieldProblem } from './common';
import { holdTime } from './slots';

type Answers = Required<Pick<Journey, 'prisoner' | 'visitors' | 'slotOptions' | 'contact'>> & Pick<Journey, 'support'>;

/** The support asked for, in the visitor's words: the needs ticked and the details, or that there is none. */
function supportWords(t: (key: string) => string, support: Journey['support']): string {
  const lines = [...(support?.needs ?? []).map((need) => t(`support.need.${need}`)), support?.details ?? ''];
  const said = lines.filter(Boolean).map(escapeHtml);
  return said.length > 0 ? said.join('<br>') : escapeHtml(t('check.supportNone'));
}

/** The answers as summary-list rows, each with a link back to its step. */
function answerRows(c: Context, prisonName: string, answers: Answers) {
  const t = wordsFor(c);
  const locale = localeOf(c);
  const row = (key: string, html: string, href: string) => ({
    key: { text: t(key) },
    value: { html },
    actions: { items: [{ href: `${href}?back=check`, text: t('common.change'), visuallyHiddenText: t(key) }] },
  });
  const person = (p: { firstName: string; lastName: string; dateOfBirth: string; organisation?: string }) =>
    `${escapeHtml(p.firstName)} ${escapeHtml(p.lastName)}, ${formatDate(p.dateOfBirth, locale, { weekday: false })}` +
    (p.organisation ? ` (${escapeHtml(p.organisation)})` : '');
  const { prisoner, visitors, slotOptions, contact } = answers;
  return [
    row('check.prison', escapeHtml(prisonName), '/request/prison'),
    row('check.prisoner', `${person(prisoner)}<br>${escapeHtml(prisoner.number)}`, '/request/prisoner'),
    row('check.visitors', visitors.map(person).join('<br>'), '/request/visitors'),
    row('check.support', supportWords(t, answers.support), '/request/visitors'),
    row('check.slots', slotOptions.map((slot) => escapeHtml(formatSlot(slot, locale))).join('<br>'), '/request/slots'),
    row(
      'check.contact',
      [contact.email, contact.phone, t(`check.notifyBy.${contact.notifyBy ?? 'email'}`)].map(escapeHtml).join('<br>'),
      '/request/contact',
    ),
  ];
}

export function checkStep(services: Services) {
  const { rules } = services;
  const journey = journeys(services);
  const visits = visitClient(services);
  const holds = holdsClient(services);
  const access = visitAccess(services.session.secret, services.secureCookies);
  const bookerOf = bookerOfPage(services);

  return new Hono()
    .on(['GET', 'POST'], '/request/check', async (c) => {
      const answers = journey.of(c);
      if (answers instanceof Response) return answers;
      const prison = journey.prisonOf(answers);
      const { prisoner, visitors, slotOptions, contact } = answers;
      if (!prison || !prisoner || !visitors || !slotOptions || !contact) return c.redirect('/request/prison');
      const locale = localeOf(c);
      // Answers changed since they were checked (a visitor added, then left empty) go back to their step.
      // At a prison that books at once, the place held for the time chosen goes with the request: held again if it
      // ran out while the visitor checked; taken meanwhile, they choose another time.
      let hold: Journey['hold'];
      if (prison.booking === 'instant' && slotOptions.length === 1) {
        hold = await holdTime(holds, answers.hold, prison, slotOptions[0]);
        if (!hold) {
          journey.save(c, { ...answers, hold: undefined });
          return c.redirect('/request/slots?taken=1');
        }
        answers.hold = hold;
      }
      const parsed = submission.safeParse({
        prisonId: prison.id,
        prisoner,
        visitors,
        slotOptions,
        contact,
        locale,
        ...(hold ? { holdId: hold.id } : {}),
        ...(answers.support && (answers.support.needs.length > 0 || answers.support.details)
          ? { support: answers.support }
          : {}),
      });
      if (!parsed.success) {
        const [first] = toFieldErrors(parsed.error);
        const step = {
          prisoner: 'prisoner',
          visitors: 'visitors',
          support: 'visitors',
          slotOptions: 'slots',
          contact: 'contact',
        }[first.path.split('.')[0]];
        return c.redirect(`/request/${step ?? 'prison'}`);
      }
      let problems: FieldProblem[] = [];
      if (c.req.method === 'POST') {
        await journey.form(c, answers);
        problems = checkSubmission(parsed.data, prison, today(), await blockedOfPrison(services.db, prison.id));
        if (problems.length === 0) {
          // The journey's id is the Idempotency-Key: a second press of the button sends nothing twice. If the
          // answers changed after an attempt that failed (a busy service), the changed request gets a key of its own.
          const booker = await bookerOf(c);
          const bookerId = booker?.booker.bookerId;
          const send = () => visits.submit(parsed.data, { idempotencyKey: answers.id, today: today(), bookerId });
          const sent = await send().catch((error: unknown) => {
            if (!(error instanceof Refused && error.code === refusals.idempotencyKeyReused)) throw error;
            answers.id = newJourney().id;
            return send();
          });
          await journey.step(answers, 'submitted');
          // A signed-in booker's visitors and phone number are offered again next time.
          if (bookerId) await rememberVisitors(services.db, bookerId, parsed.data.visitors, contact.phone);
          // Booked at once (its checks passed and the time was free): the read model says so before the answer came.
          const booked =
            prison.booking === 'instant' ? (await findVisit(services.db, sent.reference))?.slotGranted : undefined;
          // The browser that sent it may see the visit at once: no token in its address or its history.
          await access.grant(c, sent.reference);
          journey.save(c, {
            csrf: answers.csrf,
            id: answers.id,
            updatedAt: Date.now(),
            sent: {
              reference: sent.reference,
              confirmBy: sent.confirmBy,
              prisonId: prison.id,
              email: contact.email,
              ...(booked ? { booked } : {}),
              ...(bookerId ? { account: true as const } : {}),
            },
          });
          return c.redirect('/request/confirmation');
        }
      }
      journey.save(c, answers);
      return render(c, 'check', {
        title: wordsFor(c)('check.title'),
        backUrl: '/request/contact',
        csrf: answers.csrf,
        prison,
        errors: errorsFor(c, problems, prison),
        heldUntil: hold && {
          time: formatSlot(hold.slot, locale),
          minutes: Math.max(1, Math.ceil((Date.parse(hold.expiresAt) - Date.now()) / 60_000)),
          until: clock(londonClock(new Date(hold.expiresAt)).time, locale),
        },
        rows: answerRows(c, (locale === 'cy' && prison.nameCy) || prison.name, {
          prisoner,
          visitors,
          slotOptions,
          contact,
          support: answers.support,
        }),
      });
    })
    .get('/request/confirmation', (c) => {
      const answers = journey.of(c);
      if (answers instanceof Response) return answers;
      const { sent } = answers;
      if (!sent) return c.redirect('/');
      const prison = rules.get(sent.prisonId);
      const locale = localeOf(c);
      return render(c, 'confirmation', {
        title: wordsFor(c)(sent.booked ? 'confirmation.bookedTitle' : 'confirmation.title'),
        booked: sent.booked && formatSlot(sent.booked, locale),
        prison,
        sent,
        prisonName: (prison && ((locale === 'cy' && prison.nameCy) || prison.name)) ?? sent.prisonId,
        confirmBy: formatDate(sent.confirmBy, locale),
        statusUrl: `/visits/${sent.reference}`,
      });
    });
}

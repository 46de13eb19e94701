// The staff workspace's first pages: sign in and out, the queue of a prison, and a visit with its decision form.
// Signed in by the session cookie; every form carries a CSRF token tied to the session; every page checks the
// user's prisons, as the API does.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { formatDate, formatSlot } from '../activities/emails/render';
import {
  bookedInSlot,
  bookedOn as bookedVisitsOn,
  decidedSince,
  findVisit,
  queueCount,
  queueOf,
  queueSignature,
} from '../activities/readModel/lookups';
import type { VisitDocument } from '../activities/readModel/visits';
import type { Services } from '../api/services';
import { ProblemError } from '../api/problem';
import { type StaffUser } from '../api/schemas';
import { decision as decisionSchema, staffCancellation, staffMessage, submission } from '../rules/shapes';
import { messageFor } from '../api/errorMessages';
import { bookableSlots, requestSchedule, slotCapacity } from '../rules/calendar';
import { checkSubmission } from '../rules/submission';
import { canSeePrison, issueToken, readToken, SESSION_COOKIE, SESSION_SECONDS } from '../api/session';
import { clearFailures, lockedFor, recordFailure } from '../api/signInThrottle';
import { findStaffAccount, signInStaff } from '../api/staffAccounts';
import { toFieldErrors } from '../api/validation';
import { runCommand, submitVisit } from '../api/visitCommands';
import { searchVisits } from '../api/visitViews';
import { addDays, londonClock } from '../rules/londonTime';
import { barChart } from './charts';
import { dashboardFigures } from './dashboardFigures';
import { evaluateEligibility } from '../rules/eligibility';
import { inputFromCase, sampleCase } from '../rules/examples';
import { parseRuleFile } from '../rules/ruleFile';
import { cancellationReason, channel, rejectionReason } from '../rules/vocabulary';
import { cancelByStaff, confirmCancellation, decide, sendMessage } from '../workflows/messages';
import { csrfMatches, newJourney, readJourney, writeJourney } from './journeyCookie';
import { render } from './render';

type StaffPageEnv = { Variables: { user: StaffUser; csrf: string; queueCount: number } };

/** The form's own key, if it sent a well-formed one. */
const formKeyOf = (body: Record<string, string | string[]>) =>
  typeof body.key === 'string' && /^[0-9a-f]{32}$/.test(body.key) ? body.key : undefined;

/** A real date written YYYY-MM-DD, or undefined. */
const realDate = (value: string | undefined) => {
  const time = value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value ?? '') ? value : undefined;
};

const ended = (): never => {
  throw new ProblemError(409, 'not_booked', 'This visit can no longer be changed.');
};

const outcomeWords = {
  allowed: 'Allowed',
  banned: 'Banned',
  not_on_list: 'Not on the contact list',
  other: 'Other reason',
};

export function staffPages(services: Services) {
  const { db, rules, session, secureCookies } = services;
  const csrfFor = (token: string) => createHmac('sha256', session.secret).update(`csrf:${token}`).digest('base64url');

  /** Signed-in staff only; anyone else goes to the sign-in page. */
  const signedIn = async (c: Context<StaffPageEnv>, next: () => Promise<void>) => {
    const token = getCookie(c, SESSION_COOKIE);
    const email = token ? readToken(token, session) : undefined;
    const user = email ? await findStaffAccount(db, email) : undefined;
    if (!token || !user) return c.redirect('/staff/sign-in');
    c.set('user', user);
    c.set('csrf', csrfFor(token));
    // The count of requests to decide at the prison the page is about, for the navigation of every page.
    const prisonId = c.req.query('prisonId') ?? prisonsOf(user)[0]?.id;
    const counted = prisonId && rules.get(prisonId) && canSeePrison(user, prisonId);
    c.set('queueCount', counted ? await queueCount(db, prisonId) : 0);
    await next();
  };

  /** A form post's fields, once its CSRF token is the session's. */
  async function form(c: Context<StaffPageEnv>) {
    const body = (await c.req.parseBody({ all: true })) as Record<string, string | string[]>;
    const [given, expected] = [Buffer.from(String(body._csrf ?? '')), Buffer.from(c.get('csrf'))];
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ProblemError(403, 'csrf', 'The form’s security token is missing or wrong.');
    }
    return body;
  }

  /** A visit the user may see; 404 otherwise, revealing nothing. */
  async function visibleVisit(c: Context<StaffPageEnv>): Promise<VisitDocument> {
    const visit = await findVisit(db, c.req.param('reference') ?? '');
    if (!visit || !canSeePrison(c.get('user'), visit.prisonId)) {
      throw new ProblemError(404, 'not_found', 'There is no visit with this reference at your prisons.');
    }
    return visit;
  }

  /** A staff page, with the signed-in user, the form token and the queue count its layout shows. */
  const staffPage = (c: Context<StaffPageEnv>, view: string, context: Parameters<typeof render>[2]) =>
    render(c, view, { user: c.get('user'), csrf: c.get('csrf'), queueCount: c.get('queueCount'), ...context });

  const prisonsOf = (user: StaffUser) => rules.list().filter((prison) => canSeePrison(user, prison.id));
  const app = new Hono<StaffPageEnv>();

  app.on(['GET', 'POST'], '/staff/sign-in', async (c) => {
    const found = readJourney(c, session.secret);
    const journey = typeof found === 'string' ? newJourney() : found;
    let errors: { path: string; text: string }[] = [];
    let email = '';
    if (c.req.method === 'POST') {
      const body = await c.req.parseBody();
      if (!csrfMatches(journey, body._csrf))
        throw new ProblemError(403, 'csrf', 'The form’s security token is missing or wrong.');
      email = String(body.email ?? '').trim();
      const password = String(body.password ?? '');
      if (await lockedFor(db, email)) {
        errors = [{ path: 'email', text: 'Too many failed attempts. Wait 15 minutes before you try again.' }];
      } else {
        const user = email && password ? await signInStaff(db, email, password) : undefined;
        if (user) {
          await clearFailures(db, email);
          setCookie(c, SESSION_COOKIE, issueToken(user.email, session), {
            httpOnly: true,
            secure: secureCookies,
            sameSite: 'Lax',
            path: '/',
            maxAge: SESSION_SECONDS,
          });
          return c.redirect('/staff/queue');
        }
        if (email) await recordFailure(db, email);
        errors = [{ path: 'email', text: 'Enter the email address and password of a staff account' }];
      }
    }
    writeJourney(c, journey, session.secret, secureCookies);
    return render(c, 'staff/signIn', { title: 'Sign in', csrf: journey.csrf, values: { email }, errors });
  });

  app.post('/staff/sign-out', signedIn, async (c) => {
    await form(c);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/staff/sign-in');
  });

  /** The prison a page is about: the one asked for, if the user works there, else their first. */
  function prisonFor(c: Context<StaffPageEnv>): string {
    const user = c.get('user');
    const prisonId = c.req.query('prisonId') ?? prisonsOf(user)[0]?.id;
    if (!prisonId || !rules.get(prisonId) || !canSeePrison(user, prisonId)) {
      throw new ProblemError(403, 'not_your_prison', 'You do not work at this prison.');
    }
    return prisonId;
  }

  // Tells an open queue page when its queue changes, so that it reloads itself (polled: FerretDB has no change
  // streams). Without JavaScript, the page's own "Refresh the queue" link does the same.
  app.get('/staff/queue/events', signedIn, (c) => {
    const prisonId = prisonFor(c);
    const signature = () => queueSignature(db, prisonId);
    return streamSSE(c, async (stream) => {
      const first = await signature();
      // Says the queue is being watched from now on: a change after this event is sent is seen.
      await stream.writeSSE({ event: 'watching', data: prisonId });
      for (let polls = 0; polls < 200 && !stream.aborted; polls++) {
        await stream.sleep(3000);
        if ((await signature()) !== first) {
          await stream.writeSSE({ event: 'queue-changed', data: 'reload' });
          return;
        }
      }
    });
  });

  app.get('/staff/queue', signedIn, async (c) => {
    const user = c.get('user');
    const prisons = prisonsOf(user);
    const prisonId = prisonFor(c);
    const { requested, cancellations } = await queueOf(db, [prisonId]);
    const link = (visit: VisitDocument) => ({
      html: `<a class="govuk-link" href="/staff/visits/${visit.reference}">${visit.reference}</a>`,
    });
    const prisoner = (visit: VisitDocument) => ({ text: `${visit.prisoner.firstName} ${visit.prisoner.lastName}` });
    return staffPage(c, 'staff/queue', {
      title: `Queue: ${rules.get(prisonId)?.name ?? prisonId}`,
      user,
      csrf: c.get('csrf'),
      active: 'queue',
      eventsUrl: `/staff/queue/events?prisonId=${prisonId}`,
      refreshUrl: `/staff/queue?prisonId=${prisonId}`,
      prisonItems: prisons.map((p) => ({ value: p.id, text: p.name, selected: p.id === prisonId })),
      requested: requested.map((visit) => [
        link(visit),
        prisoner(visit),
        { text: formatDate(visit.confirmBy, 'en') },
        {
          html: [
            ...(visit.overdue ? ['<strong class="govuk-tag govuk-tag--red">Overdue</strong>'] : []),
            ...(visit.eligibility?.flags ?? []).map(
              (f) => `<strong class="govuk-tag govuk-tag--yellow">${f.flag.replaceAll('_', ' ')}</strong>`,
            ),
          ].join(' '),
        },
      ]),
      cancellations: cancellations.map((visit) => [
        link(visit),
        prisoner(visit),
        { text: visit.slotGranted ? formatSlot(visit.slotGranted, 'en') : '' },
      ]),
    });
  });

  /** Places left in a slot with a capacity, as the read model counts its bookings; none where there is no limit. */
  async function placesLeft(prisonId: string, slot: string) {
    const prison = rules.get(prisonId);
    const capacity = prison && slotCapacity(prison, slot);
    if (!capacity) return undefined;
    const booked = await bookedInSlot(db, prisonId, slot);
    const left = (kind: 'open' | 'closed') =>
      capacity[kind] === undefined ? '' : `${Math.max(0, (capacity[kind] ?? 0) - booked[kind])} ${kind}`;
    return { text: `Places left: ${[left('open'), left('closed')].filter(Boolean).join(', ')}` };
  }

  async function visitPage(
    c: Context<StaffPageEnv>,
    visit: VisitDocument,
    errors: { path: string; text: string }[] = [],
    notice = '',
  ) {
    const row = (key: string, text: string) => ({ key: { text: key }, value: { text } });
    const eligibility = visit.eligibility;
    return staffPage(c, 'staff/visit', {
      title: `${visit.prisoner.firstName} ${visit.prisoner.lastName}`,
      user: c.get('user'),
      csrf: c.get('csrf'),
      visit,
      errors,
      notice,
      // Sent back with the form: a second press of its button repeats nothing.
      formKey: randomBytes(16).toString('hex'),
      status: errors.length ? 400 : 200,
      details: [
        row('Prison', rules.get(visit.prisonId)?.name ?? visit.prisonId),
        row('Prison number', visit.prisoner.number),
        row('Prisoner’s date of birth', formatDate(visit.prisoner.dateOfBirth, 'en', { weekday: false })),
        row(
          'Visitors',
          visit.visitors
            .map((v) => `${v.firstName} ${v.lastName} (${formatDate(v.dateOfBirth, 'en', { weekday: false })})`)
            .join('; '),
        ),
        row('Times asked for', visit.slotOptions.map((slot) => formatSlot(slot, 'en')).join('; ')),
        row('Confirm by', formatDate(visit.confirmBy, 'en')),
        row('Contact', `${visit.contact.email}, ${visit.contact.phone}`),
        row(
          'How they asked',
          visit.channel && visit.channel !== 'web'
            ? `${visit.channel.replace('_', ' ')}, with help (${visit.assistedMinutes ?? 0} minutes)`
            : 'online',
        ),
      ],
      findings: [
        ...(eligibility?.rejections ?? []).map((f) => `Rejected (${f.reason}): ${f.explanation}`),
        ...(eligibility?.flags ?? []).map((f) => f.explanation),
        ...(eligibility?.closedVisit ? [`Closed visit: ${eligibility.closedVisit.explanation}`] : []),
      ],
      slotItems: [
        ...(await Promise.all(
          visit.slotOptions.map(async (slot) => ({
            value: slot,
            text: formatSlot(slot, 'en'),
            hint: await placesLeft(visit.prisonId, slot),
          })),
        )),
        { divider: 'or' },
        { value: 'none', text: 'None of these (rejects the request: no slot available)' },
      ],
      visitorItems: visit.visitors.map((v, index) => ({
        index,
        label: `${v.firstName} ${v.lastName}${index === 0 ? ' (lead visitor)' : ''}`,
        options: Object.entries(outcomeWords).map(([value, text]) => ({ value, text })),
      })),
      cancelItems: cancellationReason.options
        .filter((reason) => reason !== 'visitor_cancelled')
        .map((reason) => ({ value: reason, text: reason.replaceAll('_', ' ') })),
      reasonItems: rejectionReason.options
        .filter((reason) => reason !== 'request_expired')
        .map((reason) => ({ value: reason, text: reason.replaceAll('_', ' ') })),
    });
  }

  app.get('/staff/visits/:reference', signedIn, async (c) => visitPage(c, await visibleVisit(c)));

  app.get('/staff/processed', signedIn, async (c) => {
    const prisonId = prisonFor(c);
    const decided = await decidedSince(db, prisonId, londonClock(new Date()).date, 14);
    const decision = (visit: VisitDocument) =>
      visit.timeline.find((entry) => entry.status === 'booked' || entry.status === 'rejected');
    return staffPage(c, 'staff/processed', {
      title: `Processed: ${rules.get(prisonId)?.name ?? prisonId}`,
      user: c.get('user'),
      csrf: c.get('csrf'),
      active: 'processed',
      rows: decided.map((visit) => [
        { html: `<a class="govuk-link" href="/staff/visits/${visit.reference}">${visit.reference}</a>` },
        { text: `${visit.prisoner.firstName} ${visit.prisoner.lastName}` },
        { text: visit.status },
        { text: formatDate(londonClock(new Date(decision(visit)?.at ?? 0)).date, 'en') },
        { text: decision(visit)?.actor ?? decision(visit)?.by ?? '' },
      ]),
    });
  });

  app.get('/staff/search', signedIn, async (c) => {
    const user = c.get('user');
    const q = c.req.query('q') ?? '';
    const page = { title: 'Search', active: 'search', q };
    if (!q) return staffPage(c, 'staff/search', page);
    const found = await searchVisits(db, user, q);
    if (!found) {
      return staffPage(c, 'staff/search', {
        ...page,
        errors: [{ path: 'q', text: 'Enter a prison number like A1234BC or an 8-character reference' }],
      });
    }
    return staffPage(c, 'staff/search', {
      ...page,
      results: found.map((visit) => [
        { html: `<a class="govuk-link" href="/staff/visits/${visit.reference}">${visit.reference}</a>` },
        { text: `${visit.prisoner.firstName} ${visit.prisoner.lastName} (${visit.prisoner.number})` },
        { text: rules.get(visit.prisonId)?.name ?? visit.prisonId },
        { text: visit.status },
      ]),
    });
  });

  /** The visits booked at a prison on a day, in slot order: the day's list for the gate and visits hall. */
  async function bookedOn(c: Context<StaffPageEnv>) {
    const prisons = prisonsOf(c.get('user'));
    const prisonId = prisonFor(c);
    const asked = c.req.query('date') ?? londonClock(new Date()).date;
    const date = realDate(asked) ?? londonClock(new Date()).date;
    const visits = await bookedVisitsOn(db, prisonId, date);
    return { prisons, prisonId, date, asked, visits };
  }

  const personName = (p: { firstName: string; lastName: string }) => `${p.firstName} ${p.lastName}`;

  app.get('/staff/booked', signedIn, async (c) => {
    const { prisons, prisonId, date, asked, visits } = await bookedOn(c);
    return staffPage(c, 'staff/booked', {
      title: 'Booked visits',
      user: c.get('user'),
      csrf: c.get('csrf'),
      active: 'booked',
      date,
      errors: asked === date ? [] : [{ path: 'date', text: 'Enter a date like 2026-12-02' }],
      caption: `${rules.get(prisonId)?.name ?? prisonId}, ${formatDate(date, 'en')}`,
      prisonItems: prisons.map((p) => ({ value: p.id, text: p.name, selected: p.id === prisonId })),
      csvUrl: `/staff/booked.csv?prisonId=${prisonId}&date=${date}`,
      rows: visits.map((visit) => [
        { text: visit.slotGranted?.slice(11) ?? '' },
        { text: `${personName(visit.prisoner)} (${visit.prisoner.number})` },
        {
          text: visit.visitors
            .filter((v) => (v.outcome ?? 'allowed') === 'allowed')
            .map(personName)
            .join(', '),
        },
        { text: visit.closed ? 'Yes' : 'No' },
        { text: visit.referenceNo ?? '' },
      ]),
    });
  });

  app.get('/staff/booked.csv', signedIn, async (c) => {
    const { prisonId, date, visits } = await bookedOn(c);
    // Cells that start with = + - @ are prefixed, so a spreadsheet never runs them as formulas.
    const cell = (value: string) => `"${(/^[=+\-@]/.test(value) ? `'${value}` : value).replaceAll('"', '""')}"`;
    const lines = [
      ['time', 'prisoner', 'prison number', 'visitors', 'closed', 'booking reference', 'reference'],
      ...visits.map((visit) => [
        visit.slotGranted?.slice(11) ?? '',
        personName(visit.prisoner),
        visit.prisoner.number,
        visit.visitors
          .filter((v) => (v.outcome ?? 'allowed') === 'allowed')
          .map(personName)
          .join('; '),
        visit.closed ? 'yes' : 'no',
        visit.referenceNo ?? '',
        visit.reference,
      ]),
    ].map((row) => row.map(cell).join(','));
    c.header('Content-Disposition', `attachment; filename="booked-${prisonId}-${date}.csv"`);
    c.header('Cache-Control', 'no-store');
    return c.body(`${lines.join('\r\n')}\r\n`, 200, { 'Content-Type': 'text/csv; charset=utf-8' });
  });

  app.post('/staff/visits/:reference/decision', signedIn, async (c) => {
    const visit = await visibleVisit(c);
    const user = c.get('user');
    if (user.role === 'policy') throw new ProblemError(403, 'forbidden', 'Policy users cannot decide visits.');
    const body = await form(c);
    const none = body.slot === 'none';
    const outcome = none ? 'reject' : body.outcome;
    const raw =
      outcome === 'accept'
        ? {
            outcome,
            slot: body.slot,
            referenceNo: body.referenceNo,
            closed: body.closed === 'yes',
            visitors: visit.visitors.map((_, index) => ({
              index,
              status: body[`visitor-${index}`] ?? 'allowed',
              ...(body[`visitor-${index}`] === 'banned' && body[`visitor-${index}-bannedUntil`]
                ? { bannedUntil: body[`visitor-${index}-bannedUntil`] }
                : {}),
            })),
          }
        : {
            outcome: 'reject',
            reasons: none ? ['slot_unavailable'] : ([] as string[]).concat(body.reasons ?? []),
            ...(body.detail ? { detail: body.detail } : {}),
          };
    const parsed = decisionSchema.safeParse(raw);
    if (!parsed.success) {
      const words: Record<string, string> = {
        slot: 'Choose a time, or none of these',
        referenceNo: 'Enter the booking reference number',
        reasons: 'Choose at least one reason to reject',
        detail: 'Explain the reason when you choose “other”',
      };
      const errors = toFieldErrors(parsed.error).map((e) => ({ path: e.path, text: words[e.path] ?? e.message }));
      return visitPage(c, visit, errors);
    }
    try {
      await runCommand(services, visit.reference, decide, [{ decision: parsed.data, staff: { email: user.email } }], {
        whenEnded: () => {
          throw new ProblemError(409, 'already_processed', 'already processed');
        },
      });
    } catch (error) {
      if (error instanceof ProblemError && error.status === 409) {
        const latest = (await findVisit(db, visit.reference)) ?? visit;
        const why =
          error.code === 'slot_full'
            ? 'That time is full. Choose another, or reject the request.'
            : 'Someone else processed this request first.';
        return visitPage(c, latest, [{ path: 'slot', text: why }]);
      }
      throw error;
    }
    const message = typeof body.message === 'string' ? body.message.trim() : '';
    const after = await findVisit(db, visit.reference);
    if (message && after?.status === 'booked' && staffMessage.safeParse({ body: message }).success) {
      await runCommand(services, visit.reference, sendMessage, [{ body: message, staff: { email: user.email } }], {
        updateId: formKeyOf(body),
        whenEnded: ended,
      });
    }
    return visitPage(
      c,
      (await findVisit(db, visit.reference)) ?? visit,
      [],
      `Request ${parsed.data.outcome === 'accept' ? 'processed' : 'rejected'}.`,
    );
  });

  /** A command from a booked visit's page: checked, sent, and the page shown again with what happened. */
  async function bookedCommand(
    c: Context<StaffPageEnv>,
    run: (
      visit: VisitDocument,
      body: Record<string, string | string[]>,
    ) => Promise<string | { path: string; text: string }>,
  ) {
    const visit = await visibleVisit(c);
    if (c.get('user').role === 'policy') throw new ProblemError(403, 'forbidden', 'Policy users cannot change visits.');
    const body = await form(c);
    try {
      const outcome = await run(visit, body);
      const latest = (await findVisit(db, visit.reference)) ?? visit;
      return typeof outcome === 'string' ? visitPage(c, latest, [], outcome) : visitPage(c, latest, [outcome]);
    } catch (error) {
      if (error instanceof ProblemError && error.status === 409) {
        return visitPage(c, (await findVisit(db, visit.reference)) ?? visit, [
          { path: 'body', text: 'The visit has changed: it is no longer booked.' },
        ]);
      }
      throw error;
    }
  }

  app.post('/staff/visits/:reference/messages', signedIn, (c) =>
    bookedCommand(c, async (visit, body) => {
      const parsed = staffMessage.safeParse({ body: body.body });
      if (!parsed.success) return { path: 'body', text: 'Enter a message of up to 1,000 characters' };
      await runCommand(
        services,
        visit.reference,
        sendMessage,
        [{ body: parsed.data.body, staff: { email: c.get('user').email } }],
        {
          updateId: formKeyOf(body),
          whenEnded: ended,
        },
      );
      return 'Message sent.';
    }),
  );

  app.post('/staff/visits/:reference/cancel', signedIn, (c) =>
    bookedCommand(c, async (visit, body) => {
      const parsed = staffCancellation.safeParse({ reasons: ([] as string[]).concat(body.cancelReasons ?? []) });
      if (!parsed.success) return { path: 'cancelReasons', text: 'Choose at least one reason to cancel' };
      await runCommand(
        services,
        visit.reference,
        cancelByStaff,
        [{ reasons: parsed.data.reasons, staff: { email: c.get('user').email } }],
        {
          updateId: formKeyOf(body),
          whenEnded: ended,
        },
      );
      return 'Visit cancelled. The visitor has been told.';
    }),
  );

  // Assisted digital: a helper enters a request for a visitor who asked by phone, in person, by email or by post.
  app.on(['GET', 'POST'], '/staff/assisted', signedIn, async (c) => {
    const user = c.get('user');
    if (user.role === 'policy') throw new ProblemError(403, 'forbidden', 'Policy users cannot enter requests.');
    const prisons = prisonsOf(user);
    const asked = c.req.query('prisonId');
    const prison = asked ? rules.get(prisonFor(c)) : undefined;
    const page = {
      title: 'Enter a request for a visitor',
      user,
      csrf: c.get('csrf'),
      active: 'assisted',
      prisonItems: prisons.map((p) => ({ value: p.id, text: p.name })),
    };
    if (!prison) return staffPage(c, 'staff/assisted', page);
    const today = londonClock(new Date()).date;
    const maxVisitors = Math.min(6, prison.maxVisitors);
    let values: Record<string, unknown> = { minutes: '', locale: 'en' };
    let errors: { path: string; text: string }[] = [];
    let key = randomBytes(16).toString('hex');
    if (c.req.method === 'POST') {
      const body = await form(c);
      const field = (name: string) => String(body[name] ?? '').trim();
      const dob = (prefix: string) => ({
        day: field(`${prefix}-day`),
        month: field(`${prefix}-month`),
        year: field(`${prefix}-year`),
      });
      const iso = (d: { day: string; month: string; year: string }) =>
        d.day || d.month || d.year
          ? `${d.year.padStart(4, '0')}-${d.month.padStart(2, '0')}-${d.day.padStart(2, '0')}`
          : '';
      key = /^[0-9a-f]{32}$/.test(field('key')) ? field('key') : key;
      values = {
        ...Object.fromEntries(Object.entries(body).map(([k, v]) => [k, v])),
        'prisoner-dob': dob('prisoner-dob'),
      };
      const visitors = [];
      for (let i = 0; i < maxVisitors; i++) {
        values[`visitor-${i}-dob`] = dob(`visitor-${i}-dob`);
        const visitor = {
          firstName: field(`visitor-${i}-firstName`),
          lastName: field(`visitor-${i}-lastName`),
          dateOfBirth: iso(dob(`visitor-${i}-dob`)),
        };
        if (i === 0 || visitor.firstName || visitor.lastName || visitor.dateOfBirth) visitors.push(visitor);
      }
      const request = {
        prisonId: prison.id,
        prisoner: {
          firstName: field('prisoner-firstName'),
          lastName: field('prisoner-lastName'),
          dateOfBirth: iso(dob('prisoner-dob')),
          number: field('prisoner-number'),
        },
        visitors,
        slotOptions: ([] as string[]).concat(body.slotOptions ?? []),
        contact: { email: field('email'), phone: field('phone') },
        locale: field('locale') === 'cy' ? 'cy' : 'en',
      };
      const minutes = Number(field('minutes'));
      const channelOf = channel.exclude(['web']).safeParse(field('channel'));
      const parsed = submission.safeParse(request);
      const problems = [
        ...(channelOf.success ? [] : [{ path: 'channel', code: 'required', message: 'Choose how the visitor asked' }]),
        ...(field('minutes') !== '' && Number.isInteger(minutes) && minutes >= 0 && minutes <= 600
          ? []
          : [{ path: 'minutes', code: 'required', message: 'Enter the minutes spent, a whole number from 0 to 600' }]),
        ...(parsed.success ? checkSubmission(parsed.data, prison, today) : toFieldErrors(parsed.error)).map((p) => ({
          ...p,
          message: 'message' in p && p.message ? p.message : messageFor(p.code),
        })),
      ];
      if (problems.length === 0 && parsed.success && channelOf.success) {
        const sent = await submitVisit(services, parsed.data, requestSchedule(prison, today), key, {
          channel: channelOf.data,
          minutes,
          by: user.email,
        });
        return c.redirect(`/staff/visits/${sent.reference}`);
      }
      errors = problems.map((p) => ({ path: p.path, text: p.message ?? p.code }));
    }
    return staffPage(c, 'staff/assisted', {
      ...page,
      forPrison: prison,
      key,
      maxVisitors,
      values,
      errors,
      status: errors.length ? 400 : 200,
      channelItems: [
        ['phone', 'Phone'],
        ['in_person', 'In person'],
        ['email', 'Email'],
        ['post', 'Post'],
      ].map(([value, text]) => ({ value, text, checked: values.channel === value })),
      slotItems: bookableSlots(prison, today).map((slot) => ({
        value: slot,
        text: formatSlot(slot, 'en'),
        checked: ([] as unknown[]).concat(values.slotOptions ?? []).includes(slot),
      })),
    });
  });

  /** The dashboard's period: `from` and `to` (inclusive) London dates, the last 28 days by default. */
  function period(c: Context<StaffPageEnv>) {
    const today = londonClock(new Date()).date;
    const valid = realDate;
    const from = valid(c.req.query('from')) ?? addDays(today, -27);
    const to = valid(c.req.query('to')) ?? today;
    const errors = [
      ...(c.req.query('from') && !valid(c.req.query('from'))
        ? [{ path: 'from', text: 'Enter a date like 2026-11-01' }]
        : []),
      ...(c.req.query('to') && !valid(c.req.query('to')) ? [{ path: 'to', text: 'Enter a date like 2026-11-28' }] : []),
    ];
    return { from, to, errors };
  }

  async function figuresFor(c: Context<StaffPageEnv>) {
    const user = c.get('user');
    const { from, to, errors } = period(c);
    const prisons = user.role === 'admin' ? 'all' : user.prisons;
    return { from, to, errors, figures: await dashboardFigures(db, prisons, from, to) };
  }

  const share = (value: number | null) => (value === null ? 'no data' : `${Math.round(value * 1000) / 10}%`);
  const hoursText = (value: number | null) => (value === null ? 'no data' : `${value} hours`);

  app.get('/staff/dashboard', signedIn, async (c) => {
    const user = c.get('user');
    const { from, to, errors, figures } = await figuresFor(c);
    const entries = (record: Record<string, number>) =>
      Object.entries(record)
        .sort((a, b) => b[1] - a[1])
        .map(([label, value]) => ({ label: label.replaceAll('_', ' '), value }));
    const chart = async (
      title: string,
      head: string,
      bars: { label: string; value: number }[],
      extra?: (label: string) => string,
    ) => ({
      title,
      svg: bars.length ? await barChart(title, bars) : '',
      head: [
        { text: head },
        { text: 'Requests', format: 'numeric' },
        ...(extra ? [{ text: 'Minutes helping', format: 'numeric' }] : []),
      ],
      rows: bars.map((bar) => [
        { text: bar.label },
        { text: String(bar.value), format: 'numeric' },
        ...(extra ? [{ text: extra(bar.label), format: 'numeric' }] : []),
      ]),
    });
    const row = (key: string, text: string) => ({ key: { text: key }, value: { text } });
    return staffPage(c, 'staff/dashboard', {
      title: 'Performance',
      user,
      csrf: c.get('csrf'),
      active: 'dashboard',
      scope:
        user.role === 'admin'
          ? 'All prisons'
          : prisonsOf(user)
              .map((p) => p.name)
              .join(', '),
      from,
      to,
      errors,
      csvUrl: `/staff/dashboard.csv?from=${from}&to=${to}`,
      headline: [
        row('Requests', String(figures.total)),
        row('Time to decision (median)', hoursText(figures.hoursToDecision.median)),
        row('Time to decision (95th percentile)', hoursText(figures.hoursToDecision.p95)),
        row('Decided by the confirm-by date', share(figures.decidedByConfirmBy)),
        row(
          'Web journeys completed (all prisons)',
          `${share(figures.journeys.completionRate)} (${figures.journeys.submitted} of ${figures.journeys.started})`,
        ),
        row(
          'Satisfied or very satisfied (all prisons)',
          `${share(figures.satisfaction.satisfiedShare)} of ${figures.satisfaction.responses} responses`,
        ),
      ],
      charts: [
        await chart('Requests by state', 'State', entries(figures.byStatus)),
        await chart('Rejection reasons', 'Reason', entries(figures.rejectionReasons)),
        await chart(
          'Requests by channel',
          'Channel',
          Object.entries(figures.channels).map(([label, c]) => ({ label: label.replace('_', ' '), value: c.requests })),
          (label) => String(figures.channels[label.replace(' ', '_')]?.minutes ?? 0),
        ),
      ],
    });
  });

  app.get('/staff/dashboard.csv', signedIn, async (c) => {
    const { from, to, figures } = await figuresFor(c);
    const rows: [string, string | number | null][] = [
      ['requests', figures.total],
      ...Object.entries(figures.byStatus).map(([k, v]): [string, number] => [`state ${k}`, v]),
      ['hours to decision median', figures.hoursToDecision.median],
      ['hours to decision p95', figures.hoursToDecision.p95],
      ['decided by confirm-by share', figures.decidedByConfirmBy],
      ...Object.entries(figures.rejectionReasons).map(([k, v]): [string, number] => [`rejection ${k}`, v]),
      ...Object.entries(figures.channels).flatMap(([k, v]): [string, number][] => [
        [`channel ${k} requests`, v.requests],
        [`channel ${k} minutes`, v.minutes],
      ]),
      ['journeys started', figures.journeys.started],
      ['journeys submitted', figures.journeys.submitted],
      ['journey completion rate', figures.journeys.completionRate],
      ['feedback responses', figures.satisfaction.responses],
      ['feedback average', figures.satisfaction.average],
      ['feedback satisfied share', figures.satisfaction.satisfiedShare],
    ];
    c.header('Content-Disposition', `attachment; filename="performance-${from}-${to}.csv"`);
    c.header('Cache-Control', 'no-store');
    const body = ['"figure","value"', ...rows.map(([k, v]) => `"${k}",${v ?? ''}`)].join('\r\n');
    return c.body(`${body}\r\n`, 200, { 'Content-Type': 'text/csv; charset=utf-8' });
  });

  // The policy preview: a prison's rules, or an edited copy, tried on a sample request. Nothing takes effect.
  app.on(['GET', 'POST'], '/staff/policy-preview', signedIn, async (c) => {
    const user = c.get('user');
    if (user.role === 'staff')
      throw new ProblemError(403, 'forbidden', 'Only policy and admin users can preview rules.');
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
      let prison = rules.get(values.prisonId);
      if (!prison || !canSeePrison(user, prison.id))
        throw new ProblemError(404, 'unknown_prison', 'There is no such prison among yours.');
      if (values.ruleFile) {
        const parsed = parseRuleFile(values.ruleFile, 'edited copy');
        if (parsed.ok) prison = parsed.prison;
        else errors = parsed.errors.map((e) => ({ path: 'ruleFile', text: `Line ${e.line}: ${e.path}: ${e.message}` }));
      }
      const ages = (values.visitorAges ?? '')
        .split(/[,\s]+/)
        .filter(Boolean)
        .map(Number);
      const number = (name: string) => (values[name] === '' ? undefined : Number(values[name]));
      const sample = sampleCase.safeParse({
        visitorAges: ages,
        prisoner:
          values.prisonerService === 'found'
            ? {
                ...(values.category ? { category: values.category } : {}),
                ...(number('visitBalance') !== undefined ? { visitBalance: number('visitBalance') } : {}),
              }
            : values.prisonerService,
        earlierVisits: { inLast28Days: number('inLast28Days') ?? 0 },
      });
      if (!sample.success) {
        const words: Record<string, string> = {
          visitorAges: 'Enter 1 to 6 ages, whole numbers, separated by commas',
          'prisoner.visitBalance': 'Enter the visits left as a whole number',
          'earlierVisits.inLast28Days': 'Enter a whole number of requests, 0 or more',
        };
        const at = { 'prisoner.visitBalance': 'visitBalance', 'earlierVisits.inLast28Days': 'inLast28Days' } as Record<
          string,
          string
        >;
        errors.push(
          ...sample.error.issues.map((i) => {
            const path = i.path.join('.').replace(/^visitorAges\.\d+$/, 'visitorAges');
            return { path: at[path] ?? path, text: words[path] ?? i.message };
          }),
        );
      }
      if (errors.length === 0 && sample.success) {
        const { eligibility, trace } = await evaluateEligibility(prison, inputFromCase(prison, sample.data));
        const row = (key: string, text: string) => ({ key: { text: key }, value: { text } });
        outcome = {
          version: prison.version,
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

  app.post('/staff/visits/:reference/cancellation-confirmed', signedIn, async (c) => {
    const visit = await visibleVisit(c);
    if (c.get('user').role === 'policy') throw new ProblemError(403, 'forbidden', 'Policy users cannot change visits.');
    await form(c);
    if (!visit.cancellationConfirmed) {
      await runCommand(services, visit.reference, confirmCancellation, [{ staff: { email: c.get('user').email } }], {
        whenEnded: async () => 0,
      });
    }
    return c.redirect(`/staff/queue?prisonId=${visit.prisonId}`);
  });

  return app;
}

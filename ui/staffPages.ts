// The staff workspace's first pages: sign in and out, the queue of a prison, and a visit with its decision form.
// Signed in by the session cookie; every form carries a CSRF token tied to the session; every page checks the
// user's prisons, as the API does.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Filter } from 'mongodb';
import { formatDate, formatSlot } from '../activities/emails/render';
import { visitsCollection, type VisitDocument } from '../activities/readModel';
import type { Services } from '../api/app';
import { ProblemError } from '../api/problem';
import { decision as decisionSchema, type StaffUser } from '../api/schemas';
import { canSeePrison, issueToken, readToken, SESSION_COOKIE, SESSION_SECONDS } from '../api/session';
import { clearFailures, lockedFor, recordFailure } from '../api/signInThrottle';
import { findStaffAccount, signInStaff } from '../api/staffAccounts';
import { toFieldErrors } from '../api/validation';
import { runCommand } from '../api/visitCommands';
import { findVisit } from '../api/visitViews';
import { rejectionReason } from '../api/vocabulary';
import { confirmCancellation, decide } from '../workflows/messages';
import { csrfMatches, newJourney, readJourney, writeJourney } from './journeyCookie';
import { render } from './render';

type StaffPageEnv = { Variables: { user: StaffUser; csrf: string } };

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

  app.get('/staff/queue', signedIn, async (c) => {
    const user = c.get('user');
    const prisons = prisonsOf(user);
    const prisonId = c.req.query('prisonId') ?? prisons[0]?.id;
    if (!prisonId || !canSeePrison(user, prisonId))
      throw new ProblemError(403, 'not_your_prison', 'You do not work at this prison.');
    const mine: Filter<VisitDocument> = { prisonId };
    const visits = visitsCollection(db);
    const [requested, cancellations] = await Promise.all([
      visits
        .find({ ...mine, status: 'requested' })
        .sort({ submittedAt: 1 })
        .limit(500)
        .toArray(),
      visits
        .find({ ...mine, status: 'cancelled', 'cancellation.by': 'visitor', cancellationConfirmed: { $ne: true } })
        .sort({ submittedAt: 1 })
        .limit(500)
        .toArray(),
    ]);
    const link = (visit: VisitDocument) => ({
      html: `<a class="govuk-link" href="/staff/visits/${visit.reference}">${visit.reference}</a>`,
    });
    const prisoner = (visit: VisitDocument) => ({ text: `${visit.prisoner.firstName} ${visit.prisoner.lastName}` });
    return render(c, 'staff/queue', {
      title: `Queue: ${rules.get(prisonId)?.name ?? prisonId}`,
      user,
      csrf: c.get('csrf'),
      active: 'queue',
      queueCount: requested.length,
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

  async function visitPage(
    c: Context<StaffPageEnv>,
    visit: VisitDocument,
    errors: { path: string; text: string }[] = [],
    notice = '',
  ) {
    const row = (key: string, text: string) => ({ key: { text: key }, value: { text } });
    const eligibility = visit.eligibility;
    return render(c, 'staff/visit', {
      title: `${visit.prisoner.firstName} ${visit.prisoner.lastName}`,
      user: c.get('user'),
      csrf: c.get('csrf'),
      visit,
      errors,
      notice,
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
      ],
      findings: [
        ...(eligibility?.rejections ?? []).map((f) => `Rejected (${f.reason}): ${f.explanation}`),
        ...(eligibility?.flags ?? []).map((f) => f.explanation),
        ...(eligibility?.closedVisit ? [`Closed visit: ${eligibility.closedVisit.explanation}`] : []),
      ],
      slotItems: [
        ...visit.slotOptions.map((slot) => ({ value: slot, text: formatSlot(slot, 'en') })),
        { divider: 'or' },
        { value: 'none', text: 'None of these (rejects the request: no slot available)' },
      ],
      visitorItems: visit.visitors.map((v, index) => ({
        label: `${v.firstName} ${v.lastName}${index === 0 ? ' (lead visitor)' : ''}`,
        options: Object.entries(outcomeWords).map(([value, text]) => ({ value, text })),
      })),
      reasonItems: rejectionReason.options
        .filter((reason) => reason !== 'request_expired')
        .map((reason) => ({ value: reason, text: reason.replaceAll('_', ' ') })),
    });
  }

  app.get('/staff/visits/:reference', signedIn, async (c) => visitPage(c, await visibleVisit(c)));

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
            visitors: visit.visitors.map((_, index) => ({ index, status: body[`visitor-${index}`] ?? 'allowed' })),
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
    return visitPage(
      c,
      (await findVisit(db, visit.reference)) ?? visit,
      [],
      `Request ${parsed.data.outcome === 'accept' ? 'processed' : 'rejected'}.`,
    );
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

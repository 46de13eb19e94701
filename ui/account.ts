// The booker's account pages: sign in by a link e-mailed to them, "Your visits" (upcoming, past, cancelled, each
// opening the visit's own page), the prisoners they visit, and sign out. The actions are api/bookers.ts's, as the
// JSON API's; the session travels here as a cookie. The sign-in forms carry the journey cookie's CSRF token, a
// signed-in booker's forms one made from their session.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { bookerOfSignInLink, SIGN_IN_LINK_MINUTES } from '../activities/readModel/bookers';
import { balanceOf } from '../activities/readModel/visitingOrders';
import type { VisitDocument } from '../activities/readModel/visits';
import {
  BOOKER_COOKIE,
  BOOKER_SESSION_MS,
  bookerAccounts,
  prisonerLinkLimit,
  signInLinkLimit,
  type LinkOutcome,
  type SignedInBooker,
} from '../api/bookers';
import { ProblemError } from '../api/problem';
import { bookerSignInRequest, linkPrisonerRequest } from '../api/schemas';
import type { Services } from '../api/services';
import { dateFieldsOf, isoDateOf, readDateFields, type DateFields } from '../rules/dateFields';
import { formatDate, formatSlot } from '../rules/dateWords';
import { londonClock } from '../rules/londonTime';
import { translate } from './i18n';
import { currentJourney, JOURNEY_COOKIE, writeJourney } from './journeyCookie';
import { escapeHtml, localeOf, render } from './render';

/** The signed-in booker of a page's request (by the session cookie), if any. */
export function bookerOfPage(services: Services) {
  const accounts = bookerAccounts(services);
  return (c: Context): Promise<SignedInBooker | undefined> => accounts.signedIn(getCookie(c, BOOKER_COOKIE));
}

/** Hands the browser a booker's session: however they signed in, the same cookie. */
export function setBookerCookie(c: Context, token: string, secure: boolean): void {
  setCookie(c, BOOKER_COOKIE, token, {
    httpOnly: true,
    secure,
    sameSite: 'Lax',
    path: '/',
    maxAge: BOOKER_SESSION_MS / 1000,
  });
}

/** An address shown without giving it away: its first letter and its domain (a•••@example.com). */
const maskedAddress = (address: string) => `${address.slice(0, 1)}•••${address.slice(address.lastIndexOf('@'))}`;

export function accountPages(services: Services) {
  const { session, secureCookies } = services;
  const accounts = bookerAccounts(services);
  const signedIn = bookerOfPage(services);
  const wordsOf = (c: Context) => (key: string, values?: Record<string, string | number>) =>
    translate(localeOf(c), key, values);

  /** The journey cookie's CSRF token for a page's form (a journey made now if there is none). */
  function csrfFor(c: Context): string {
    const journey = currentJourney(c, session.secret);
    writeJourney(c, journey, session.secret, secureCookies);
    return journey.csrf;
  }

  /**
   * The CSRF token of a signed-in booker's forms: made from their session, so it lasts as long as the session does
   * (the journey's lasts 20 minutes; "Your visits" may stay open longer before its booker signs out).
   */
  const sessionCsrf = (booker: SignedInBooker) =>
    createHmac('sha256', `booker-form:${session.secret}`).update(booker.sessionHash).digest('base64url');

  /**
   * A form post's fields as text (a file sent in a field counts as nothing), once its CSRF token is checked: the
   * session's for a signed-in booker's form, else the journey's.
   */
  async function formOf(c: Context, booker?: SignedInBooker): Promise<Record<string, string>> {
    const posted = await c.req.parseBody();
    const form = Object.fromEntries(
      Object.entries(posted).map(([name, value]) => [name, typeof value === 'string' ? value.trim() : '']),
    );
    const token = booker ? sessionCsrf(booker) : currentJourney(c, session.secret).csrf;
    const [expected, given] = [Buffer.from(token), Buffer.from(form._csrf ?? '')];
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new ProblemError(403, 'csrf', 'The form’s security token is missing or wrong.');
    }
    return form;
  }

  /** The prisoner's visiting orders as their ledger last wrote them, while its period lasts: when the booker can book. */
  const ordersInWords = async (c: Context, prisonerNumber: string) => {
    const orders = await balanceOf(services.db, prisonerNumber);
    if (!orders?.renewsOn || orders.renewsOn <= londonClock(new Date()).date) return undefined;
    const date = formatDate(orders.renewsOn, localeOf(c), { weekday: false });
    return orders.balance > 0
      ? wordsOf(c)('account.prisoners.orders', { count: String(orders.balance), date })
      : wordsOf(c)('account.prisoners.noOrders', { date });
  };
  /** A prison's name in the page's language. */
  const prisonName = (c: Context, prisonId: string) => {
    const prison = services.rules.get(prisonId);
    return (prison && ((localeOf(c) === 'cy' && prison.nameCy) || prison.name)) ?? prisonId;
  };

  function signInPage(c: Context, values: { email?: string; error?: string } = {}) {
    const t = wordsOf(c);
    return render(c, 'account/signIn', {
      title: t('account.signIn.title'),
      csrf: csrfFor(c),
      email: values.email ?? '',
      oneLogin: services.bookerOidc !== undefined,
      errors: values.error ? [{ path: 'email', text: values.error }] : [],
      status: values.error ? 400 : 200,
    });
  }

  /** A visit as a row of "Your visits": the time, the prison and prisoner, its status, and a link to its page. */
  function visitRow(c: Context, visit: VisitDocument) {
    const t = wordsOf(c);
    const locale = localeOf(c);
    const times = (visit.slotGranted ? [visit.slotGranted] : visit.slotOptions).map((slot) => formatSlot(slot, locale));
    const who = visit.anonymised ? '' : `${visit.prisoner.firstName} ${visit.prisoner.lastName}`;
    return [
      { html: times.map(escapeHtml).join('<br>') },
      { html: [prisonName(c, visit.prisonId), who].filter(Boolean).map(escapeHtml).join('<br>') },
      { text: t(`status.tag.${visit.status}`) },
      {
        html:
          `<a class="govuk-link" href="/visits/${visit.reference}">${escapeHtml(t('account.visits.view'))}` +
          `<span class="govuk-visually-hidden"> ${escapeHtml(visit.reference)}</span></a>`,
      },
    ];
  }

  return (
    new Hono()
      .get('/account/sign-in', async (c) => ((await signedIn(c)) ? c.redirect('/account') : signInPage(c)))
      .post('/account/sign-in', signInLinkLimit(services), async (c) => {
        const form = await formOf(c);
        const email = form.email ?? '';
        const checked = bookerSignInRequest.safeParse({ email, locale: localeOf(c) });
        if (!checked.success) return signInPage(c, { email, error: wordsOf(c)('errors.invalid_email') });
        await accounts.askForLink(checked.data.email, checked.data.locale);
        return c.redirect('/account/sign-in/sent');
      })
      .get('/account/sign-in/sent', (c) => {
        const t = wordsOf(c);
        return render(c, 'page', {
          title: t('account.sent.title'),
          paragraphs: [t('account.sent.body', { minutes: SIGN_IN_LINK_MINUTES }), t('account.sent.once')],
        });
      })
      // The link's page asks for a press of a button before the code is used: a mail scanner that opens every link
      // would otherwise use it up before the booker could.
      .get('/account/sign-in/:code', async (c) => {
        const t = wordsOf(c);
        // The account is named, so that nobody is signed into another's account by a link sent to them.
        const booker = await bookerOfSignInLink(services.db, c.req.param('code'));
        return render(c, 'account/useLink', {
          title: t('account.useLink.title'),
          csrf: csrfFor(c),
          account: booker ? maskedAddress(booker._id) : undefined,
        });
      })
      .post('/account/sign-in/:code', async (c) => {
        await formOf(c);
        const started = await accounts.signInWithLink(c.req.param('code'));
        if (!started) {
          const t = wordsOf(c);
          return render(c, 'page', {
            title: t('account.linkUsed.title'),
            paragraphs: [t('account.linkUsed.body', { minutes: SIGN_IN_LINK_MINUTES })],
            link: { href: '/account/sign-in', text: t('account.linkUsed.again') },
            status: 400,
          });
        }
        setBookerCookie(c, started.token, secureCookies);
        return c.redirect('/account');
      })
      .post('/account/sign-out', async (c) => {
        const booker = await signedIn(c);
        if (booker) {
          await formOf(c, booker);
          await accounts.signOut(booker.sessionHash);
        }
        // The journey goes too: filled from the account, it is not for whoever uses this browser next.
        deleteCookie(c, BOOKER_COOKIE, { path: '/' });
        deleteCookie(c, JOURNEY_COOKIE, { path: '/' });
        return c.redirect('/account/sign-in');
      })
      .get('/account', async (c) => {
        const booker = await signedIn(c);
        if (!booker) return c.redirect('/account/sign-in');
        const t = wordsOf(c);
        const groups = await accounts.visits(booker.booker.bookerId);
        const head = ['time', 'where', 'status', 'action'].map((key) => ({ text: t(`account.visits.${key}`) }));
        const table = (visits: VisitDocument[]) =>
          visits.length > 0 ? { head, rows: visits.map((visit) => visitRow(c, visit)) } : undefined;
        return render(c, 'account/visits', {
          title: t('account.visits.title'),
          csrf: sessionCsrf(booker),
          email: booker.booker._id,
          sections: (['upcoming', 'past', 'cancelled'] as const).map((group) => ({
            id: group,
            heading: t(`account.visits.${group}`),
            empty: t(`account.visits.${group}None`),
            table: table(groups[group]),
          })),
          prisoners: await Promise.all(
            booker.booker.prisoners.map(async (prisoner) => ({
              name: `${prisoner.firstName} ${prisoner.lastName}`,
              number: prisoner.number,
              prison: prisonName(c, prisoner.prisonId),
              orders: await ordersInWords(c, prisoner.number),
            })),
          ),
          linked: c.req.query('linked') === '1',
        });
      })
      .on('POST', '/account/prisoners/add', prisonerLinkLimit(services))
      .on(['GET', 'POST'], '/account/prisoners/add', async (c) => {
        const booker = await signedIn(c);
        if (!booker) return c.redirect('/account/sign-in');
        const t = wordsOf(c);
        let values: { number: string; dob: Partial<DateFields> } = { number: '', dob: dateFieldsOf(undefined) };
        const errors: { path: string; text: string }[] = [];
        let outcome: LinkOutcome | undefined;
        if (c.req.method === 'POST') {
          const form = await formOf(c, booker);
          const dob = readDateFields('dob', (field) => form[field] ?? '');
          values = { number: form.number ?? '', dob };
          const checked = linkPrisonerRequest.safeParse({ number: values.number, dateOfBirth: isoDateOf(dob) });
          if (!checked.success) {
            for (const issue of checked.error.issues) {
              const path = issue.path[0] === 'number' ? 'number' : 'dateOfBirth';
              if (!errors.some((error) => error.path === path)) errors.push({ path, text: t(`account.add.${path}`) });
            }
          } else {
            outcome = await accounts.linkPrisoner(booker.booker.bookerId, checked.data);
            if (outcome === 'linked') return c.redirect('/account?linked=1');
            errors.push({ path: 'number', text: t(`account.add.${outcome}`) });
          }
        }
        return render(c, 'account/addPrisoner', {
          title: t('account.add.title'),
          backUrl: '/account',
          csrf: sessionCsrf(booker),
          values,
          errors,
          // No answer from the prisoner service is ours to put right, not the booker's.
          status: outcome === 'unavailable' ? 503 : errors.length > 0 ? 400 : 200,
        });
      })
  );
}

// Signing a booker in at GOV.UK One Login (any OpenID Connect provider configured as api/bookerOidc.ts's), beside
// the e-mailed link: the start sends them to the provider, the callback takes the address it vouches for to the
// account of that address (the one a link to it signs into) and starts the same session, by the same cookie. What
// the browser carries between the two legs (state, nonce, PKCE verifier) is sealed in a cookie of its own, for 10
// minutes, and used once. Where no provider is configured both addresses are not found.
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { bookerFor } from '../activities/readModel/bookers';
import type { OidcChecks } from '../api/bookerOidc';
import { bookerAccounts } from '../api/bookers';
import { ProblemError } from '../api/problem';
import { bookerSignInRequest } from '../api/schemas';
import type { Services } from '../api/services';
import { bookerOfPage, setBookerCookie } from './account';
import { translate } from './i18n';
import { seal, unseal } from './journeyCookie';
import { localeOf, render } from './render';

export const ONE_LOGIN_START = '/account/sign-in/one-login';
/** The address to register at the provider as the client's redirect URI, after PUBLIC_URL. */
export const ONE_LOGIN_CALLBACK = '/account/sign-in/one-login/callback';
export const ONE_LOGIN_COOKIE = 'pvb_one_login';
/** How long a booker has at the provider before the sign-in must start again. */
const CHECKS_MINUTES = 10;

interface SealedChecks extends OidcChecks {
  startedAt: number;
}

const sealChecks = (checks: SealedChecks, secret: string) => seal(checks, secret, 'one-login');
const openChecks = (sealed: string, secret: string) => unseal<SealedChecks>(sealed, secret, 'one-login');

export function oneLoginPages(services: Services) {
  const { bookerOidc, session, secureCookies, db } = services;
  const accounts = bookerAccounts(services);
  const signedIn = bookerOfPage(services);

  /** Why the booker is not signed in, and the way back to the sign-in page. */
  function notSignedIn(c: Context, reason: 'failed' | 'refused' | 'no_email' | 'unavailable') {
    const t = (key: string) => translate(localeOf(c), key);
    return render(c, 'page', {
      title: t('account.oneLogin.failed.title'),
      paragraphs: [t(`account.oneLogin.${reason}.body`)],
      link: { href: '/account/sign-in', text: t('account.oneLogin.again') },
      status: reason === 'unavailable' ? 503 : 400,
    });
  }

  const configured = () => {
    if (!bookerOidc) throw new ProblemError(404, 'not_found', 'There is nothing at this address.');
    return bookerOidc;
  };

  return new Hono()
    .get(ONE_LOGIN_START, async (c) => {
      const provider = configured();
      if (await signedIn(c)) return c.redirect('/account');
      const started = await provider.start(localeOf(c));
      if (!started) return notSignedIn(c, 'unavailable');
      setCookie(c, ONE_LOGIN_COOKIE, sealChecks({ ...started.checks, startedAt: Date.now() }, session.secret), {
        httpOnly: true,
        secure: secureCookies,
        // Lax: the provider sends the booker back by a top-level GET from its own site.
        sameSite: 'Lax',
        path: ONE_LOGIN_START,
        maxAge: CHECKS_MINUTES * 60,
      });
      return c.redirect(started.url.href);
    })
    .get(ONE_LOGIN_CALLBACK, async (c) => {
      const provider = configured();
      const sealed = getCookie(c, ONE_LOGIN_COOKIE);
      // Used once, whatever comes of it: a second answer to the same start finds nothing to check against.
      deleteCookie(c, ONE_LOGIN_COOKIE, { path: ONE_LOGIN_START, secure: secureCookies });
      const checks = sealed ? openChecks(sealed, session.secret) : undefined;
      if (!checks || Date.now() - checks.startedAt > CHECKS_MINUTES * 60_000) return notSignedIn(c, 'failed');
      const outcome = await provider.finish(new URL(c.req.url).search, checks);
      if ('failure' in outcome) return notSignedIn(c, outcome.failure);
      const checked = bookerSignInRequest.safeParse({ email: outcome.email, locale: localeOf(c) });
      if (!checked.success) return notSignedIn(c, 'no_email');
      const booker = await bookerFor(db, checked.data.email, checked.data.locale);
      const started = await accounts.startSession(booker.bookerId);
      setBookerCookie(c, started.token, secureCookies);
      return c.redirect('/account');
    });
}

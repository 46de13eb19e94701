// The sign-in and sign-out pages. Signing in itself (with its count of failed attempts) is api/session.ts's signIn.
import { Hono } from 'hono';
import { deleteCookie } from 'hono/cookie';
import { clientAddress } from '../../api/clientAddress';
import { ProblemError } from '../../api/problem';
import type { Services } from '../../api/services';
import { SESSION_COOKIE, setSessionCookie, signIn, signOut } from '../../api/session';
import { csrfMatches, newJourney, readJourney, writeJourney } from '../journeyCookie';
import { render } from '../render';
import { form, homeOf, staffAccess, type StaffPageEnv } from './common';

export function signInPages(services: Services) {
  const { session, secureCookies } = services;
  const { signedIn } = staffAccess(services);
  const app = new Hono<StaffPageEnv>();

  // Nobody is signed in yet, so the form's CSRF token lives in the journey cookie, as on the visitor's pages.
  app.on(['GET', 'POST'], '/staff/sign-in', async (c) => {
    const found = readJourney(c, session.secret);
    const journey = typeof found === 'string' ? newJourney() : found;
    let errors: { path: string; text: string }[] = [];
    let status: 200 | 429 | 503 = 200;
    let email = '';
    if (c.req.method === 'POST') {
      const body = await c.req.parseBody();
      if (!csrfMatches(journey, body._csrf))
        throw new ProblemError(403, 'csrf', 'The form’s security token is missing or wrong.');
      email = String(body.email ?? '').trim();
      const password = String(body.password ?? '');
      const result = await signIn(services, email, password, clientAddress(c, services.trustedProxyHops));
      if (result.outcome === 'signed_in') {
        setSessionCookie(c, result.token, secureCookies);
        return c.redirect(homeOf(result.user));
      }
      let text = 'Enter the email address and password of a staff account';
      if (result.outcome === 'locked' || result.outcome === 'busy') {
        const minutes = Math.ceil(result.retryAfterSeconds / 60);
        c.header('Retry-After', String(result.retryAfterSeconds));
        [status, text] =
          result.outcome === 'locked'
            ? [429, `Too many failed attempts. Wait ${minutes} minute${minutes === 1 ? '' : 's'} before you try again.`]
            : [503, 'The service is busy. Try again in a minute.'];
      }
      errors = [{ path: 'email', text }];
    }
    writeJourney(c, journey, session.secret, secureCookies);
    return render(c, 'staff/signIn', {
      title: 'Sign in',
      csrf: journey.csrf,
      values: { email },
      errors,
      status,
      locale: 'en',
    });
  });

  // The session ends at once: the cookie's token is refused from now on, wherever a copy of it is.
  app.post('/staff/sign-out', signedIn, async (c) => {
    await form(c);
    await signOut(services, { user: c.get('user'), sessionHash: c.get('sessionHash') });
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/staff/sign-in');
  });

  return app;
}

// Signing in and out. Failed attempts are counted per email address, and too many lock the account for a while.
import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { ProblemError } from '../../api/problem';
import type { Services } from '../../api/services';
import { issueToken, SESSION_COOKIE, SESSION_SECONDS } from '../../api/session';
import { clearFailures, lockedFor, recordFailure } from '../../api/signInThrottle';
import { signInStaff } from '../../api/staffAccounts';
import { csrfMatches, newJourney, readJourney, writeJourney } from '../journeyCookie';
import { render } from '../render';
import { form, staffAccess, type StaffPageEnv } from './common';

export function signInPages(services: Services) {
  const { db, session, secureCookies } = services;
  const { signedIn } = staffAccess(services);
  const app = new Hono<StaffPageEnv>();

  // Nobody is signed in yet, so the form's CSRF token lives in the journey cookie, as on the visitor's pages.
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

  return app;
}

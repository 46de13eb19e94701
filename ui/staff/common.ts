// What every staff page shares: the signed-in check, the form's CSRF check, the user's prisons and visits, and the
// page layout's own fields. Every page checks the user's prisons, as the API does.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { queueCount } from '../../activities/readModel/lookups';
import type { VisitDocument } from '../../activities/readModel/visits';
import { canSeePrison, visibleVisit as visibleVisitOf } from '../../api/access';
import { ProblemError } from '../../api/problem';
import type { StaffUser } from '../../api/schemas';
import type { Services } from '../../api/services';
import { readToken, SESSION_COOKIE } from '../../api/session';
import { findStaffAccount } from '../../api/staffAccounts';
import { render } from '../render';

export type StaffPageEnv = { Variables: { user: StaffUser; csrf: string; queueCount: number } };

/** A real date written YYYY-MM-DD, or undefined. */
export const realDate = (value: string | undefined) => {
  const time = value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value ?? '') ? value : undefined;
};

/** A form post's fields, once its CSRF token is the session's. */
export async function form(c: Context<StaffPageEnv>) {
  const body = (await c.req.parseBody({ all: true })) as Record<string, string | string[]>;
  const [given, expected] = [Buffer.from(String(body._csrf ?? '')), Buffer.from(c.get('csrf'))];
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ProblemError(403, 'csrf', 'The form’s security token is missing or wrong.');
  }
  return body;
}

/** A staff page, with the signed-in user, the form token and the queue count its layout shows. */
export const staffPage = (c: Context<StaffPageEnv>, view: string, context: Parameters<typeof render>[2]) =>
  render(c, view, { user: c.get('user'), csrf: c.get('csrf'), queueCount: c.get('queueCount'), ...context });

/** Who is signed in, and which prisons and visits they may see. */
export function staffAccess({ db, rules, session }: Services) {
  const csrfFor = (token: string) => createHmac('sha256', session.secret).update(`csrf:${token}`).digest('base64url');
  const prisonsOf = (user: StaffUser) => rules.list().filter((prison) => canSeePrison(user, prison.id));

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

  /** The prison a page is about: the one asked for, if the user works there, else their first. */
  function prisonFor(c: Context<StaffPageEnv>): string {
    const user = c.get('user');
    const prisonId = c.req.query('prisonId') ?? prisonsOf(user)[0]?.id;
    if (!prisonId || !rules.get(prisonId) || !canSeePrison(user, prisonId)) {
      throw new ProblemError(403, 'not_your_prison', 'You do not work at this prison.');
    }
    return prisonId;
  }

  /** The visit the page's path names, if the user may see it; 404 otherwise, revealing nothing. */
  const visibleVisit = (c: Context<StaffPageEnv>): Promise<VisitDocument> =>
    visibleVisitOf(db, c.get('user'), c.req.param('reference') ?? '');

  return { signedIn, prisonsOf, prisonFor, visibleVisit };
}

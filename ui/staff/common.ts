// What every staff page shares: the signed-in check, the form's CSRF check, the user's prisons and visits, and the
// page layout's own fields. Every page checks the user's prisons, as the API does.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { queueCount, reviewCountOf } from '../../activities/readModel/lookups';
import type { VisitDocument } from '../../activities/readModel/visits';
import { canSeePrison, refuseUnlessMaySeeVisits, visibleVisit as visibleVisitOf } from '../../api/access';
import { ProblemError } from '../../api/problem';
import type { StaffUser } from '../../api/schemas';
import type { Services } from '../../api/services';
import { openSession, SESSION_COOKIE } from '../../api/session';
import { render } from '../render';

export type StaffPageEnv = {
  Variables: { user: StaffUser; sessionHash: string; csrf: string; queueCount: number; reviewCount: number };
};

/** A real date written YYYY-MM-DD, or undefined. */
export const realDate = (value: string | undefined) => {
  const time = value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value ?? '') ? value : undefined;
};

/** Where a member of staff starts: the queue, or for the policy role (who sees no visits) the policy preview. */
export const homeOf = (user: StaffUser) => (user.role === 'policy' ? '/staff/policy-preview' : '/staff/queue');

/** A form post's fields, once its CSRF token is the session's. */
export async function form(c: Context<StaffPageEnv>) {
  const body = (await c.req.parseBody({ all: true })) as Record<string, string | string[]>;
  const [given, expected] = [Buffer.from(String(body._csrf ?? '')), Buffer.from(c.get('csrf'))];
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ProblemError(403, 'csrf', 'The form’s security token is missing or wrong.');
  }
  return body;
}

/**
 * A staff page, with the signed-in user, the form token and the counts its layout shows. In English, as the staff
 * workspace is (docs/decisions/0008), unless the page is `bilingual`: then in the language the user chose.
 */
export const staffPage = (
  c: Context<StaffPageEnv>,
  view: string,
  { bilingual = false, ...context }: Parameters<typeof render>[2] & { bilingual?: boolean },
) =>
  render(c, view, {
    user: c.get('user'),
    csrf: c.get('csrf'),
    queueCount: c.get('queueCount'),
    reviewCount: c.get('reviewCount'),
    bilingual,
    ...(bilingual ? {} : { locale: 'en' as const }),
    ...context,
  });

/** Who is signed in, and which prisons and visits they may see. */
export function staffAccess({ db, rules, session }: Services) {
  const csrfFor = (token: string) => createHmac('sha256', session.secret).update(`csrf:${token}`).digest('base64url');
  const prisonsOf = (user: StaffUser) => rules.list().filter((prison) => canSeePrison(user, prison.id));

  /**
   * Signed-in staff only, with an open session; anyone else goes to the sign-in page. `touch: false` does not count
   * the request as the user's activity (the queue page's event stream, which its browser reopens by itself).
   */
  const signedInWith =
    ({ touch }: { touch: boolean }) =>
    async (c: Context<StaffPageEnv>, next: () => Promise<void>) => {
      const token = getCookie(c, SESSION_COOKIE);
      const open = await openSession(db, session, token, { touch });
      if (!token || !open) return c.redirect('/staff/sign-in');
      const { user } = open;
      c.set('user', user);
      c.set('sessionHash', open.sessionHash);
      c.set('csrf', csrfFor(token));
      // The count of requests to decide at the prison the page is about, for the navigation of every page.
      const prisonId = c.req.query('prisonId') ?? prisonsOf(user)[0]?.id;
      const counted = prisonId && rules.get(prisonId) && canSeePrison(user, prisonId);
      c.set('queueCount', counted ? await queueCount(db, prisonId) : 0);
      // And of its visits under review.
      c.set('reviewCount', counted ? await reviewCountOf(db, prisonId) : 0);
      await next();
    };
  const signedIn = signedInWith({ touch: true });
  const signedInQuietly = signedInWith({ touch: false });

  /** The prison a page is about: the one asked for, if the user works there, else their first. */
  function prisonFor(c: Context<StaffPageEnv>): string {
    const user = c.get('user');
    const prisonId = c.req.query('prisonId') ?? prisonsOf(user)[0]?.id;
    if (!prisonId || !rules.get(prisonId)) {
      throw new ProblemError(403, 'not_your_prison', 'You do not work at this prison.');
    }
    refuseUnlessMaySeeVisits(user, prisonId);
    return prisonId;
  }

  /** The visit the page's path names, if the user may see it; 404 otherwise, revealing nothing. */
  const visibleVisit = (c: Context<StaffPageEnv>): Promise<VisitDocument> =>
    visibleVisitOf(db, c.get('user'), c.req.param('reference') ?? '');

  /** Whether the request's session is still open, asked again later (by a stream) without counting as activity. */
  const stillSignedIn = async (c: Context<StaffPageEnv>): Promise<boolean> =>
    (await openSession(db, session, getCookie(c, SESSION_COOKIE), { touch: false }))?.sessionHash ===
    c.get('sessionHash');

  return { signedIn, signedInQuietly, stillSignedIn, prisonsOf, prisonFor, visibleVisit };
}

// Which visits this browser may see, kept in a signed cookie: granted when a visitor opens their e-mailed link (or
// sends their request from the journey), each for ACCESS_DAYS. It holds references and times, nothing personal.
import type { Context } from 'hono';
import { getSignedCookie, setSignedCookie } from 'hono/cookie';
import { LINK_DAYS } from '../activities/readModel/visitLinks';

export const VISIT_ACCESS_COOKIE = 'pvb_visit_access';
/**
 * How long a browser that opened a visit's link may see the visit: as long as an unused link lasts, so that opening the
 * same e-mail again on the same device goes on working; another device asks for a new link.
 */
export const ACCESS_DAYS = LINK_DAYS;
/** At most this many visits' access in one browser (its cookie stays small): the latest opened. */
const ACCESS_MOST = 10;

/** The visits this browser may see, by reference, each until when (ms since 1970). */
type Access = Record<string, number>;

export function visitAccess(secret: string, secureCookies: boolean) {
  const accessSecret = `visit-access:${secret}`;

  /** The grants the browser's cookie holds, still in force. */
  async function of(c: Context): Promise<Access> {
    const cookie = await getSignedCookie(c, accessSecret, VISIT_ACCESS_COOKIE);
    if (!cookie) return {};
    try {
      const parsed = JSON.parse(cookie) as unknown;
      if (typeof parsed !== 'object' || parsed === null) return {};
      return Object.fromEntries(
        Object.entries(parsed).filter(([, until]) => typeof until === 'number' && until > Date.now()),
      ) as Access;
    } catch {
      return {};
    }
  }

  /** Lets this browser see a visit for ACCESS_DAYS from now. */
  async function grant(c: Context, reference: string): Promise<void> {
    const access = { ...(await of(c)), [reference]: Date.now() + ACCESS_DAYS * 86_400_000 };
    const kept = Object.entries(access)
      .sort(([, a], [, b]) => b - a)
      .slice(0, ACCESS_MOST);
    const until = Math.max(...kept.map(([, time]) => time));
    await setSignedCookie(c, VISIT_ACCESS_COOKIE, JSON.stringify(Object.fromEntries(kept)), accessSecret, {
      httpOnly: true,
      secure: secureCookies,
      sameSite: 'Lax',
      path: '/visits',
      maxAge: Math.ceil((until - Date.now()) / 1000),
    });
  }

  return { of, grant };
}

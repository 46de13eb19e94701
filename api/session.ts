// Staff sessions: a signed, expiring token, sent as a bearer token by API clients and as a cookie by browsers.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { setCookie } from 'hono/cookie';
import type { Db } from 'mongodb';
import { ProblemError } from './problem';
import type { StaffUser } from './schemas';
import { clearFailures, lockedFor, recordFailure } from './signInThrottle';
import { findStaffAccount, signInStaff } from './staffAccounts';

export const SESSION_COOKIE = 'pvb_session';
const SESSION_SECONDS = 8 * 60 * 60;

export interface SessionKeys {
  secret: string;
}

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** A token naming the user and when it expires. */
function issueToken(email: string, { secret }: SessionKeys, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ sub: email, exp: now + SESSION_SECONDS * 1000 })).toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

/** The e-mail a token was issued to, if it is genuine and unexpired. */
export function readToken(token: string, { secret }: SessionKeys, now = Date.now()): string | undefined {
  const [payload, signature] = token.split('.');
  if (!payload || !signature) return undefined;
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const { sub, exp } = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub: string; exp: number };
    return exp > now ? sub : undefined;
  } catch {
    return undefined;
  }
}

export type StaffEnv = { Variables: { user: StaffUser } };

/**
 * Lets through only signed-in staff, whose account is read afresh so that a removed account stops at once.
 * The JSON API takes the bearer token only: a cookie would let another site's form act for a signed-in user
 * (the web pages take the cookie together with a CSRF token).
 */
export function requireStaff(db: Db, keys: SessionKeys): MiddlewareHandler<StaffEnv> {
  return async (c, next) => {
    const token = /^Bearer (.+)$/i.exec(c.req.header('Authorization') ?? '')?.[1];
    const email = token ? readToken(token, keys) : undefined;
    const user = email ? await findStaffAccount(db, email) : undefined;
    if (!user) throw new ProblemError(401, 'not_signed_in', 'Sign in as a member of staff.');
    c.set('user', user);
    await next();
  };
}

export type SignInResult =
  | { outcome: 'signed_in'; user: StaffUser; token: string }
  | { outcome: 'locked'; retryAfterSeconds: number }
  | { outcome: 'wrong_credentials' };

/**
 * Checks an e-mail and password, counting failures so that too many lock the address for a while, and issues a
 * session token on success. The JSON API and the sign-in page each turn the result into their own answer.
 */
export async function signIn(
  { db, session }: { db: Db; session: SessionKeys },
  email: string,
  password: string,
): Promise<SignInResult> {
  const retryAfterSeconds = await lockedFor(db, email);
  if (retryAfterSeconds > 0) return { outcome: 'locked', retryAfterSeconds };
  const user = email && password ? await signInStaff(db, email, password) : undefined;
  if (!user) {
    // An empty e-mail names no account whose guesses could be counted.
    if (email) await recordFailure(db, email);
    return { outcome: 'wrong_credentials' };
  }
  await clearFailures(db, email);
  return { outcome: 'signed_in', user, token: issueToken(user.email, session) };
}

/** Gives the browser the session token as a cookie that scripts cannot read. */
export function setSessionCookie(c: Context, token: string, secure: boolean): void {
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, secure, sameSite: 'Lax', path: '/', maxAge: SESSION_SECONDS });
}

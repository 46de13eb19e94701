// Staff sessions, kept in the store so that signing out, a new password or a removed account ends them at once. A
// session's id travels as a signed token, sent as a bearer token by API clients and as a cookie by browsers; the
// store keeps only the id's hash (a copy of the store signs nobody in), with the account and the session's times.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { setCookie } from 'hono/cookie';
import type { Db } from 'mongodb';
import { queries } from '../activities/readModel/queries';
import { audit } from './audit';
import type { Log } from './log';
import { ProblemError } from './problem';
import type { StaffUser } from './schemas';
import { attemptKeys, beginAttempt, BUSY_RETRY_SECONDS, whenHashingFree } from './signInThrottle';
import { checkPassword, findStaffAccount } from './staffAccounts';

export const SESSION_COOKIE = 'pvb_session';

/** A session ends after 30 minutes without a request, and 8 hours after sign-in whatever happens. */
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_LONGEST_MS = 8 * 60 * 60_000;
// A session's last request is written at most once a minute: one write a minute per user, not one a request.
const TOUCH_EVERY_MS = 60_000;

export interface SessionKeys {
  secret: string;
}

interface SessionDocument {
  /** The SHA-256 of the session's id. */
  _id: string;
  email: string;
  createdAt: Date;
  lastSeenAt: Date;
}

const sessions = (db: Db) => db.collection<SessionDocument>(queries.sessionById.collection);

const sign = (id: string, secret: string) => createHmac('sha256', secret).update(`session:${id}`).digest('base64url');
const hashOf = (id: string) => createHash('sha256').update(id).digest('base64url');

/** A new session token (id and signature) and the hash of its id, which is all the store keeps. */
export function newSessionToken({ secret }: SessionKeys): { token: string; hash: string } {
  const id = randomBytes(32).toString('base64url');
  return { token: `${id}.${sign(id, secret)}`, hash: hashOf(id) };
}

/** The hash of the session id a token carries, if its signature is genuine (a forged token costs no look-up). */
export function sessionHashOf(token: string, { secret }: SessionKeys): string | undefined {
  const [id, signature, ...rest] = token.split('.');
  if (!id || !signature || rest.length > 0) return undefined;
  const expected = Buffer.from(sign(id, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  return hashOf(id);
}

/** Starts a session for the account, tidying its ended ones, and returns its token. */
async function startSession(db: Db, keys: SessionKeys, email: string, now = Date.now()): Promise<string> {
  const { token, hash } = newSessionToken(keys);
  await sessions(db).insertOne({ _id: hash, email, createdAt: new Date(now), lastSeenAt: new Date(now) });
  await sessions(db).deleteMany({
    ...queries.sessionsOfStaff.filter(email),
    $or: [
      { createdAt: { $lte: new Date(now - SESSION_LONGEST_MS) } },
      { lastSeenAt: { $lte: new Date(now - SESSION_IDLE_MS) } },
    ],
  });
  return token;
}

export interface OpenSession {
  user: StaffUser;
  /** The hash of the session's id, which ends it. */
  sessionHash: string;
}

/**
 * The session a token names, if it is open: in the store, used within 30 minutes, under 8 hours old, its account
 * still there (read afresh, so that a removed account or a changed role counts at once). `touch: false` checks
 * without counting as the user's activity (the queue page's event stream polls on its own).
 */
export async function openSession(
  db: Db,
  keys: SessionKeys,
  token: string | undefined,
  { touch = true, now = Date.now() }: { touch?: boolean; now?: number } = {},
): Promise<OpenSession | undefined> {
  const sessionHash = token ? sessionHashOf(token, keys) : undefined;
  if (!sessionHash) return undefined;
  const found = await sessions(db).findOne(queries.sessionById.filter(sessionHash));
  if (!found) return undefined;
  const lastSeen = found.lastSeenAt.getTime();
  if (found.createdAt.getTime() <= now - SESSION_LONGEST_MS || lastSeen <= now - SESSION_IDLE_MS) {
    await endSession(db, sessionHash);
    return undefined;
  }
  const user = await findStaffAccount(db, found.email);
  if (!user) return undefined;
  if (touch && now - lastSeen >= TOUCH_EVERY_MS) {
    await sessions(db).updateOne(queries.sessionById.filter(sessionHash), { $set: { lastSeenAt: new Date(now) } });
  }
  return { user, sessionHash };
}

/** Ends a session at once: its token is refused from the next request on. */
export async function endSession(db: Db, sessionHash: string): Promise<void> {
  await sessions(db).deleteOne(queries.sessionById.filter(sessionHash));
}

export type StaffEnv = { Variables: { user: StaffUser; sessionHash: string } };

/**
 * Lets through only signed-in staff with an open session.
 * The JSON API takes the bearer token only: a cookie would let another site's form act for a signed-in user
 * (the web pages take the cookie together with a CSRF token).
 */
export function requireStaff(db: Db, keys: SessionKeys): MiddlewareHandler<StaffEnv> {
  return async (c, next) => {
    const token = /^Bearer (.+)$/i.exec(c.req.header('Authorization') ?? '')?.[1];
    const open = await openSession(db, keys, token);
    if (!open) throw new ProblemError(401, 'not_signed_in', 'Sign in as a member of staff.');
    c.set('user', open.user);
    c.set('sessionHash', open.sessionHash);
    await next();
  };
}

export type SignInResult =
  | { outcome: 'signed_in'; user: StaffUser; token: string }
  | { outcome: 'locked'; retryAfterSeconds: number }
  | { outcome: 'busy'; retryAfterSeconds: number }
  | { outcome: 'wrong_credentials' };

/**
 * Checks an e-mail and password from a client address: counted first against the limits of api/signInThrottle.ts,
 * then checked when a hashing slot is free; a session starts on success. Every outcome that checked a password is
 * in the audit trail, naming the account only if there is one. The JSON API and the sign-in page each turn the
 * result into their own answer.
 */
export async function signIn(
  { db, session, log }: { db: Db; session: SessionKeys; log: Log },
  email: string,
  password: string,
  address: string,
): Promise<SignInResult> {
  // An empty field checks nothing, so there is nothing to count (the API's schema refuses it before this).
  if (!email || !password) return { outcome: 'wrong_credentials' };
  const attempt = await beginAttempt(db, attemptKeys(session.secret, email, address));
  if (attempt.outcome === 'locked') return attempt;
  const checked = await whenHashingFree(() => checkPassword(db, email, password));
  if (checked === 'busy') {
    await attempt.withdrawn();
    return { outcome: 'busy', retryAfterSeconds: BUSY_RETRY_SECONDS };
  }
  if (checked.outcome !== 'ok') {
    const actor = checked.outcome === 'wrong_password' ? checked.email : 'unknown';
    await audit(db, log, { actor, action: 'sign_in', outcome: 'failed' });
    // Recorded once, by the failure that reaches a limit, not by each attempt refused after it.
    for (const limit of attempt.reached)
      await audit(db, log, { actor, action: 'sign_in', outcome: 'locked', subject: limit });
    return { outcome: 'wrong_credentials' };
  }
  await attempt.succeeded();
  const token = await startSession(db, session, checked.user.email);
  await audit(db, log, { actor: checked.user.email, action: 'sign_in', outcome: 'ok' });
  return { outcome: 'signed_in', user: checked.user, token };
}

/** Ends the session a request was signed in with, in the audit trail too. */
export async function signOut(
  { db, log }: { db: Db; log: Log },
  { user, sessionHash }: { user: StaffUser; sessionHash: string },
): Promise<void> {
  await endSession(db, sessionHash);
  await audit(db, log, { actor: user.email, action: 'sign_out', outcome: 'ok' });
}

/** Gives the browser the session token as a cookie that scripts cannot read. */
export function setSessionCookie(c: Context, token: string, secure: boolean): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    secure,
    sameSite: 'Lax',
    path: '/',
    maxAge: SESSION_LONGEST_MS / 1000,
  });
}

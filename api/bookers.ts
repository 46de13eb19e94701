// Booker accounts, written once for the JSON API (below) and the pages (ui/account.ts): ask for a sign-in link, sign
// in with its code, see your visits, link a prisoner the prisoner service knows. A booker's session, like staff's,
// is kept in the store (signing out ends it at once) and travels as a signed token: a bearer token to the API, a
// cookie to the pages.
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { Db } from 'mongodb';
import { visitsOfBooker } from '../activities/readModel/lookups';
import {
  bookerFor,
  findBooker,
  linkPrisoner,
  useSignInLink,
  type BookerDocument,
} from '../activities/readModel/bookers';
import { queries } from '../activities/readModel/queries';
import type { VisitDocument } from '../activities/readModel/visits';
import { slotTimes } from '../rules/londonTime';
import type { Locale } from '../rules/vocabulary';
import { requestSignInLink } from '../workflows/client';
import { fieldError, invalid, ProblemError, unavailable } from './problem';
import { rateLimit } from './rateLimit';
import { bookerSessionRequest, bookerSignInRequest, linkPrisonerRequest } from './schemas';
import type { Services } from './services';
import { newSessionToken, sessionHashOf } from './session';
import { readJson } from './validation';
import { publicView } from './visitViews';

export const BOOKER_COOKIE = 'pvb_booker';
/** What a booker's session token begins with: told apart from a member of staff's without a look-up. */
const BOOKER_TOKEN_PREFIX = 'booker.';
const isBookerToken = (token: string | undefined): token is string => Boolean(token?.startsWith(BOOKER_TOKEN_PREFIX));
/** A booker's session ends 12 hours after sign-in. */
export const BOOKER_SESSION_MS = 12 * 60 * 60_000;
const limits = new WeakMap<Services, Record<string, MiddlewareHandler>>();

/** One limiter per service and name, so that the pages and the JSON API count against the same limit. */
function sharedLimit(services: Services, name: string, limit: number): MiddlewareHandler {
  const ofServices = limits.get(services) ?? {};
  limits.set(services, ofServices);
  ofServices[name] ??= rateLimit({ name, limit, windowMs: 10 * 60_000, trustedProxyHops: services.trustedProxyHops });
  return ofServices[name];
}

/** Requests for a sign-in link one client may make in 10 minutes (unless the services say): each may send an e-mail. */
export const signInLinkLimit = (services: Services) =>
  sharedLimit(services, 'sign-in links', services.signInLinks?.perTenMinutes ?? 10);

/**
 * Prisoners one client may try to link in 10 minutes: each try asks the prisoner service, and a number tried with
 * date after date could otherwise find where a prisoner is held.
 */
export const prisonerLinkLimit = (services: Services) =>
  sharedLimit(services, 'prisoner links', services.signInLinks?.perTenMinutes ?? 10);

interface BookerSessionDocument {
  /** The SHA-256 of the session's id. */
  _id: string;
  bookerId: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface SignedInBooker {
  booker: BookerDocument;
  /** The hash of the session's id, which ends it. */
  sessionHash: string;
}

export interface VisitGroups {
  /** Requested, or booked and not yet over. */
  upcoming: VisitDocument[];
  /** Booked, and over. */
  past: VisitDocument[];
  /** Rejected, withdrawn or cancelled. */
  cancelled: VisitDocument[];
}

/** A booker's visits as "Your visits" shows them: upcoming soonest first, the others latest first. */
export function groupVisits(visits: VisitDocument[], now = new Date()): VisitGroups {
  const time = (visit: VisitDocument) => visit.slotGranted ?? visit.slotOptions[0];
  const over = (visit: VisitDocument) => slotTimes(time(visit)).end.getTime() <= now.getTime();
  const ended = ['rejected', 'withdrawn', 'cancelled'];
  return {
    upcoming: visits
      .filter((visit) => !ended.includes(visit.status) && !(visit.status === 'booked' && over(visit)))
      .sort((a, b) => time(a).localeCompare(time(b))),
    past: visits.filter((visit) => visit.status === 'booked' && over(visit)),
    cancelled: visits.filter((visit) => ended.includes(visit.status)),
  };
}

const bookerSessions = (db: Db) => db.collection<BookerSessionDocument>(queries.bookerSessionById.collection);

/** What a prisoner's link came to: linked, not a prisoner the service knows by that date of birth, or no answer. */
export type LinkOutcome = 'linked' | 'not_matched' | 'unavailable';

export function bookerAccounts(services: Services) {
  const { db, session, prisonerService } = services;

  /** Starts a session for the account: its token and when it ends. */
  async function startSession(bookerId: string): Promise<{ token: string; expiresAt: Date }> {
    const { token: signed, hash } = newSessionToken(session);
    const token = `${BOOKER_TOKEN_PREFIX}${signed}`;
    const now = Date.now();
    const expiresAt = new Date(now + BOOKER_SESSION_MS);
    await bookerSessions(db).insertOne({ _id: hash, bookerId, createdAt: new Date(now), expiresAt });
    await bookerSessions(db).deleteMany({
      ...queries.sessionsOfBooker.filter(bookerId),
      expiresAt: { $lte: new Date(now) },
    });
    return { token, expiresAt };
  }

  return {
    startSession,

    /** E-mails a sign-in link to the address, making its account if it has none; says nothing of either. */
    async askForLink(email: string, locale: Locale): Promise<void> {
      const booker = await bookerFor(db, email, locale);
      await requestSignInLink(services, booker.bookerId, locale);
    },

    /** Signs in with an e-mailed link's code: a session, or undefined for a code unknown, used or expired. */
    async signInWithLink(code: string): Promise<{ token: string; expiresAt: Date } | undefined> {
      const bookerId = await useSignInLink(db, code);
      return bookerId ? startSession(bookerId) : undefined;
    },

    /** The booker a token signs in, if its session is open. */
    async signedIn(token: string | undefined): Promise<SignedInBooker | undefined> {
      const sessionHash = isBookerToken(token)
        ? sessionHashOf(token.slice(BOOKER_TOKEN_PREFIX.length), session)
        : undefined;
      if (!sessionHash) return undefined;
      const found = await bookerSessions(db).findOne(queries.bookerSessionById.filter(sessionHash));
      if (!found || found.expiresAt.getTime() <= Date.now()) return undefined;
      const booker = await findBooker(db, found.bookerId);
      return booker ? { booker, sessionHash } : undefined;
    },

    /** Ends a session at once. */
    signOut: async (sessionHash: string) => {
      await bookerSessions(db).deleteOne(queries.bookerSessionById.filter(sessionHash));
    },

    visits: async (bookerId: string) => groupVisits(await visitsOfBooker(db, bookerId)),

    /**
     * Links a prisoner to the account if the prisoner service knows the number with this date of birth (its name and
     * prison then come from the service's record, not from the booker).
     */
    async linkPrisoner(bookerId: string, wanted: { number: string; dateOfBirth: string }): Promise<LinkOutcome> {
      const found = prisonerService ? await prisonerService.find(wanted.number) : { status: 'not_configured' as const };
      if (found.status === 'not_found') return 'not_matched';
      if (found.status !== 'found') return 'unavailable';
      const { record } = found;
      if (record.dateOfBirth !== wanted.dateOfBirth || record.status === 'released') return 'not_matched';
      await linkPrisoner(db, bookerId, {
        number: record.number,
        firstName: record.firstName,
        lastName: record.lastName,
        dateOfBirth: record.dateOfBirth,
        prisonId: record.prisonId,
        linkedAt: new Date().toISOString(),
      });
      return 'linked';
    },
  };
}

export type BookerAccounts = ReturnType<typeof bookerAccounts>;

const bearerOf = (c: Context) => /^Bearer (.+)$/i.exec(c.req.header('Authorization') ?? '')?.[1];

/**
 * The booker whose bearer token a request carries: undefined with none (or another kind, a member of staff's), 401
 * with a booker's token that signs nobody in. The JSON API takes the bearer token only, never the pages' cookie
 * (another site's form could send that).
 */
export async function bookerOfBearer(accounts: BookerAccounts, c: Context): Promise<SignedInBooker | undefined> {
  const token = bearerOf(c);
  if (!isBookerToken(token)) return undefined;
  const signedIn = await accounts.signedIn(token);
  if (!signedIn) throw new ProblemError(401, 'not_signed_in', 'Sign in as a booker again: this token is not open.');
  return signedIn;
}

/** The account as the API shows it to its booker. */
const accountView = (booker: BookerDocument) => ({
  email: booker._id,
  prisoners: booker.prisoners,
  visitors: booker.visitors,
});

export function bookerRoutes(services: Services) {
  const accounts = bookerAccounts(services);
  const required = async (c: Context) => {
    const signedIn = await accounts.signedIn(bearerOf(c));
    if (!signedIn) throw new ProblemError(401, 'not_signed_in', 'Sign in as a booker: send the session token.');
    return signedIn;
  };

  return new Hono()
    .post('/sign-in', signInLinkLimit(services), async (c) => {
      const body = await readJson(c, bookerSignInRequest);
      await accounts.askForLink(body.email, body.locale);
      return c.body(null, 202);
    })
    .post('/session', async (c) => {
      const body = await readJson(c, bookerSessionRequest);
      const started = await accounts.signInWithLink(body.code);
      if (!started) throw new ProblemError(401, 'link_not_valid', 'This sign-in link is used, expired or unknown.');
      return c.json({ token: started.token, expiresAt: started.expiresAt.toISOString() }, 201);
    })
    .delete('/session', async (c) => {
      await accounts.signOut((await required(c)).sessionHash);
      return c.body(null, 204);
    })
    .get('/account', async (c) => c.json(accountView((await required(c)).booker)))
    .get('/visits', async (c) => {
      const groups = await accounts.visits((await required(c)).booker.bookerId);
      return c.json({
        upcoming: groups.upcoming.map((visit) => publicView(visit)),
        past: groups.past.map((visit) => publicView(visit)),
        cancelled: groups.cancelled.map((visit) => publicView(visit)),
      });
    })
    .post('/prisoners', prisonerLinkLimit(services), async (c) => {
      const { booker } = await required(c);
      const body = await readJson(c, linkPrisonerRequest);
      const outcome = await accounts.linkPrisoner(booker.bookerId, body);
      if (outcome === 'not_matched') throw invalid([fieldError('number', 'prisoner_not_matched')]);
      if (outcome === 'unavailable') {
        throw unavailable('The prisoner service did not answer: retry.');
      }
      const after = await findBooker(services.db, booker.bookerId);
      return c.json(accountView(after ?? booker), 201);
    });
}

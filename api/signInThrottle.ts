// Slows password guessing. Every sign-in attempt is counted before its password is checked, against three limits
// over the last 15 minutes (429 with Retry-After beyond any):
//
// - 5 for one account from one client address: a member of staff who mistypes has 5 tries, as before, and an
//   attacker at one address has 5 guesses at an account;
// - 20 for one account from every address: an attacker with many addresses has 20 guesses at an account per
//   15 minutes (under 2,000 a day, hopeless against a 12-character password), and needs 4 addresses to lock its
//   owner out everywhere; one address alone locks the account only from that address;
// - 20 from one client address whatever the account: password spraying (a common password tried on many accounts)
//   gets 20 guesses in all, and an office behind one address has room for several people's mistakes.
//
// Counted in the store, so that every API process sees the same counts. An attempt is a document inserted for each
// limit, then counted: FerretDB applies an update by reading the document and writing it back whole, so two
// concurrent `$inc` can lose one, but an insert is never lost, and each attempt counts at least those that were
// inserted before it. So of any number of attempts at once no more than the limit go on to a password check (a race
// can only refuse more). Only an attempt's key is stored, an HMAC of the e-mail address or client address under the
// session secret: never the address typed, which may be no account's (or a password typed in the wrong box).
//
// Password hashing is the expensive part (api/staffAccounts.ts: about 0.4 s and 128 MiB each), so a process hashes
// at most HASHING_AT_ONCE passwords at a time, with a few more waiting; beyond that sign-in answers 503 with
// Retry-After rather than queueing without bound.
import { createHmac, randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { queries } from '../activities/readModel/queries';

export const WINDOW_MS = 15 * 60_000;

/** The limits, with the name each goes by in the audit trail when it locks. */
export const LIMITS = {
  account_from_address: 5,
  account: 20,
  address: 20,
} as const;

export type Limit = keyof typeof LIMITS;

interface Attempt {
  _id: string;
  key: string;
  at: Date;
  /** The 15-minute window it was made in, counted from 1970: how it is swept away. */
  window: number;
}

const windowOf = (ms: number) => Math.floor(ms / WINDOW_MS);
/** Windows a first sweep looks back over: a day. Attempts are only ever read back for one window. */
const FIRST_SWEEP_WINDOWS = 96;
const sweptThrough = new WeakMap<Db, number>();

/**
 * Deletes the attempts of every window that has passed (all but this one and the one before), at most once a window
 * in each process: the attempts at keys never tried again (a random e-mail address each time) are not left behind.
 */
async function sweep(db: Db, now: number): Promise<void> {
  const last = windowOf(now) - 2;
  const from = (sweptThrough.get(db) ?? last - FIRST_SWEEP_WINDOWS) + 1;
  if (from > last) return;
  sweptThrough.set(db, last);
  for (let window = from; window <= last; window++) {
    await attempts(db).deleteMany(queries.signInAttemptsOfWindow.filter(window));
  }
}

const attempts = (db: Db) => db.collection<Attempt>(queries.signInAttempts.collection);

/** The key an attempt is counted under for each limit. */
export function attemptKeys(secret: string, email: string, address: string): Record<Limit, string> {
  const keyed = (value: string) => createHmac('sha256', secret).update(`sign-in:${value}`).digest('base64url');
  const account = email.trim().toLowerCase();
  return {
    account_from_address: keyed(`account-address:${account}\n${address}`),
    account: keyed(`account:${account}`),
    address: keyed(`address:${address}`),
  };
}

/** The times of a key's attempts in the window, but for `except`, oldest first; older ones are deleted on the way. */
async function attemptTimes(db: Db, key: string, now: number, except = new Set<string>()): Promise<number[]> {
  const found = await attempts(db)
    .find(queries.signInAttempts.filter(key), { projection: { at: 1 } })
    .toArray();
  const since = now - WINDOW_MS;
  const current = found.filter((attempt) => attempt.at.getTime() > since);
  if (current.length < found.length) {
    await attempts(db).deleteMany({ ...queries.signInAttempts.filter(key), at: { $lte: new Date(since) } });
  }
  return current
    .filter((attempt) => !except.has(attempt._id))
    .map((attempt) => attempt.at.getTime())
    .sort((a, b) => a - b);
}

/** Seconds until fewer than `limit` of these attempts are in the window (0: there are fewer already). */
function secondsUntilBelow(times: number[], limit: number, now: number): number {
  if (times.length < limit) return 0;
  return Math.max(1, Math.ceil((times[times.length - limit] + WINDOW_MS - now) / 1000));
}

export type Begun =
  | { outcome: 'locked'; retryAfterSeconds: number }
  | {
      outcome: 'counted';
      /** The limits this attempt reached: if its password is wrong, they are locked from now on. */
      reached: Limit[];
      /** The password was right: this attempt is no failure, and the account's count from this address starts again. */
      succeeded(): Promise<void>;
      /** The password was never checked (the service was busy): the attempt is taken back. */
      withdrawn(): Promise<void>;
    };

const limits = Object.keys(LIMITS) as Limit[];

/** Counts an attempt against every limit, unless one is reached already; call before checking the password. */
export async function beginAttempt(db: Db, keys: Record<Limit, string>, now = Date.now()): Promise<Begun> {
  /** The other attempts against each limit, and the seconds until every limit has room for one more. */
  const others = async (except?: Set<string>) => {
    const times = await Promise.all(limits.map((limit) => attemptTimes(db, keys[limit], now, except)));
    const wait = Math.max(...limits.map((limit, i) => secondsUntilBelow(times[i], LIMITS[limit], now)));
    return { counts: times.map((found) => found.length), wait };
  };
  // Refused before anything is written, so that a flood of attempts at a locked account adds nothing to the store.
  const before = await others();
  if (before.wait > 0) return { outcome: 'locked', retryAfterSeconds: before.wait };

  sweep(db, now).catch(() => sweptThrough.delete(db)); // not waited for: the next attempt tries again
  const mine = limits.map((limit) => ({
    _id: randomUUID(),
    key: keys[limit],
    at: new Date(now),
    window: windowOf(now),
  }));
  await attempts(db).insertMany(mine);
  // One by one: FerretDB pushes an `_id` equality down to its index, never an `$in`.
  const takeBack = async () => {
    await Promise.all(mine.map((attempt) => attempts(db).deleteOne({ _id: attempt._id })));
  };
  // Counted again with this attempt in: the others now include every attempt inserted before this one. One refused
  // here takes itself back, so that a burst at one account from one address leaves only the failures it was let
  // make (no more than the limit) and cannot use up the account's limit from every address. That is safe: an
  // attempt let through keeps its document until its password is checked, so of those let through at once the one
  // inserted last counts all the others.
  const after = await others(new Set(mine.map((attempt) => attempt._id)));
  if (after.wait > 0) {
    await takeBack();
    return { outcome: 'locked', retryAfterSeconds: after.wait };
  }

  return {
    outcome: 'counted',
    reached: limits.filter((limit, i) => after.counts[i] + 1 >= LIMITS[limit]),
    async succeeded() {
      await takeBack();
      await attempts(db).deleteMany(queries.signInAttempts.filter(keys.account_from_address));
    },
    async withdrawn() {
      await takeBack();
    },
  };
}

const HASHING_AT_ONCE = 2; // the machine's cores: more at once only take longer each
const HASHING_WAITING = 8;
let hashing = 0;
const waiting: (() => void)[] = [];

/** Runs `work` (a password check) when a hashing slot is free, or answers 'busy' when too many wait already. */
export async function whenHashingFree<T>(work: () => Promise<T>): Promise<T | 'busy'> {
  if (hashing >= HASHING_AT_ONCE) {
    if (waiting.length >= HASHING_WAITING) return 'busy';
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    hashing += 1;
  }
  try {
    return await work();
  } finally {
    // The slot passes straight to the next in line, if any.
    const next = waiting.shift();
    if (next) next();
    else hashing -= 1;
  }
}

/** Seconds a client asked to wait for a hashing slot should wait. */
export const BUSY_RETRY_SECONDS = 2;

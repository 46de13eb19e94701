// Slows down password guessing: after 5 failed sign-ins for one e-mail address within 15 minutes, that address
// cannot sign in for the rest of those 15 minutes (429 with Retry-After). Counted in MongoDB, so every API process
// sees the same count; an increment is atomic on one document, which FerretDB supports.
import type { Db } from 'mongodb';

const LIMIT = 5;
const WINDOW_MS = 15 * 60_000;

interface Failures {
  _id: string;
  count: number;
  since: Date;
}

const failures = (db: Db) => db.collection<Failures>('signInFailures');
const key = (email: string) => email.trim().toLowerCase();

/** Seconds until this address may try again, or 0 when it may now. */
export async function lockedFor(db: Db, email: string, now = Date.now()): Promise<number> {
  const found = await failures(db).findOne({ _id: key(email) });
  if (!found || found.count < LIMIT) return 0;
  const left = found.since.getTime() + WINDOW_MS - now;
  return left > 0 ? Math.ceil(left / 1000) : 0;
}

export async function recordFailure(db: Db, email: string, now = Date.now()): Promise<void> {
  const found = await failures(db).findOne({ _id: key(email) });
  if (found && found.since.getTime() + WINDOW_MS > now) {
    await failures(db).updateOne({ _id: key(email) }, { $inc: { count: 1 } });
    return;
  }
  try {
    await failures(db).replaceOne({ _id: key(email) }, { count: 1, since: new Date(now) }, { upsert: true });
  } catch {
    // Another failure for the same address created the document meanwhile: count this one on it.
    await failures(db).updateOne({ _id: key(email) }, { $inc: { count: 1 } });
  }
}

export async function clearFailures(db: Db, email: string): Promise<void> {
  await failures(db).deleteOne({ _id: key(email) });
}

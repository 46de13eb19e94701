// The links in visitors' e-mails: each a one-time code for one visit, made when the e-mail is sent. The store keeps
// only the code's SHA-256, so neither it nor the outbox holds anything that opens a visit.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from 'mongodb';
import { queries } from './queries';

/**
 * How long an e-mailed link works, unused: a visitor who reads their e-mail days late can still open it, and each
 * later e-mail (booked, rejected, a message, the reminder before the visit) brings a fresh one.
 */
export const LINK_DAYS = 7;

export interface VisitLinkDocument {
  /** SHA-256 (hex) of the link's code. */
  _id: string;
  reference: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt?: Date;
}

export const visitLinks = (db: Db) => db.collection<VisitLinkDocument>('visitLinks');

export const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

/** A new one-time code: 32 random bytes, base64url, safe in a link as it is. */
export const newCode = () => randomBytes(32).toString('base64url');

/**
 * Claims the one use of a code (`<hash>.used` inserted beside its document): true for the first claim, false for
 * any other, however many race. See decision 0014: FerretDB does not isolate the filtered update before it.
 */
export async function claimFirstUse(db: Db, collection: string, codeHash: string, fields: object): Promise<boolean> {
  try {
    await db
      .collection<{ _id: string; usedAt: Date }>(collection)
      .insertOne({ _id: `${codeHash}.used`, ...fields, usedAt: new Date() });
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 11000) return false;
    throw error;
  }
}

/** Makes a link to a visit and returns its code; only the code's hash is kept. */
export async function createVisitLink(db: Db, reference: string, now = new Date()): Promise<string> {
  const code = newCode();
  await visitLinks(db).insertOne({
    _id: hashOf(code),
    reference,
    createdAt: now,
    expiresAt: new Date(now.getTime() + LINK_DAYS * 86_400_000),
  });
  return code;
}

/**
 * Uses a link's code for a visit: true the first time, while it is unexpired; false for any other code, for a
 * link of another visit, and for every use after the first, even two at the same moment.
 *
 * On MongoDB the filtered update alone is the one use. FerretDB does not isolate updates: two at once may both match
 * the unused link (measured: up to 8 of 8), so the use is also claimed by inserting a document whose `_id` only one
 * insert can take.
 */
export async function useVisitLink(db: Db, reference: string, code: string, now = new Date()): Promise<boolean> {
  const codeHash = hashOf(code);
  const marked = await visitLinks(db).updateOne(queries.visitLinkToUse.filter(codeHash, reference, now), {
    $set: { usedAt: now },
  });
  if (marked.modifiedCount !== 1) return false;
  return claimFirstUse(db, 'visitLinks', codeHash, { reference });
}

/** The hash a visitor's e-mail address is compared by, for a new link: the address never leaves the page. */
export function linkAddressHash(reference: string, email: string): string {
  return hashOf(`visit-link:${reference.trim().toUpperCase()}:${email.trim().toLowerCase()}`);
}

/** Whether two address hashes are the same, in time that does not depend on where they differ. */
export function sameAddressHash(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

// Booker accounts: someone who books visits signs in by a one-time link e-mailed to them (or by the identity
// provider's sign-in, where one is configured) and keeps the prisoners they visit and the visitors who come, for the
// next request. An account is its e-mail address: made the first time a link is asked for, signed into only by
// whoever can read that mailbox. Booking without an account goes on as before.
import { randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import type { Locale } from '../../rules/vocabulary';
import { claimFirstUse, hashOf, newCode } from './visitLinks';
import { queries } from './queries';

/** How long an e-mailed sign-in link works, unused. */
export const SIGN_IN_LINK_MINUTES = 20;

/** A prisoner the booker visits, linked once the prisoner service knew the number with that date of birth. */
export interface LinkedPrisoner {
  number: string;
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  /** Where the prisoner service last placed them. */
  prisonId: string;
  linkedAt: string;
}

/** Someone who came on an earlier visit, offered again. */
export interface SavedVisitor {
  firstName: string;
  lastName: string;
  dateOfBirth: string;
}

export interface BookerDocument {
  /** The account's e-mail address, lower-cased: one account per address, whoever races to make it. */
  _id: string;
  /** What visits and sessions name the account by: random, so it says nothing of the address. */
  bookerId: string;
  createdAt: Date;
  /** The language the booker last asked for a link in, for the next e-mail. */
  locale: Locale;
  phone?: string;
  prisoners: LinkedPrisoner[];
  /** The visitors kept, those of the latest request first. */
  visitors: SavedVisitor[];
  /** How many came on the latest request: the visitors offered for the next. */
  lastParty?: number;
}

interface SignInLinkDocument {
  /** SHA-256 of the link's code. */
  _id: string;
  bookerId: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt?: Date;
}

export const bookers = (db: Db) => db.collection<BookerDocument>('bookers');
const signInLinks = (db: Db) => db.collection<SignInLinkDocument>('signInLinks');

/** The account of an address, made now if there is none; the address is compared lower-cased. */
export async function bookerFor(db: Db, email: string, locale: Locale): Promise<BookerDocument> {
  const address = email.trim().toLowerCase();
  const fresh: BookerDocument = {
    _id: address,
    bookerId: randomBytes(16).toString('hex'),
    createdAt: new Date(),
    locale,
    prisoners: [],
    visitors: [],
  };
  try {
    await bookers(db).insertOne(fresh);
    return fresh;
  } catch (error) {
    if ((error as { code?: number }).code !== 11000) throw error;
  }
  // Made before (or at this moment, by another request for the same address): that one is the account.
  await bookers(db).updateOne(queries.bookerByEmail.filter(address), { $set: { locale } });
  const found = await bookers(db).findOne(queries.bookerByEmail.filter(address));
  if (!found) throw new Error('a booker account clashed on its address and then could not be found');
  return found;
}

export const findBooker = (db: Db, bookerId: string) => bookers(db).findOne(queries.bookerById.filter(bookerId));

/** Makes a sign-in link for an account and returns its code; only the code's hash is kept. */
export async function createSignInLink(db: Db, bookerId: string, now = new Date()): Promise<string> {
  const code = newCode();
  // The account's links that can no longer be used go, so the collection holds only live ones and their uses.
  // (a use is kept past its link's 20 minutes, by when the link is refused as expired whoever races).
  const usedBefore = new Date(now.getTime() - SIGN_IN_LINK_MINUTES * 60_000);
  await signInLinks(db).deleteMany({
    ...queries.signInLinksOfBooker.filter(bookerId),
    $or: [{ expiresAt: { $lte: now } }, { usedAt: { $lte: usedBefore } }],
  });
  await signInLinks(db).insertOne({
    _id: hashOf(code),
    bookerId,
    createdAt: now,
    expiresAt: new Date(now.getTime() + SIGN_IN_LINK_MINUTES * 60_000),
  });
  return code;
}

/**
 * Uses a sign-in link's code: the account's id the first time, while it is unexpired; undefined for an unknown code
 * and for every use after the first, even two at the same moment (the use is claimed by a unique insert, 0014).
 */
export async function useSignInLink(db: Db, code: string, now = new Date()): Promise<string | undefined> {
  const codeHash = hashOf(code);
  const link = await signInLinks(db).findOne(queries.signInLinkToUse.filter(codeHash, now));
  if (!link) return undefined;
  const marked = await signInLinks(db).updateOne(queries.signInLinkToUse.filter(codeHash, now), {
    $set: { usedAt: now },
  });
  if (marked.modifiedCount !== 1) return undefined;
  return (await claimFirstUse(db, 'signInLinks', codeHash, { bookerId: link.bookerId })) ? link.bookerId : undefined;
}

/** The account an unused, unexpired sign-in link is for, without using it: the page that asks to use it names it. */
export async function bookerOfSignInLink(db: Db, code: string, now = new Date()): Promise<BookerDocument | null> {
  const link = await signInLinks(db).findOne(queries.signInLinkToUse.filter(hashOf(code), now));
  return link ? findBooker(db, link.bookerId) : null;
}

const samePerson = (a: SavedVisitor, b: SavedVisitor) =>
  a.firstName.toLowerCase() === b.firstName.toLowerCase() &&
  a.lastName.toLowerCase() === b.lastName.toLowerCase() &&
  a.dateOfBirth === b.dateOfBirth;

/** Most prisoners and visitors an account keeps: the latest used. */
const KEPT = 20;

/** Links a prisoner to the account (the latest first), replacing an earlier link to the same number. */
export async function linkPrisoner(db: Db, bookerId: string, prisoner: LinkedPrisoner): Promise<void> {
  const booker = await findBooker(db, bookerId);
  if (!booker) return;
  const prisoners = [prisoner, ...booker.prisoners.filter((p) => p.number !== prisoner.number)].slice(0, KEPT);
  await bookers(db).updateOne(queries.bookerById.filter(bookerId), { $set: { prisoners } });
}

/** Keeps the visitors and phone number of a request the booker sent, for the next one. */
export async function rememberVisitors(
  db: Db,
  bookerId: string,
  visitors: SavedVisitor[],
  phone: string,
): Promise<void> {
  const booker = await findBooker(db, bookerId);
  if (!booker) return;
  const plain = visitors.map(({ firstName, lastName, dateOfBirth }) => ({ firstName, lastName, dateOfBirth }));
  const kept = [...plain, ...booker.visitors.filter((v) => !plain.some((p) => samePerson(p, v)))].slice(0, KEPT);
  await bookers(db).updateOne(queries.bookerById.filter(bookerId), {
    $set: { visitors: kept, lastParty: plain.length, ...(phone ? { phone } : {}) },
  });
}

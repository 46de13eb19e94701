// Staff accounts in MongoDB, with passwords kept as scrypt hashes, each beside the parameters it was made with.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { Db } from 'mongodb';
import { queries } from '../activities/readModel/queries';
import type { StaffUser } from './schemas';

interface StaffDocument extends StaffUser {
  _id: string;
  passwordHash: string;
}

interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

// OWASP's advice (Password Storage Cheat Sheet): N=2^17, r=8, p=1. About 0.4 s and 128 MiB a hash on this machine;
// api/signInThrottle.ts bounds how many run at once.
const COST: ScryptCost = { N: 2 ** 17, r: 8, p: 1 };
// What hashes written as `scrypt$salt$key`, before the parameters were stored beside them, were made with.
const FIRST_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, { N, r, p }: ScryptCost): Promise<Buffer> {
  // scrypt needs 128 * N * r bytes; Node refuses more than maxmem (32 MiB unless told).
  const maxmem = 2 * 128 * N * r;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, { N, r, p, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** A new hash: `scrypt$N=131072,r=8,p=1$<salt>$<key>`, base64. */
export async function hashPassword(password: string, cost: ScryptCost = COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return `scrypt$N=${cost.N},r=${cost.r},p=${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** A stored hash's parts, with the parameters it was made with. */
function parse(stored: string): { cost: ScryptCost; salt: Buffer; key: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts[0] !== 'scrypt') return undefined;
  if (parts.length === 3)
    return { cost: FIRST_COST, salt: Buffer.from(parts[1], 'base64'), key: Buffer.from(parts[2], 'base64') };
  const found = /^N=(\d+),r=(\d+),p=(\d+)$/.exec(parts[1] ?? '');
  if (parts.length !== 4 || !found) return undefined;
  const [N, r, p] = found.slice(1).map(Number);
  return { cost: { N, r, p }, salt: Buffer.from(parts[2], 'base64'), key: Buffer.from(parts[3], 'base64') };
}

/** Whether a stored hash was made with weaker parameters than today's, and should be made again. */
export function isWeakerThanToday(stored: string): boolean {
  const cost = parse(stored)?.cost;
  return !cost || cost.N < COST.N || cost.r < COST.r || cost.p < COST.p;
}

export async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed || parsed.key.length !== KEY_LENGTH) return false;
  return timingSafeEqual(await derive(password, parsed.salt, parsed.cost), parsed.key);
}

function staff(db: Db) {
  return db.collection<StaffDocument>('staff');
}

const normalise = (email: string) => email.trim().toLowerCase();

/**
 * Creates a staff account, or replaces the one with the same e-mail; either way every session of that account ends
 * (a new password must shut out whoever had the old one). Returns how many sessions ended.
 */
export async function saveStaffAccount(db: Db, user: StaffUser & { password: string }): Promise<number> {
  const email = normalise(user.email);
  const document: StaffDocument = {
    _id: email,
    email,
    role: user.role,
    prisons: user.prisons,
    passwordHash: await hashPassword(user.password),
  };
  await staff(db).replaceOne({ _id: email }, document, { upsert: true });
  // The sessions collection is api/session.ts's; ended here, where a password is set, so that no caller forgets.
  const ended = await db
    .collection(queries.sessionsOfStaff.collection)
    .deleteMany(queries.sessionsOfStaff.filter(email));
  return ended.deletedCount;
}

export async function findStaffAccount(db: Db, email: string): Promise<StaffUser | undefined> {
  const found = await staff(db).findOne({ _id: normalise(email) });
  return found ? { email: found.email, role: found.role, prisons: found.prisons } : undefined;
}

// Compared against when the e-mail is unknown, so that a wrong e-mail takes as long as a wrong password.
let unknownUserHash: Promise<string> | undefined;

export type PasswordCheck =
  | { outcome: 'ok'; user: StaffUser }
  /** An account's, with the wrong password: the audit trail may name the account. */
  | { outcome: 'wrong_password'; email: string }
  /** No account has this e-mail: nothing typed is kept. */
  | { outcome: 'no_account' };

/**
 * Checks an e-mail and password. A right password whose hash was made with weaker parameters than today's is hashed
 * again, so that existing accounts move to today's parameters at their next sign-in.
 */
export async function checkPassword(db: Db, email: string, password: string): Promise<PasswordCheck> {
  const found = await staff(db).findOne({ _id: normalise(email) });
  unknownUserHash ??= hashPassword(randomBytes(16).toString('hex'));
  const matches = await passwordMatches(password, found?.passwordHash ?? (await unknownUserHash));
  if (!found) return { outcome: 'no_account' };
  if (!matches) return { outcome: 'wrong_password', email: found.email };
  if (isWeakerThanToday(found.passwordHash)) {
    // Only over the hash just checked: a password changed meanwhile stays changed.
    await staff(db).updateOne(
      { _id: found._id, passwordHash: found.passwordHash },
      { $set: { passwordHash: await hashPassword(password) } },
    );
  }
  return { outcome: 'ok', user: { email: found.email, role: found.role, prisons: found.prisons } };
}

/** The account whose e-mail and password these are, if any (with no count of attempts: see api/session.ts's signIn). */
export async function signInStaff(db: Db, email: string, password: string): Promise<StaffUser | undefined> {
  const checked = await checkPassword(db, email, password);
  return checked.outcome === 'ok' ? checked.user : undefined;
}

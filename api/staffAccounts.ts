// Staff accounts in MongoDB, with passwords kept as scrypt hashes.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Db } from 'mongodb';
import type { StaffUser } from './schemas';

interface StaffDocument extends StaffUser {
  _id: string;
  passwordHash: string;
}

// About 0.1 s and 32 MiB a hash on this machine: slow enough to make guessing expensive.
const cost: ScryptOptions = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, cost, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt);
  return `scrypt$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const derived = await derive(password, Buffer.from(salt, 'base64'));
  return timingSafeEqual(derived, Buffer.from(key, 'base64'));
}

function staff(db: Db) {
  return db.collection<StaffDocument>('staff');
}

const normalise = (email: string) => email.trim().toLowerCase();

/** Creates a staff account, or replaces the one with the same e-mail. */
export async function saveStaffAccount(db: Db, user: StaffUser & { password: string }): Promise<void> {
  const email = normalise(user.email);
  const document: StaffDocument = {
    _id: email,
    email,
    role: user.role,
    prisons: user.prisons,
    passwordHash: await hashPassword(user.password),
  };
  await staff(db).replaceOne({ _id: email }, document, { upsert: true });
}

export async function findStaffAccount(db: Db, email: string): Promise<StaffUser | undefined> {
  const found = await staff(db).findOne({ _id: normalise(email) });
  return found ? { email: found.email, role: found.role, prisons: found.prisons } : undefined;
}

// Compared against when the e-mail is unknown, so that a wrong e-mail takes as long as a wrong password.
let unknownUserHash: Promise<string> | undefined;

/** The account whose e-mail and password these are, if any. */
export async function signInStaff(db: Db, email: string, password: string): Promise<StaffUser | undefined> {
  const found = await staff(db).findOne({ _id: normalise(email) });
  unknownUserHash ??= hashPassword(randomBytes(16).toString('hex'));
  const matches = await passwordMatches(password, found?.passwordHash ?? (await unknownUserHash));
  return found && matches ? { email: found.email, role: found.role, prisons: found.prisons } : undefined;
}

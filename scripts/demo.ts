// Demo staff accounts for the embedded set-up, listed in the README with their password. Only ever in the embedded
// store, never in production: a production process refuses to start while one is in its store.
import type { Db } from 'mongodb';
import type { StaffUser } from '../api/schemas';
import { findStaffAccount, passwordMatches, saveStaffAccount } from '../api/staffAccounts';
import type { Config } from '../config';

export const DEMO_PASSWORD = 'visits-demo-2026';

export const demoStaff: StaffUser[] = [
  { email: 'staff@northgate.example', role: 'staff', prisons: ['NGT'] },
  { email: 'staff@westmoor.example', role: 'staff', prisons: ['WMR', 'AFL'] },
  { email: 'admin@visits.example', role: 'admin', prisons: [] },
  { email: 'policy@visits.example', role: 'policy', prisons: ['NGT', 'WMR', 'AFL'] },
];

/**
 * The staff collection as the demo sees it: its accounts carry `demo: true` from their seeding on, so that they are
 * known whatever their e-mails (api/staffAccounts.ts writes the rest; a replaced account loses the mark).
 */
const staff = (db: Db) => db.collection<{ _id: string; email: string; passwordHash: string; demo?: boolean }>('staff');

/** Adds the demo accounts that are missing, marked as demo; an account changed since is left as it is. */
export async function seedDemoStaff(db: Db, config: Pick<Config, 'env' | 'mongo'>): Promise<void> {
  if (config.env === 'production' || !config.mongo.embedded) {
    throw new Error('demo accounts go only into the embedded store, and never when NODE_ENV=production');
  }
  for (const user of demoStaff) {
    if (await findStaffAccount(db, user.email)) continue;
    await saveStaffAccount(db, { ...user, password: DEMO_PASSWORD });
    await staff(db).updateOne({ _id: user.email }, { $set: { demo: true } });
  }
}

/**
 * The e-mails of the demo accounts in a store: those marked so, and those seeded before the mark that still take the
 * demo password. Only reads: signing in would bring an old hash up to date.
 */
export async function demoAccountsIn(db: Db): Promise<string[]> {
  const found = await staff(db)
    .find({ demo: true })
    .map((account) => account.email)
    .toArray();
  for (const { email } of demoStaff) {
    if (found.includes(email)) continue;
    const account = await staff(db).findOne({ _id: email });
    if (account && (await passwordMatches(DEMO_PASSWORD, account.passwordHash))) found.push(email);
  }
  return found;
}

/** In production, stops the process while anyone could sign in with the README's password. */
export async function refuseDemoAccounts(db: Db, config: Pick<Config, 'env'>): Promise<void> {
  if (config.env !== 'production') return;
  const found = await demoAccountsIn(db);
  if (found.length === 0) return;
  throw new Error(
    `refusing to start in production: the store holds demo staff accounts, whose password is public: ` +
      `${found.join(', ')}. Delete them from its staff collection.`,
  );
}

// Demo staff accounts for the embedded set-up, listed in the README. Never in production.
import type { Db } from 'mongodb';
import type { StaffUser } from '../api/schemas';
import { findStaffAccount, saveStaffAccount } from '../api/staffAccounts';

export const DEMO_PASSWORD = 'visits-demo-2026';

export const demoStaff: StaffUser[] = [
  { email: 'staff@northgate.example', role: 'staff', prisons: ['NGT'] },
  { email: 'staff@westmoor.example', role: 'staff', prisons: ['WMR', 'AFL'] },
  { email: 'admin@visits.example', role: 'admin', prisons: [] },
  { email: 'policy@visits.example', role: 'policy', prisons: ['NGT', 'WMR', 'AFL'] },
];

/** Adds the demo accounts that are missing; an account changed since is left as it is. */
export async function seedDemoStaff(db: Db, env: string): Promise<void> {
  if (env === 'production') throw new Error('refusing to seed demo accounts when NODE_ENV=production');
  for (const user of demoStaff) {
    if (!(await findStaffAccount(db, user.email))) await saveStaffAccount(db, { ...user, password: DEMO_PASSWORD });
  }
}

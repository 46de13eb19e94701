// The staff accounts as the activities read them: who to remind about a prison's queue.
import type { Db } from 'mongodb';
import { queries } from './queries';

/** The e-mail addresses of the staff who work at a prison (not admins, who see every prison). */
export async function staffEmailsFor(db: Db, prisonId: string): Promise<string[]> {
  const staff = await db
    .collection<{ email: string; role: string; prisons: string[] }>('staff')
    .find(queries.staffOfPrison.filter(prisonId), { projection: { email: 1 } })
    .toArray();
  return staff.map((account) => account.email);
}

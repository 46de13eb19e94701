// The audit trail: who did what to which visit, and what came of it, in its own collection and in the log. Staff
// identity and references only: never a visitor's name, date of birth, e-mail or anything they typed.
import type { Db } from 'mongodb';
import type { Log } from './log';

export type AuditAction =
  | 'sign_in'
  | 'sign_out'
  | 'view_visit'
  | 'decide'
  | 'cancel'
  | 'confirm_cancellation'
  | 'message'
  | 'download'
  | 'search'
  | 'refused';

export interface AuditEntry {
  /** The member of staff's e-mail, or `unknown` for a sign-in with an address that has no account. */
  actor: string;
  action: AuditAction;
  outcome: 'ok' | 'failed' | 'locked' | 'refused';
  /** The visit's reference, or what else the action was about (a CSV's name, a route). */
  subject?: string;
  prisonId?: string;
}

export const auditCollection = (db: Db) => db.collection<AuditEntry & { at: Date }>('audit');

/** Records an entry; a store that is down must not hide the action, so a failure to record is logged, not thrown. */
export async function audit(db: Db, log: Log, entry: AuditEntry): Promise<void> {
  log.info('audit', { ...entry });
  await auditCollection(db)
    .insertOne({ ...entry, at: new Date() })
    .catch((error: Error) => log.error('audit not recorded', { action: entry.action, error: error.name }));
}

// The audit trail: who did what to which visit, and what came of it, in its own collection and in the log. Staff
// identity and references only: never a visitor's name, date of birth, e-mail or anything they typed.
import type { MiddlewareHandler } from 'hono';
import type { Db } from 'mongodb';
import type { Log } from './log';
import type { StaffUser } from './schemas';

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
  | 'block_date'
  | 'unblock_date'
  | 'no_change_needed'
  | 'adjust_visiting_orders'
  | 'refused';

export interface AuditEntry {
  /** The member of staff's e-mail, or `unknown` for a sign-in with an address that has no account. */
  actor: string;
  action: AuditAction;
  outcome: 'ok' | 'failed' | 'locked' | 'refused';
  /** The visit's reference, or what else the action was about (a CSV's name, a route, a date blocked). */
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

/** What a staff route does, by its method and route pattern, for the trail; none for routes that only list. */
function actionOf(method: string, route: string): AuditAction | undefined {
  if (method === 'GET' && /\/visits\/:reference$/.test(route)) return 'view_visit';
  if (method === 'GET' && route.endsWith('.csv')) return 'download';
  if (method === 'GET' && route.endsWith('/search')) return 'search';
  if (method !== 'POST') return undefined;
  if (route.endsWith('/decision')) return 'decide';
  if (route.endsWith('/cancel')) return 'cancel';
  if (route.endsWith('/cancellation-confirmed')) return 'confirm_cancellation';
  if (route.endsWith('/messages')) return 'message';
  if (route.endsWith('/no-change-needed')) return 'no_change_needed';
  if (route.endsWith('/visiting-orders/adjustments') || route.endsWith('/visiting-orders')) {
    return 'adjust_visiting_orders';
  }
  return undefined;
}

/**
 * Audits the staff routes of the API and the pages alike, once they have answered: who viewed which visit, decided,
 * cancelled or messaged it, downloaded a list, or searched (the terms are not kept: a prison number is personal),
 * and every refusal (4xx) of a signed-in user. Sign-in and sign-out are audited where they happen (api/session.ts).
 */
export function auditStaffRoutes(db: Db, log: Log): MiddlewareHandler<{ Variables: { user?: StaffUser } }> {
  return async (c, next) => {
    await next();
    const user = c.get('user');
    if (!user) return;
    const route = c.req.routePath;
    const status = c.res.status;
    const refused = status >= 400 && status < 500;
    const action = actionOf(c.req.method, route) ?? (refused ? 'refused' : undefined);
    if (!action) return;
    const reference = c.req.param('reference');
    const prisonId = c.req.query('prisonId');
    const subject = reference ?? (action === 'download' || action === 'refused' ? `${c.req.method} ${route}` : '');
    await audit(db, log, {
      actor: user.email,
      action,
      outcome: status >= 500 ? 'failed' : refused ? 'refused' : 'ok',
      ...(subject ? { subject } : {}),
      ...(prisonId ? { prisonId } : {}),
    });
  };
}

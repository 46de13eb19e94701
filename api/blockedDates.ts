// Staff block a date, or one session of it, at their prison themselves, with a reason: effective at once wherever
// times are offered (activities/readModel/blockedDates.ts), audited, and every visit booked into it and every request
// asking for it flagged for review. One action each to block and unblock, for the API (below) and the staff page
// (ui/staff/blockedDates.ts) alike.
import { Hono } from 'hono';
import {
  blockedOfPrison,
  removeBlock,
  saveBlock,
  visitsInBlock,
  type BlockedDate,
} from '../activities/readModel/blockedDates';
import { timesOn } from '../rules/calendar';
import { formatDate, timeRange } from '../rules/dateWords';
import { londonClock } from '../rules/londonTime';
import type { Prison } from '../rules/prison';
import { visitClient } from '../workflows/client';
import type { PrisonerChange } from '../workflows/visit';
import { refuseUnlessMayChangeVisits, refuseUnlessMaySeeVisits } from './access';
import { audit } from './audit';
import { fieldError, invalid, ProblemError } from './problem';
import { blockDateRequest, unblockQuery, type StaffUser } from './schemas';
import type { Services } from './services';
import { requireStaff, type StaffEnv } from './session';
import { readJson, readQuery } from './validation';
import type { z } from 'zod';

export type BlockInput = z.infer<typeof blockDateRequest>;

/** What a block did: the block (the one already there, when it was), and how many visits were told of it. */
export interface BlockOutcome {
  blockedDate: BlockedDate;
  created: boolean;
  flagged: number;
  /** Visits not told, as Temporal could not be reached: blocking the same again tells them, once. */
  notFlagged: number;
}

/** The block as the API shows it: without the store's id. */
export const blockView = ({ _id: _, ...block }: BlockedDate) => block;

/** What staff read on a visit flagged by a block: "The prison blocked Friday 8 January 2027 (2pm to 3:30pm): …". */
export function blockWords(block: Pick<BlockedDate, 'date' | 'session' | 'reason'>): string {
  const session = block.session ? ` (${timeRange(block.session.slice(0, 5), block.session.slice(6), 'en')})` : '';
  const reason = /[.!?]$/.test(block.reason) ? block.reason : `${block.reason}.`;
  return `The prison blocked ${formatDate(block.date, 'en')}${session}: ${reason}`;
}

/** The block and unblock actions, and the list, each checking the user may act at the prison. */
export function blockedDateActions(services: Services) {
  const { db, rules, log } = services;
  const visits = visitClient(services);

  /** The prison, if the user works there and may change its visits: 403 otherwise, 404 for no such prison. */
  function prisonFor(user: StaffUser, prisonId: string, doing?: string): Prison {
    if (doing) refuseUnlessMayChangeVisits(user, doing);
    refuseUnlessMaySeeVisits(user, prisonId);
    const prison = rules.get(prisonId);
    if (!prison) throw new ProblemError(404, 'unknown_prison', 'There is no prison with this id.');
    return prison;
  }

  /** Tells each visit of the block; the visits told, and those not told as Temporal was out of reach. */
  async function flag(block: BlockedDate): Promise<{ flagged: number; notFlagged: number }> {
    const { booked, waiting } = await visitsInBlock(db, block);
    const change: PrisonerChange = {
      // The block's time in the id: a repeat of this block tells nothing twice, a block made again after an unblock
      // is news.
      id: `blocked.${block.prisonId}.${block.date}.${block.session ?? 'day'}.${block.at}`,
      kind: 'date_blocked',
      detail: blockWords(block),
      at: block.at,
      source: 'staff',
    };
    const told = await Promise.allSettled([...booked, ...waiting].map((ref) => visits.prisonerChanged(ref, change)));
    const failed = told.filter((result) => result.status === 'rejected');
    if (failed.length > 0)
      log.error('visits not told of a blocked date', { prisonId: block.prisonId, count: failed.length });
    return { flagged: told.length - failed.length, notFlagged: failed.length };
  }

  return {
    prisonFor,

    /** A prison's blocked dates and sessions, in date order. */
    async list(user: StaffUser, prisonId: string): Promise<BlockedDate[]> {
      return blockedOfPrison(db, prisonFor(user, prisonId).id);
    },

    /**
     * Blocks a date (today or later) or one of its sessions, then flags the visits in it. Blocking what is blocked
     * already changes nothing but tells again any visit not yet told (each visit takes the news once): a retry after
     * Temporal was out of reach. Problems name the field (422).
     */
    async block(user: StaffUser, prisonId: string, input: BlockInput): Promise<BlockOutcome> {
      const prison = prisonFor(user, prisonId, 'block dates');
      const today = londonClock(new Date()).date;
      if (input.date < today) throw invalid([fieldError('date', 'date_in_past')]);
      if (input.session && !timesOn(prison, input.date).includes(input.session)) {
        throw invalid([fieldError('session', 'session_not_on_date')]);
      }
      const { block, created } = await saveBlock(db, {
        prisonId: prison.id,
        date: input.date,
        ...(input.session ? { session: input.session } : {}),
        reason: input.reason,
        by: user.email,
        at: new Date().toISOString(),
      });
      await audit(db, log, {
        actor: user.email,
        action: 'block_date',
        outcome: 'ok',
        subject: `${block.date} ${block.session ?? 'day'}`,
        prisonId: prison.id,
      });
      return { blockedDate: block, created, ...(await flag(block)) };
    },

    /** Unblocks a date or session: its times are offered again at once. The block removed; 404 when there was none. */
    async unblock(user: StaffUser, prisonId: string, date: string, session?: string): Promise<BlockedDate> {
      const prison = prisonFor(user, prisonId, 'unblock dates');
      const removed = await removeBlock(db, prison.id, date, session);
      if (!removed) throw new ProblemError(404, 'not_blocked', 'This date or session is not blocked.');
      await audit(db, log, {
        actor: user.email,
        action: 'unblock_date',
        outcome: 'ok',
        subject: `${removed.date} ${removed.session ?? 'day'}`,
        prisonId: prison.id,
      });
      return removed;
    },
  };
}

/** `/api/staff/prisons/{prisonId}/blocked-dates`: list, block, unblock. */
export function blockedDateRoutes(services: Services) {
  const actions = blockedDateActions(services);
  const staffOnly = requireStaff(services.db, services.session);
  return new Hono<StaffEnv>()
    .get('/:prisonId/blocked-dates', staffOnly, async (c) => {
      const prisonId = c.req.param('prisonId');
      const blocked = await actions.list(c.get('user'), prisonId);
      return c.json({ prisonId, blockedDates: blocked.map(blockView) });
    })
    .post('/:prisonId/blocked-dates', staffOnly, async (c) => {
      const user = c.get('user');
      const prisonId = c.req.param('prisonId');
      actions.prisonFor(user, prisonId, 'block dates'); // before the body: a refusal reveals nothing of it
      const outcome = await actions.block(user, prisonId, await readJson(c, blockDateRequest));
      if (outcome.notFlagged > 0) {
        throw new ProblemError(
          503,
          'not_all_flagged',
          `The date is blocked, but ${outcome.notFlagged} of its visits could not be flagged now: send the same ` +
            'request again to flag them (it blocks nothing twice).',
          undefined,
          { 'Retry-After': '5' },
        );
      }
      const { blockedDate, created, flagged } = outcome;
      // 201 again for a repeat, as a replayed request answers: `created` says whether this one made the block.
      return c.json({ blockedDate: blockView(blockedDate), created, flagged }, 201);
    })
    .delete('/:prisonId/blocked-dates/:date', staffOnly, async (c) => {
      const { session } = readQuery(c, unblockQuery);
      const removed = await actions.unblock(c.get('user'), c.req.param('prisonId'), c.req.param('date'), session);
      return c.json(blockView(removed));
    });
}

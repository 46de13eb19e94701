// The dates, or single sessions, that a prison's staff blocked themselves (ui/staff/blockedDates.ts, the API's
// /api/staff/prisons/{prisonId}/blocked-dates): no slot in one is offered, from the moment it is saved. Apart from
// the rule file's own unbookable dates, which policy teams write and this never changes. A prison has few.
import { MongoServerError, type Db } from 'mongodb';
import { isBlocked, type BlockedTime } from '../../rules/calendar';
import { queries } from './queries';
import { visitsCollection } from './visits';

export interface BlockedDate {
  /** `prisonId date session`, the session `day` when the whole day is blocked: one block of each. */
  _id: string;
  prisonId: string;
  /** YYYY-MM-DD, London. */
  date: string;
  /** A slot's times, `HH:MM/HH:MM`; absent when the whole day is blocked. */
  session?: string;
  /** Why, in the staff member's words. */
  reason: string;
  /** The staff member's e-mail. */
  by: string;
  /** When, ISO 8601. */
  at: string;
}

export const blockedDates = (db: Db) => db.collection<BlockedDate>('blockedDates');

export const blockIdOf = (prisonId: string, date: string, session?: string) =>
  `${prisonId} ${date} ${session ?? 'day'}`;

/** A prison's blocked dates and sessions, in date order. */
export async function blockedOfPrison(db: Db, prisonId: string): Promise<BlockedDate[]> {
  const found = await blockedDates(db).find(queries.blockedOfPrison.filter(prisonId)).toArray();
  return found.sort((a, b) => a.date.localeCompare(b.date) || (a.session ?? '').localeCompare(b.session ?? ''));
}

/**
 * Saves a block; one already there for the same date and session stays as it was (its reason, who and when), and is
 * the answer, with `created: false`.
 */
export async function saveBlock(
  db: Db,
  block: Omit<BlockedDate, '_id'>,
): Promise<{ block: BlockedDate; created: boolean }> {
  const document: BlockedDate = { _id: blockIdOf(block.prisonId, block.date, block.session), ...block };
  try {
    await blockedDates(db).insertOne(document);
    return { block: document, created: true };
  } catch (error) {
    if (!(error instanceof MongoServerError && error.code === 11000)) throw error;
    const existing = await blockedDates(db).findOne(queries.blockedDateById.filter(document._id));
    // Unblocked between the insert and the read: this one is the block now.
    if (!existing) return saveBlock(db, block);
    return { block: existing, created: false };
  }
}

/** Removes a block; the block removed, or undefined when there was none. */
export async function removeBlock(
  db: Db,
  prisonId: string,
  date: string,
  session?: string,
): Promise<BlockedDate | undefined> {
  return (
    (await blockedDates(db).findOneAndDelete(queries.blockedDateById.filter(blockIdOf(prisonId, date, session)))) ??
    undefined
  );
}

/** A prison's slots less those in its blocked dates and sessions: every list of times offered goes through this. */
export async function leaveOutBlocked(db: Db, prisonId: string, slots: string[]): Promise<string[]> {
  const blocked = await blockedOfPrison(db, prisonId);
  return blocked.length === 0 ? slots : slots.filter((slot) => !isBlocked(blocked, slot));
}

/**
 * The visits a block reaches: those booked into it, and the requests still waiting for staff that asked for a time
 * in it. References only; the workflow of each decides what the block means for it.
 */
export async function visitsInBlock(db: Db, block: Pick<BlockedDate, 'prisonId'> & BlockedTime) {
  const visits = visitsCollection(db);
  const projection = { slotGranted: 1, slotOptions: 1 };
  const [booked, waiting] = await Promise.all([
    visits.find(queries.bookedOnDay.filter(block.prisonId, block.date), { projection }).toArray(),
    visits.find(queries.queue.filter(block.prisonId), { projection }).toArray(),
  ]);
  return {
    booked: booked.filter((visit) => visit.slotGranted && isBlocked([block], visit.slotGranted)).map((v) => v._id),
    waiting: waiting.filter((visit) => visit.slotOptions.some((slot) => isBlocked([block], slot))).map((v) => v._id),
  };
}

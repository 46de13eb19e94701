// How many places are held in each slot with a capacity, as its slot workflow last wrote them
// (workflows/slotCapacity.ts): what the pages and the API read to offer only times with a place. A slot's document
// is forgotten when its workflow ends, a day after the slot, so a prison's documents are those of its coming slots.
import { MongoServerError, type Db } from 'mongodb';
import { bookableSlots, hasOpenPlace } from '../../rules/calendar';
import type { Prison } from '../../rules/prison';
import { leaveOutBlocked } from './blockedDates';
import { queries } from './queries';

export interface SlotPlaces {
  /** `prisonId slot`. */
  _id: string;
  prisonId: string;
  slot: string;
  open: number;
  closed: number;
  /** The workflow's count of changes when written: an older write never replaces a newer one. */
  version: number;
}

export const slotPlaces = (db: Db) => db.collection<SlotPlaces>('slotPlaces');

const idOf = (prisonId: string, slot: string) => `${prisonId} ${slot}`;

/** Writes a slot's places, unless a later version is already written. */
export async function savePlaces(db: Db, places: Omit<SlotPlaces, '_id'>): Promise<void> {
  const _id = idOf(places.prisonId, places.slot);
  try {
    await slotPlaces(db).updateOne(
      queries.slotPlacesOlderThan.filter(_id, places.version),
      { $set: places },
      { upsert: true },
    );
  } catch (error) {
    // The document is there with this version or a later one: nothing to do.
    if (!(error instanceof MongoServerError && error.code === 11000)) throw error;
  }
}

export async function forgetPlaces(db: Db, prisonId: string, slot: string): Promise<void> {
  await slotPlaces(db).deleteOne(queries.slotPlacesById.filter(idOf(prisonId, slot)));
}

/** The places held in one slot, as last written; undefined when none are written. */
export async function placesOfSlot(db: Db, prisonId: string, slot: string) {
  return (
    (await slotPlaces(db)
      .find(queries.slotPlacesById.filter(idOf(prisonId, slot)))
      .project<Pick<SlotPlaces, 'open' | 'closed'>>({ _id: 0, open: 1, closed: 1 })
      .next()) ?? undefined
  );
}

/** The places held in a prison's coming slots, by slot; a slot that is not there has none held. */
export async function placesOfPrison(db: Db, prisonId: string): Promise<Map<string, { open: number; closed: number }>> {
  const found = await slotPlaces(db)
    .find(queries.slotPlacesOfPrison.filter(prisonId))
    .project<Pick<SlotPlaces, 'slot' | 'open' | 'closed'>>({ _id: 0, slot: 1, open: 1, closed: 1 })
    .toArray();
  return new Map(found.map(({ slot, open, closed }) => [slot, { open, closed }]));
}

/**
 * A prison's slots bookable today: those with an open place free, and those full (held or taken, every one); none in
 * a date or session its staff blocked. What the API and the pages offer.
 */
export async function slotsWithPlaces(
  db: Db,
  prison: Prison,
  today: string,
): Promise<{ open: string[]; full: string[] }> {
  const slots = await leaveOutBlocked(db, prison.id, bookableSlots(prison, today));
  const held = prison.capacity ? await placesOfPrison(db, prison.id) : new Map<string, { open: number }>();
  return {
    open: slots.filter((slot) => hasOpenPlace(prison, slot, held.get(slot))),
    full: slots.filter((slot) => !hasOpenPlace(prison, slot, held.get(slot))),
  };
}

// One visiting slot of a prison with a capacity: it keeps who holds a place, so that accepts made at the same
// moment cannot overfill the slot. Reservations are handled one at a time by Temporal, never by database counters
// (FerretDB does not isolate concurrent updates). The story ends a day after the slot has ended.
import { allHandlersFinished, condition, defineUpdate, setHandler } from '@temporalio/workflow';
import { slotTimes } from '../rules/londonTime';

export type PlaceKind = 'open' | 'closed';

/** Holds a place for a visit if one is free; true if the visit holds one (again, on a repeat). */
export const reserve = defineUpdate<boolean, [{ reference: string; kind: PlaceKind; limit: number }]>('reserve');

/** Gives a visit's place back; true if it held one. */
export const release = defineUpdate<boolean, [{ reference: string }]>('release');

/** One per slot for each deployment (task queue), so that two services sharing a Temporal namespace keep apart. */
export const slotWorkflowId = (taskQueue: string, prisonId: string, slot: string) =>
  `slot-${taskQueue}-${prisonId}-${slot}`;

export async function slotCapacity({ slot }: { prisonId: string; slot: string }): Promise<number> {
  const places = new Map<string, PlaceKind>();
  setHandler(reserve, ({ reference, kind, limit }) => {
    if (places.has(reference)) return true;
    const taken = [...places.values()].filter((held) => held === kind).length;
    if (taken >= limit) return false;
    places.set(reference, kind);
    return true;
  });
  setHandler(release, ({ reference }) => places.delete(reference));
  const keepUntil = slotTimes(slot).end.getTime() + 86_400_000;
  await condition(() => false, Math.max(keepUntil - Date.now(), 1));
  await condition(allHandlersFinished);
  return places.size;
}

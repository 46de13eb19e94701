// One visiting slot of a prison with a capacity: it keeps who holds a place (a visit, or a visitor's place held for
// a few minutes while they finish asking, workflows/placeHold.ts), so that two asking at the same moment cannot
// overfill the slot. Reservations are handled one at a time by Temporal, never by database counters (FerretDB does
// not isolate concurrent updates). Slots started from December 2026 also write how many places are held to the read
// model after each change, for the pages that offer only times with a place, and continue as new (the same workflow
// id, the places carried over) before their history grows long. The story ends a day after the slot.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  patched,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { slotTimes } from '../rules/londonTime';

export type PlaceKind = 'open' | 'closed';

/** Places held in a slot, open and closed counted apart. */
export interface PlacesHeld {
  open: number;
  closed: number;
}

/**
 * Holds a place for a visit if one is free; true if the visit holds one (again, on a repeat). With `instead`, the
 * visit takes over that place (a held place becoming the visit's booking) in the same step, so no one else can take
 * it between; if `instead` holds none (its hold expired), a free place is needed as for any other.
 */
export const reserve = defineUpdate<boolean, [{ reference: string; kind: PlaceKind; limit: number; instead?: string }]>(
  'reserve',
);

/** Gives a visit's place back; true if it held one. */
export const release = defineUpdate<boolean, [{ reference: string }]>('release');

/** How many places are held now. */
export const placesHeld = defineQuery<PlacesHeld>('placesHeld');

/** One per slot for each deployment (task queue), so that two services sharing a Temporal namespace keep apart. */
export const slotWorkflowId = (taskQueue: string, prisonId: string, slot: string) =>
  `slot-${taskQueue}-${prisonId}-${slot}`;

/** Slots started from 4 December 2026 write their places to the read model (activities/readModel/slotPlaces.ts). */
const SAVES_PLACES = 'saves-places';

/**
 * Slots started from 4 December 2026 continue as new when their history passes `historyLimit` events or Temporal
 * suggests it: every place held costs two updates (held, given back), and a busy slot sees thousands.
 */
const CONTINUES_AS_NEW = 'continues-as-new';

/** The events a run's history may reach before it continues as new; at least MIN_HISTORY_LIMIT, so a run can start. */
export const HISTORY_LIMIT = 2_000;
const MIN_HISTORY_LIMIT = 20;

export interface SlotCapacityInput {
  prisonId: string;
  slot: string;
  /** How many events a run's history may reach before it continues as new (HISTORY_LIMIT unless a test says). */
  historyLimit?: number;
  /** Handed on by the run before: the places held, the changes made (the read model's version), and those written. */
  carried?: { places: [string, PlaceKind][]; changes: number; saved: number };
}

/** The read model's side of a slot (activities/index.ts, which imports this file: so named here, not imported). */
interface PlacesActivities {
  savePlaces(places: { prisonId: string; slot: string; version: number } & PlacesHeld): Promise<void>;
  forgetPlaces(slot: { prisonId: string; slot: string }): Promise<void>;
}

const { savePlaces, forgetPlaces } = proxyLocalActivities<PlacesActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
});

export async function slotCapacity({
  prisonId,
  slot,
  historyLimit = HISTORY_LIMIT,
  carried,
}: SlotCapacityInput): Promise<number> {
  const places = new Map<string, PlaceKind>(carried?.places);
  /** Counts the changes, so that the read model is written once for each run of them; carried on from run to run. */
  let changes = carried?.changes ?? 0;
  const held = (): PlacesHeld => ({
    open: [...places.values()].filter((kind) => kind === 'open').length,
    closed: [...places.values()].filter((kind) => kind === 'closed').length,
  });
  setHandler(reserve, ({ reference, kind, limit, instead }) => {
    if (places.has(reference)) return true;
    const taken = [...places].filter(([holder, its]) => its === kind && holder !== instead).length;
    if (taken >= limit) return false;
    if (instead !== undefined) places.delete(instead);
    places.set(reference, kind);
    changes += 1;
    return true;
  });
  setHandler(release, ({ reference }) => {
    const had = places.delete(reference);
    if (had) changes += 1;
    return had;
  });
  setHandler(placesHeld, held);
  const keepUntil = slotTimes(slot).end.getTime() + 86_400_000;
  const untilKept = () => Math.max(keepUntil - Date.now(), 1);
  if (patched(SAVES_PLACES)) {
    // Asked once, at the start: a run begun before this change (whose history has no marker) never continues as new,
    // and so waits on the very same conditions as it did.
    const continues = patched(CONTINUES_AS_NEW);
    const limit = Math.max(historyLimit, MIN_HISTORY_LIMIT);
    const tooLong = () => continues && (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= limit);
    let saved = carried?.saved ?? 0;
    while (await condition(() => saved < changes || tooLong(), untilKept())) {
      if (saved < changes) {
        const version = changes;
        await savePlaces({ prisonId, slot, ...held(), version });
        saved = version;
      }
      if (tooLong()) {
        // The handlers are synchronous, so none is left half done; an update that arrives as this run closes is
        // retried by Temporal on the next one (reserveSlot and releaseSlot name the workflow, not the run). A change
        // made since the write above is written by the next run first (saved < changes).
        await condition(allHandlersFinished);
        await continueAsNew<typeof slotCapacity>({
          prisonId,
          slot,
          historyLimit,
          carried: { places: [...places], changes, saved },
        });
      }
    }
    await forgetPlaces({ prisonId, slot });
  } else {
    await condition(() => false, untilKept());
  }
  await condition(allHandlersFinished);
  return places.size;
}

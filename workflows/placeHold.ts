// A visitor's place held in a slot for a few minutes while they finish asking for it: the place counts against the
// slot's capacity for everyone else (workflows/slotCapacity.ts) until the visitor's request takes it over, they let
// it go (another time, or they leave), or the durable timer here gives it back. Started by the journey through
// workflows/client.ts, which waits for `holdResult` to learn at once whether there was a place to hold.
import { condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { PlaceKind } from './slotCapacity';

/** How long a place is held. */
export const HOLD_MINUTES = 10;

export interface PlaceHoldInput {
  holdId: string;
  prisonId: string;
  slot: string;
  kind: PlaceKind;
}

/** Whether the place is held (there was one free), and until when. Waits until the slot has answered. */
export const holdResult = defineUpdate<{ held: boolean; expiresAt?: string }, []>('holdResult');

/** Gives the place back now: the visitor chose another time, or left. True if it was still held by this hold. */
export const releaseHold = defineUpdate<boolean, []>('releaseHold');

export const holdWorkflowId = (taskQueue: string, holdId: string) => `hold-${taskQueue}-${holdId}`;

/** The holder's name in the slot: a request that takes the place over names it as `instead`. */
export const holdReference = (holdId: string) => `hold:${holdId}`;

const { reserveSlot, releaseSlot } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
});

export async function placeHold(input: PlaceHoldInput): Promise<'full' | 'released' | 'expired'> {
  /** What the slot answered: set once, when it has. */
  const answer: { held?: boolean; expiresAt?: string } = {};
  let releasing = false;
  setHandler(holdResult, async () => {
    await condition(() => answer.held !== undefined);
    return { held: answer.held === true, ...(answer.expiresAt ? { expiresAt: answer.expiresAt } : {}) };
  });
  setHandler(releaseHold, () => {
    const wasHeld = answer.held === true && !releasing;
    releasing = true;
    return wasHeld;
  });
  const place = { prisonId: input.prisonId, slot: input.slot, reference: holdReference(input.holdId) };
  const held = await reserveSlot({ ...place, kind: input.kind });
  // The expiry first, so that whoever learns the place is held learns until when.
  if (held) answer.expiresAt = new Date(Date.now() + HOLD_MINUTES * 60_000).toISOString();
  answer.held = held;
  if (!held) return 'full';
  const letGo = await condition(() => releasing, `${HOLD_MINUTES} minutes`);
  // Taken over by a request, the hold is no longer in the slot, and this gives back nothing.
  await releaseSlot(place);
  return letGo ? 'released' : 'expired';
}

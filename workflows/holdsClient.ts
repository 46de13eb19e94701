// Held places, for the API and the pages alike: hold a free place in a slot for a visitor while they finish asking
// (workflows/placeHold.ts), and let it go. Not part of the workflow bundle (workflows/index.ts).
import { randomBytes } from 'node:crypto';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import { placesOfSlot } from '../activities/readModel/slotPlaces';
import { hasOpenPlace } from '../rules/calendar';
import type { Prison } from '../rules/prison';
import { isEnded } from './client';
import { holdResult, holdWorkflowId, placeHold, releaseHold } from './placeHold';
import type { PlaceKind } from './slotCapacity';

export interface HoldsDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  /** How long a hold may wait for Temporal before the API answers 503. */
  commandTimeoutMs: number;
}

/** A place held: its id (a secret: whoever has it may let the place go) and when it goes back. */
export type Held = { held: true; holdId: string; expiresAt: string } | { held: false };

/** A hold's id as this client makes them: 16 random bytes, base64url. */
export const isHoldId = (text: string) => /^[\w-]{22}$/.test(text);

export function holdsClient({ db, temporal, taskQueue, commandTimeoutMs }: HoldsDeps) {
  return {
    /**
     * Holds a free place in a slot; `held: false` when the slot has none. A time the read model already shows full
     * is refused here, at no cost to the slot's workflow (which stays the judge of every other).
     */
    async hold(prison: Prison, slot: string, kind: PlaceKind = 'open'): Promise<Held> {
      if (kind === 'open' && !hasOpenPlace(prison, slot, await placesOfSlot(db, prison.id, slot)))
        return { held: false };
      const prisonId = prison.id;
      const holdId = randomBytes(16).toString('base64url');
      const answer = await temporal.connection.withDeadline(Date.now() + commandTimeoutMs, () =>
        temporal.workflow.executeUpdateWithStart(holdResult, {
          startWorkflowOperation: new WithStartWorkflowOperation(placeHold, {
            workflowId: holdWorkflowId(taskQueue, holdId),
            taskQueue,
            args: [{ holdId, prisonId, slot, kind }],
            workflowIdConflictPolicy: 'FAIL',
          }),
        }),
      );
      return answer.held && answer.expiresAt ? { held: true, holdId, expiresAt: answer.expiresAt } : { held: false };
    },

    /** Lets a held place go; false when it was not held any more (expired, let go, or never). */
    async release(holdId: string): Promise<boolean> {
      try {
        return await temporal.connection.withDeadline(Date.now() + commandTimeoutMs, () =>
          temporal.workflow.getHandle(holdWorkflowId(taskQueue, holdId)).executeUpdate(releaseHold),
        );
      } catch (error) {
        if (isEnded(error)) return false;
        throw error;
      }
    },
  };
}

export type HoldsClient = ReturnType<typeof holdsClient>;

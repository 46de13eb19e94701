// Held places: a visitor (or the journey for them) holds a free place in a slot for a few minutes while they finish
// asking, at a prison that books at once, so no one else can take it meanwhile; they let it go when they choose
// another time. The hold's id is its only key: whoever has it may let the place go.
import { Hono } from 'hono';
import { leaveOutBlocked } from '../activities/readModel/blockedDates';
import { bookableSlots, slotCapacity } from '../rules/calendar';
import { londonClock } from '../rules/londonTime';
import { holdsClient, isHoldId } from '../workflows/holdsClient';
import { fieldError, invalid, ProblemError } from './problem';
import { holdRequest } from './schemas';
import type { Services } from './services';
import { readJson } from './validation';

export function holdRoutes(services: Services) {
  const holds = holdsClient(services);
  return new Hono()
    .post('/', async (c) => {
      const { prisonId, slot } = await readJson(c, holdRequest);
      const prison = services.rules.get(prisonId.toUpperCase());
      if (!prison) throw invalid([fieldError('prisonId', 'unknown_prison')]);
      const bookable = prison.enabled && !prison.closed && !prison.private;
      // Only a prison that books at once holds places, and only where a slot has a limit to hold against.
      if (prison.booking !== 'instant') throw invalid([fieldError('prisonId', 'holds_not_offered')]);
      const offered = bookable && (await leaveOutBlocked(services.db, prison.id, [slot])).length > 0;
      if (!offered || !bookableSlots(prison, londonClock(new Date()).date).includes(slot)) {
        throw invalid([fieldError('slot', 'slot_unavailable')]);
      }
      if (!slotCapacity(prison, slot)) throw invalid([fieldError('slot', 'holds_not_offered')]);
      const held = await holds.hold(prison, slot);
      if (!held.held) throw new ProblemError(409, 'slot_full', 'Every place at this time is taken or held.');
      return c.json({ holdId: held.holdId, prisonId: prison.id, slot, expiresAt: held.expiresAt }, 201);
    })
    .delete('/:holdId', async (c) => {
      const holdId = c.req.param('holdId');
      if (!isHoldId(holdId) || !(await holds.release(holdId))) {
        throw new ProblemError(404, 'not_held', 'This hold has no place: it was let go, or it expired.');
      }
      return c.body(null, 204);
    });
}

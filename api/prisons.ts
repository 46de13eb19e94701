// The public list of prisons and the slots each one can book today, with a place free.
import { Hono } from 'hono';
import { slotsWithPlaces } from '../activities/readModel/slotPlaces';
import { confirmByDate } from '../rules/calendar';
import { londonClock } from '../rules/londonTime';
import type { Prison } from '../rules/prison';
import type { Services } from './services';
import { ProblemError } from './problem';

function summary(prison: Prison) {
  return {
    id: prison.id,
    name: prison.name,
    ...(prison.nameCy ? { nameCy: prison.nameCy } : {}),
    enabled: prison.enabled,
    closed: prison.closed,
    private: prison.private,
    adultAge: prison.adultAge,
    maxVisitors: prison.maxVisitors,
    maxAdults: prison.maxAdults,
    leadDays: prison.leadDays,
    bookingWindowDays: prison.bookingWindowDays,
    ...(prison.phone ? { phone: prison.phone } : {}),
  };
}

export function prisonRoutes({ rules, db }: Services) {
  return new Hono()
    .get('/', (c) => c.json({ prisons: rules.list().map(summary) }))
    .get('/:prisonId/slots', async (c) => {
      const prison = rules.get(c.req.param('prisonId').toUpperCase());
      if (!prison) throw new ProblemError(404, 'unknown_prison', 'There is no prison with this id.');
      const today = londonClock(new Date()).date;
      const bookable = prison.enabled && !prison.closed && !prison.private;
      const { open, full } = bookable ? await slotsWithPlaces(db, prison, today) : { open: [], full: [] };
      return c.json({ prisonId: prison.id, today, confirmBy: confirmByDate(prison, today), slots: open, full });
    });
}

// Finding a visit at the user's prisons by prison number or reference.
import { Hono } from 'hono';
import type { Services } from '../../api/services';
import { refuseUnlessMaySeeVisits } from '../../api/access';
import { searchVisits } from '../../api/visitViews';
import { staffAccess, staffPage, type StaffPageEnv } from './common';
import { statusWords } from './words';

export function searchPages(services: Services) {
  const { db, rules } = services;
  const { signedIn } = staffAccess(services);

  return new Hono<StaffPageEnv>().get('/staff/search', signedIn, async (c) => {
    const user = c.get('user');
    refuseUnlessMaySeeVisits(user);
    const q = c.req.query('q') ?? '';
    const page = { title: 'Search', active: 'search', q };
    if (!q) return staffPage(c, 'staff/search', page);
    const found = await searchVisits(db, user, q);
    if (!found) {
      return staffPage(c, 'staff/search', {
        ...page,
        errors: [{ path: 'q', text: 'Enter a prison number like A1234BC or an 8-character reference' }],
      });
    }
    return staffPage(c, 'staff/search', {
      ...page,
      results: found.map((visit) => [
        { html: `<a class="govuk-link" href="/staff/visits/${visit.reference}">${visit.reference}</a>` },
        { text: `${visit.prisoner.firstName} ${visit.prisoner.lastName} (${visit.prisoner.number})` },
        { text: rules.get(visit.prisonId)?.name ?? visit.prisonId },
        { text: statusWords[visit.status] },
      ]),
    });
  });
}

// The requests a prison decided in the last 14 days, with who decided them and when.
import { Hono } from 'hono';
import { formatDate } from '../../rules/dateWords';
import { decidedSince } from '../../activities/readModel/lookups';
import type { VisitDocument } from '../../activities/readModel/visits';
import type { Services } from '../../api/services';
import { londonClock } from '../../rules/londonTime';
import { staffAccess, staffPage, type StaffPageEnv } from './common';
import { statusWords } from './words';

export function processedPages(services: Services) {
  const { db, rules } = services;
  const { signedIn, prisonFor } = staffAccess(services);

  return new Hono<StaffPageEnv>().get('/staff/processed', signedIn, async (c) => {
    const prisonId = prisonFor(c);
    const decided = await decidedSince(db, prisonId, londonClock(new Date()).date, 14);
    const decision = (visit: VisitDocument) =>
      visit.timeline.find((entry) => entry.status === 'booked' || entry.status === 'rejected');
    return staffPage(c, 'staff/processed', {
      title: `Processed: ${rules.get(prisonId)?.name ?? prisonId}`,
      user: c.get('user'),
      csrf: c.get('csrf'),
      active: 'processed',
      rows: decided.map((visit) => [
        { html: `<a class="govuk-link" href="/staff/visits/${visit.reference}">${visit.reference}</a>` },
        { text: `${visit.prisoner.firstName} ${visit.prisoner.lastName}` },
        { text: statusWords[visit.status] },
        { text: formatDate(londonClock(new Date(decision(visit)?.at ?? 0)).date, 'en') },
        { text: decision(visit)?.actor ?? decision(visit)?.by ?? '' },
      ]),
    });
  });
}

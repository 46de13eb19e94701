// The visits booked at a prison on a day, as a page and as a CSV file: the day's list for the gate and visits hall.
import { csvFile } from '../csv';
import { Hono, type Context } from 'hono';
import { formatDate } from '../../rules/dateWords';
import { bookedOn as bookedVisitsOn } from '../../activities/readModel/lookups';
import type { Services } from '../../api/services';
import { londonClock } from '../../rules/londonTime';
import { realDate, staffAccess, staffPage, type StaffPageEnv } from './common';

const personName = (p: { firstName: string; lastName: string }) => `${p.firstName} ${p.lastName}`;

export function bookedPages(services: Services) {
  const { db, rules } = services;
  const { signedIn, prisonsOf, prisonFor } = staffAccess(services);
  const app = new Hono<StaffPageEnv>();

  /** The visits booked at a prison on a day, in slot order. */
  async function bookedOn(c: Context<StaffPageEnv>) {
    const prisons = prisonsOf(c.get('user'));
    const prisonId = prisonFor(c);
    const asked = c.req.query('date') ?? londonClock(new Date()).date;
    const date = realDate(asked) ?? londonClock(new Date()).date;
    const visits = await bookedVisitsOn(db, prisonId, date);
    return { prisons, prisonId, date, asked, visits };
  }

  app.get('/staff/booked', signedIn, async (c) => {
    const { prisons, prisonId, date, asked, visits } = await bookedOn(c);
    return staffPage(c, 'staff/booked', {
      title: 'Booked visits',
      user: c.get('user'),
      csrf: c.get('csrf'),
      active: 'booked',
      date,
      errors: asked === date ? [] : [{ path: 'date', text: 'Enter a date like 2026-12-02' }],
      caption: `${rules.get(prisonId)?.name ?? prisonId}, ${formatDate(date, 'en')}`,
      prisonItems: prisons.map((p) => ({ value: p.id, text: p.name, selected: p.id === prisonId })),
      csvUrl: `/staff/booked.csv?prisonId=${prisonId}&date=${date}`,
      rows: visits.map((visit) => [
        { text: visit.slotGranted?.slice(11) ?? '' },
        { text: `${personName(visit.prisoner)} (${visit.prisoner.number})` },
        {
          text: visit.visitors
            .filter((v) => (v.outcome ?? 'allowed') === 'allowed')
            .map(personName)
            .join(', '),
        },
        { text: visit.closed ? 'Yes' : 'No' },
        { text: visit.referenceNo ?? '' },
      ]),
    });
  });

  app.get('/staff/booked.csv', signedIn, async (c) => {
    const { prisonId, date, visits } = await bookedOn(c);
    const lines = [
      ['time', 'prisoner', 'prison number', 'visitors', 'closed', 'booking reference', 'reference'],
      ...visits.map((visit) => [
        visit.slotGranted?.slice(11) ?? '',
        personName(visit.prisoner),
        visit.prisoner.number,
        visit.visitors
          .filter((v) => (v.outcome ?? 'allowed') === 'allowed')
          .map(personName)
          .join('; '),
        visit.closed ? 'yes' : 'no',
        visit.referenceNo ?? '',
        visit.reference,
      ]),
    ];
    c.header('Content-Disposition', `attachment; filename="booked-${prisonId}-${date}.csv"`);
    c.header('Cache-Control', 'no-store');
    return c.body(csvFile(lines), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
  });

  return app;
}

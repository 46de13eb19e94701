// The visits booked at a prison on a day, as a page, a CSV file and a page to print: the day's list for the gate and
// visits hall. Each visit's pass is in pass.ts.
import { csvFile } from '../csv';
import { Hono, type Context } from 'hono';
import { formatDate } from '../../rules/dateWords';
import { bookedOn as bookedVisitsOn } from '../../activities/readModel/lookups';
import type { Services } from '../../api/services';
import { londonClock } from '../../rules/londonTime';
import { escapeHtml } from '../render';
import { realDate, staffAccess, staffPage, type StaffPageEnv } from './common';
import { onPaper } from './pass';
import { londonTime } from './words';

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

  /** A link to a visit's pass, named for the visit among the day's others. */
  const passLink = (visit: ReturnType<typeof onPaper>) =>
    `<a class="govuk-link" href="${escapeHtml(visit.passUrl)}">Pass<span class="govuk-visually-hidden"> for ` +
    `${escapeHtml(visit.prisoner)}, ${escapeHtml(visit.time)}</span></a>`;

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
      printUrl: `/staff/booked/print?prisonId=${prisonId}&date=${date}`,
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
        { html: passLink(onPaper(visit)) },
      ]),
    });
  });

  // The day's list on paper, a table a slot in time order; its styles for print hide the navigation and buttons.
  app.get('/staff/booked/print', signedIn, async (c) => {
    const { prisonId, date, asked, visits } = await bookedOn(c);
    // A date that is none: the day's page says so, with its form to put it right.
    if (asked !== date) return c.redirect(`/staff/booked?prisonId=${prisonId}&date=${encodeURIComponent(asked)}`);
    const onDay = visits.map(onPaper);
    const withSupport = onDay.some((visit) => visit.support);
    const slots = [...new Set(visits.map((visit) => visit.slotGranted ?? ''))].map((slot) => {
      const inSlot = onDay.filter((_, index) => (visits[index].slotGranted ?? '') === slot);
      return {
        time: `${inSlot[0].time} (${inSlot.length} ${inSlot.length === 1 ? 'visit' : 'visits'})`,
        rows: inSlot.map((visit) => [
          { html: `${escapeHtml(visit.prisoner)}<br>${escapeHtml(visit.prisonerNumber)}` },
          {
            html: `<ul class="govuk-list govuk-!-margin-bottom-0">${visit.visitors
              .map((v) => `<li>${escapeHtml(v.name)}${v.born ? `<br>${escapeHtml(v.born)}` : ''}</li>`)
              .join('')}</ul>`,
          },
          { text: visit.hall },
          { text: visit.bookingReference },
          ...(withSupport ? [{ text: visit.support ?? '' }] : []),
          { html: passLink(visit), classes: 'app-screen-only' },
        ]),
      };
    });
    return staffPage(c, 'staff/bookedPrint', {
      title: `Visits on ${formatDate(date, 'en')}`,
      active: 'booked',
      prisonName: rules.get(prisonId)?.name ?? prisonId,
      madeAt: londonTime(new Date().toISOString()),
      count: visits.length,
      withSupport,
      slots,
      bookedUrl: `/staff/booked?prisonId=${prisonId}&date=${date}`,
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

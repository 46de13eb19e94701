// A booked visit's pass, printed for the visits hall (issue 18): who comes to see whom, when, in which hall, and what
// support they need. The printed day's list (booked.ts) words each visit the same way.
import { Hono } from 'hono';
import { formatDate, timeRange } from '../../rules/dateWords';
import { ageOn } from '../../rules/submission';
import type { VisitDocument } from '../../activities/readModel/visits';
import type { Services } from '../../api/services';
import { escapeHtml } from '../render';
import { staffAccess, staffPage, type StaffPageEnv } from './common';
import { statusWords, supportNeedWords } from './words';

const personName = (p: { firstName: string; lastName: string }) => `${p.firstName} ${p.lastName}`;

/**
 * What the visitors need at the visit, in words, if the visit records it: needs from a list and their own words. Read
 * loosely, as visits saved before support was asked for have none, and a need added later reads as its code.
 */
function supportOf(visit: VisitDocument): string | undefined {
  const support: unknown = (visit as { support?: unknown }).support;
  if (typeof support === 'string') return support.trim() || undefined;
  if (!support || typeof support !== 'object') return undefined;
  const { needs, details } = support as { needs?: unknown; details?: unknown };
  const words = (Array.isArray(needs) ? needs : [])
    .filter((need): need is string => typeof need === 'string' && need !== 'other')
    .map((need) => supportNeedWords[need] ?? need.replaceAll('_', ' '));
  if (typeof details === 'string' && details.trim()) words.push(details.trim());
  return words.length ? words.join('; ') : undefined;
}

/** A booked visit as the paper says it: the visitors allowed to come, with their age on the day, and its hall. */
export function onPaper(visit: VisitDocument) {
  const slot = visit.slotGranted ?? '';
  const date = slot.slice(0, 10);
  return {
    reference: visit.reference,
    bookingReference: visit.referenceNo ?? visit.reference,
    date: date ? formatDate(date, 'en') : '',
    time: slot ? timeRange(slot.slice(11, 16), slot.slice(17, 22), 'en') : '',
    prisoner: personName(visit.prisoner),
    prisonerNumber: visit.prisoner.number,
    visitors: visit.visitors
      .filter((v) => (v.outcome ?? 'allowed') === 'allowed')
      .map((v) => ({
        name: personName(v),
        born: v.dateOfBirth
          ? `born ${formatDate(v.dateOfBirth, 'en', { weekday: false })}, age ${ageOn(v.dateOfBirth, date)}`
          : '',
      })),
    hall: visit.closed ? 'Closed' : 'Open',
    support: supportOf(visit),
    passUrl: `/staff/visits/${encodeURIComponent(visit.reference)}/pass`,
  };
}

export function passPages(services: Services) {
  const { rules } = services;
  const { signedIn, visibleVisit } = staffAccess(services);
  const app = new Hono<StaffPageEnv>();

  app.get('/staff/visits/:reference/pass', signedIn, async (c) => {
    // The same check as the visit's own page: another prison's visit is not found, a policy user refused.
    const visit = await visibleVisit(c);
    const prison = rules.get(visit.prisonId)?.name ?? visit.prisonId;
    if (visit.status !== 'booked' || !visit.slotGranted) {
      return staffPage(c, 'staff/message', {
        title: 'This visit has no pass',
        paragraphs: [`Only a booked visit has a pass. This visit is: ${statusWords[visit.status].toLowerCase()}.`],
        link: { href: `/staff/visits/${encodeURIComponent(visit.reference)}`, text: 'Go to the visit' },
        status: 409,
      });
    }
    const paper = onPaper(visit);
    const row = (key: string, text: string) => ({ key: { text: key }, value: { text } });
    const visitors = paper.visitors
      .map((v) => `<li>${escapeHtml(v.name)}${v.born ? `, ${escapeHtml(v.born)}` : ''}</li>`)
      .join('');
    return staffPage(c, 'staff/pass', {
      title: `Visit pass: ${paper.prisoner}`,
      active: 'booked',
      prisonName: prison,
      paper,
      rows: [
        row('Prison', prison),
        row('Date', paper.date),
        row('Time', paper.time),
        row('Booking reference', paper.bookingReference),
        row('Prisoner', `${paper.prisoner} (${paper.prisonerNumber})`),
        {
          key: { text: 'Visitors' },
          value: { html: `<ul class="govuk-list govuk-!-margin-bottom-0">${visitors}</ul>` },
        },
        row('Visit', paper.hall),
        ...(paper.support ? [row('Additional support', paper.support)] : []),
      ],
      dayListUrl: `/staff/booked/print?prisonId=${encodeURIComponent(visit.prisonId)}&date=${visit.slotGranted.slice(0, 10)}`,
    });
  });

  return app;
}

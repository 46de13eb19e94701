// The queue of a prison: the requests to decide, and the cancellations to confirm, with a stream that tells an
// open queue page when to reload.
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { findVisit, queueOf, queueSignature } from '../../activities/readModel/lookups';
import type { VisitDocument } from '../../activities/readModel/visits';
import { ProblemError } from '../../api/problem';
import type { Services } from '../../api/services';
import { staffAccess, staffPage, type StaffPageEnv } from './common';
import { dateShort, slotInWords, slotShort, slotStart } from './words';

/** Event streams one user may hold open at once, in each API process. */
export const STREAMS_PER_USER = 3;

/**
 * What the banner says after a decision, read from the visit itself: the address names only its reference and the
 * outcome (`decided=ABCD1234&outcome=booked`). Nothing for a visit of another prison, or one whose state is not that.
 */
async function decisionNotice(db: Services['db'], prisonId: string, reference?: string, outcome?: string) {
  if (!reference || !/^[0-9A-Z]{8}$/.test(reference) || (outcome !== 'booked' && outcome !== 'rejected')) return '';
  const visit = await findVisit(db, reference);
  if (!visit || visit.prisonId !== prisonId || visit.status !== outcome) return '';
  return outcome === 'booked' && visit.slotGranted
    ? `Visit ${reference} booked for ${slotStart(visit.slotGranted)}`
    : `Request ${reference} rejected`;
}

export function queuePages(services: Services) {
  const { db, rules } = services;
  const { signedIn, signedInQuietly, stillSignedIn, prisonsOf, prisonFor } = staffAccess(services);
  const app = new Hono<StaffPageEnv>();
  // The streams open in this process, by user. Each holds a connection and polls the store, so a user gets a few
  // (a queue page in a tab or three); a further one is refused with 429 rather than closing the oldest, whose
  // browser would reopen it at once and close another in turn. A tab refused keeps its "Refresh the queue" link.
  const open = new Map<string, Set<symbol>>();

  // Tells an open queue page when its queue changes, so that it reloads itself (polled: FerretDB has no change
  // streams). Without JavaScript, the page's own "Refresh the queue" link does the same. Every poll asks again
  // whether the session is open, and the stream ends with it (sign-out, a new password, 30 minutes idle): the
  // browser's reconnection is then sent to the sign-in page, which is no stream, and it stops.
  app.get('/staff/queue/events', signedInQuietly, (c) => {
    const prisonId = prisonFor(c);
    const { email } = c.get('user');
    const mine = open.get(email) ?? new Set<symbol>();
    if (mine.size >= STREAMS_PER_USER) {
      throw new ProblemError(429, 'too_many_streams', 'Close a queue page before opening another.', undefined, {
        'Retry-After': '60',
      });
    }
    const stream = Symbol(email);
    mine.add(stream);
    open.set(email, mine);
    const close = () => {
      mine.delete(stream);
      if (mine.size === 0 && open.get(email) === mine) open.delete(email);
    };
    const signature = () => queueSignature(db, prisonId);
    return streamSSE(c, async (events) => {
      events.onAbort(close);
      try {
        const first = await signature();
        // Says the queue is being watched from now on: a change after this event is sent is seen.
        await events.writeSSE({ event: 'watching', data: prisonId });
        for (let polls = 0; polls < 200 && !events.aborted; polls++) {
          await events.sleep(3000);
          if (events.aborted) return;
          if (!(await stillSignedIn(c))) {
            await events.writeSSE({ event: 'signed-out', data: '/staff/sign-in' });
            return;
          }
          if ((await signature()) !== first) {
            await events.writeSSE({ event: 'queue-changed', data: 'reload' });
            return;
          }
        }
      } finally {
        close();
      }
    });
  });

  app.get('/staff/queue', signedIn, async (c) => {
    const user = c.get('user');
    const prisons = prisonsOf(user);
    const prisonId = prisonFor(c);
    const { requested, cancellations } = await queueOf(db, [prisonId]);
    const link = (visit: VisitDocument) => ({
      html: `<a class="govuk-link" href="/staff/visits/${visit.reference}">${visit.reference}</a>`,
    });
    const prisoner = (visit: VisitDocument) => ({ text: `${visit.prisoner.firstName} ${visit.prisoner.lastName}` });
    return staffPage(c, 'staff/queue', {
      title: `Queue: ${rules.get(prisonId)?.name ?? prisonId}`,
      user,
      csrf: c.get('csrf'),
      active: 'queue',
      notice: await decisionNotice(db, prisonId, c.req.query('decided'), c.req.query('outcome')),
      eventsUrl: `/staff/queue/events?prisonId=${prisonId}`,
      refreshUrl: `/staff/queue?prisonId=${prisonId}`,
      prisonItems: prisons.map((p) => ({ value: p.id, text: p.name, selected: p.id === prisonId })),
      requested: requested.map((visit) => [
        link(visit),
        prisoner(visit),
        // Slots are checked `YYYY-MM-DDTHH:MM/HH:MM` strings: nothing in them to escape.
        {
          html: `<ul class="govuk-list govuk-!-font-size-16 govuk-!-margin-bottom-0">${visit.slotOptions
            .map((slot) => `<li>${slotShort(slot)}</li>`)
            .join('')}</ul>`,
        },
        { text: String(visit.visitors.length), format: 'numeric' },
        { text: dateShort(visit.confirmBy) },
        {
          html: [
            ...(visit.overdue ? ['<strong class="govuk-tag govuk-tag--red">Overdue</strong>'] : []),
            ...(visit.eligibility?.flags ?? []).map(
              (f) => `<strong class="govuk-tag govuk-tag--yellow">${f.flag.replaceAll('_', ' ')}</strong>`,
            ),
          ].join(' '),
        },
      ]),
      cancellations: cancellations.map((visit) => [
        link(visit),
        prisoner(visit),
        { text: visit.slotGranted ? slotInWords(visit.slotGranted) : '' },
      ]),
    });
  });

  return app;
}

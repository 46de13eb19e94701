// The queue of a prison: the requests to decide, and the cancellations to confirm, with a stream that tells an
// open queue page when to reload.
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { formatDate, formatSlot } from '../../activities/emails/render';
import { queueOf, queueSignature } from '../../activities/readModel/lookups';
import type { VisitDocument } from '../../activities/readModel/visits';
import type { Services } from '../../api/services';
import { staffAccess, staffPage, type StaffPageEnv } from './common';

export function queuePages(services: Services) {
  const { db, rules } = services;
  const { signedIn, prisonsOf, prisonFor } = staffAccess(services);
  const app = new Hono<StaffPageEnv>();

  // Tells an open queue page when its queue changes, so that it reloads itself (polled: FerretDB has no change
  // streams). Without JavaScript, the page's own "Refresh the queue" link does the same.
  app.get('/staff/queue/events', signedIn, (c) => {
    const prisonId = prisonFor(c);
    const signature = () => queueSignature(db, prisonId);
    return streamSSE(c, async (stream) => {
      const first = await signature();
      // Says the queue is being watched from now on: a change after this event is sent is seen.
      await stream.writeSSE({ event: 'watching', data: prisonId });
      for (let polls = 0; polls < 200 && !stream.aborted; polls++) {
        await stream.sleep(3000);
        if ((await signature()) !== first) {
          await stream.writeSSE({ event: 'queue-changed', data: 'reload' });
          return;
        }
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
      eventsUrl: `/staff/queue/events?prisonId=${prisonId}`,
      refreshUrl: `/staff/queue?prisonId=${prisonId}`,
      prisonItems: prisons.map((p) => ({ value: p.id, text: p.name, selected: p.id === prisonId })),
      requested: requested.map((visit) => [
        link(visit),
        prisoner(visit),
        { text: formatDate(visit.confirmBy, 'en') },
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
        { text: visit.slotGranted ? formatSlot(visit.slotGranted, 'en') : '' },
      ]),
    });
  });

  return app;
}

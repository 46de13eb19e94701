// A visit's page and what staff do from it: decide a request, and, once it is booked, send a message, cancel it,
// or confirm a visitor's cancellation.
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { formatDate, formatSlot } from '../../activities/emails/render';
import { bookedInSlot, findVisit } from '../../activities/readModel/lookups';
import type { VisitDocument } from '../../activities/readModel/visits';
import { refuseUnlessMayChangeVisits } from '../../api/access';
import type { Services } from '../../api/services';
import { toFieldErrors } from '../../api/validation';
import { slotCapacity } from '../../rules/calendar';
import { decision as decisionSchema, staffCancellation, staffMessage } from '../../rules/shapes';
import { cancellationReason, rejectionReason } from '../../rules/vocabulary';
import { refusals } from '../../rules/refusals';
import { Refused, visitClient } from '../../workflows/client';
import { form, staffAccess, staffPage, type StaffPageEnv } from './common';

/** The form's own key, if it sent a well-formed one. */
const formKeyOf = (body: Record<string, string | string[]>) =>
  typeof body.key === 'string' && /^[0-9a-f]{32}$/.test(body.key) ? body.key : undefined;

const outcomeWords = {
  allowed: 'Allowed',
  banned: 'Banned',
  not_on_list: 'Not on the contact list',
  other: 'Other reason',
};

export function staffVisitPages(services: Services) {
  const { db, rules } = services;
  const { signedIn, visibleVisit } = staffAccess(services);
  const visits = visitClient(services);
  const app = new Hono<StaffPageEnv>();

  /** Places left in a slot with a capacity, as the read model counts its bookings; none where there is no limit. */
  async function placesLeft(prisonId: string, slot: string) {
    const prison = rules.get(prisonId);
    const capacity = prison && slotCapacity(prison, slot);
    if (!capacity) return undefined;
    const booked = await bookedInSlot(db, prisonId, slot);
    const left = (kind: 'open' | 'closed') =>
      capacity[kind] === undefined ? '' : `${Math.max(0, (capacity[kind] ?? 0) - booked[kind])} ${kind}`;
    return { text: `Places left: ${[left('open'), left('closed')].filter(Boolean).join(', ')}` };
  }

  async function visitPage(
    c: Context<StaffPageEnv>,
    visit: VisitDocument,
    errors: { path: string; text: string }[] = [],
    notice = '',
  ) {
    const row = (key: string, text: string) => ({ key: { text: key }, value: { text } });
    const eligibility = visit.eligibility;
    return staffPage(c, 'staff/visit', {
      title: `${visit.prisoner.firstName} ${visit.prisoner.lastName}`,
      user: c.get('user'),
      csrf: c.get('csrf'),
      visit,
      errors,
      notice,
      // Sent back with the form: a second press of its button repeats nothing.
      formKey: randomBytes(16).toString('hex'),
      status: errors.length ? 400 : 200,
      details: [
        row('Prison', rules.get(visit.prisonId)?.name ?? visit.prisonId),
        row('Prison number', visit.prisoner.number),
        row('Prisoner’s date of birth', formatDate(visit.prisoner.dateOfBirth, 'en', { weekday: false })),
        row(
          'Visitors',
          visit.visitors
            .map((v) => `${v.firstName} ${v.lastName} (${formatDate(v.dateOfBirth, 'en', { weekday: false })})`)
            .join('; '),
        ),
        row('Times asked for', visit.slotOptions.map((slot) => formatSlot(slot, 'en')).join('; ')),
        row('Confirm by', formatDate(visit.confirmBy, 'en')),
        row('Contact', `${visit.contact.email}, ${visit.contact.phone}`),
        row(
          'How they asked',
          visit.channel && visit.channel !== 'web'
            ? `${visit.channel.replace('_', ' ')}, with help (${visit.assistedMinutes ?? 0} minutes)`
            : 'online',
        ),
      ],
      findings: [
        ...(eligibility?.rejections ?? []).map((f) => `Rejected (${f.reason}): ${f.explanation}`),
        ...(eligibility?.flags ?? []).map((f) => f.explanation),
        ...(eligibility?.closedVisit ? [`Closed visit: ${eligibility.closedVisit.explanation}`] : []),
      ],
      slotItems: [
        ...(await Promise.all(
          visit.slotOptions.map(async (slot) => ({
            value: slot,
            text: formatSlot(slot, 'en'),
            hint: await placesLeft(visit.prisonId, slot),
          })),
        )),
        { divider: 'or' },
        { value: 'none', text: 'None of these (rejects the request: no slot available)' },
      ],
      visitorItems: visit.visitors.map((v, index) => ({
        index,
        label: `${v.firstName} ${v.lastName}${index === 0 ? ' (lead visitor)' : ''}`,
        options: Object.entries(outcomeWords).map(([value, text]) => ({ value, text })),
      })),
      cancelItems: cancellationReason.options
        .filter((reason) => reason !== 'visitor_cancelled')
        .map((reason) => ({ value: reason, text: reason.replaceAll('_', ' ') })),
      reasonItems: rejectionReason.options
        .filter((reason) => reason !== 'request_expired')
        .map((reason) => ({ value: reason, text: reason.replaceAll('_', ' ') })),
    });
  }

  app.get('/staff/visits/:reference', signedIn, async (c) => visitPage(c, await visibleVisit(c)));

  app.post('/staff/visits/:reference/decision', signedIn, async (c) => {
    const visit = await visibleVisit(c);
    const user = c.get('user');
    refuseUnlessMayChangeVisits(user, 'decide visits');
    const body = await form(c);
    const none = body.slot === 'none';
    const outcome = none ? 'reject' : body.outcome;
    const raw =
      outcome === 'accept'
        ? {
            outcome,
            slot: body.slot,
            referenceNo: body.referenceNo,
            closed: body.closed === 'yes',
            visitors: visit.visitors.map((_, index) => ({
              index,
              status: body[`visitor-${index}`] ?? 'allowed',
              ...(body[`visitor-${index}`] === 'banned' && body[`visitor-${index}-bannedUntil`]
                ? { bannedUntil: body[`visitor-${index}-bannedUntil`] }
                : {}),
            })),
          }
        : {
            outcome: 'reject',
            reasons: none ? ['slot_unavailable'] : ([] as string[]).concat(body.reasons ?? []),
            ...(body.detail ? { detail: body.detail } : {}),
          };
    const parsed = decisionSchema.safeParse(raw);
    if (!parsed.success) {
      const words: Record<string, string> = {
        slot: 'Choose a time, or none of these',
        referenceNo: 'Enter the booking reference number',
        reasons: 'Choose at least one reason to reject',
        detail: 'Explain the reason when you choose “other”',
      };
      const errors = toFieldErrors(parsed.error).map((e) => ({ path: e.path, text: words[e.path] ?? e.message }));
      return visitPage(c, visit, errors);
    }
    try {
      await visits.decide(visit.reference, parsed.data, { email: user.email });
    } catch (error) {
      if (error instanceof Refused && !error.field) {
        const latest = (await findVisit(db, visit.reference)) ?? visit;
        const why =
          error.code === refusals.slotFull
            ? 'That time is full. Choose another, or reject the request.'
            : 'Someone else processed this request first.';
        return visitPage(c, latest, [{ path: 'slot', text: why }]);
      }
      throw error;
    }
    const message = typeof body.message === 'string' ? body.message.trim() : '';
    const after = await findVisit(db, visit.reference);
    if (message && after?.status === 'booked' && staffMessage.safeParse({ body: message }).success) {
      await visits.sendMessage(visit.reference, message, { email: user.email }, formKeyOf(body));
    }
    return visitPage(
      c,
      (await findVisit(db, visit.reference)) ?? visit,
      [],
      `Request ${parsed.data.outcome === 'accept' ? 'processed' : 'rejected'}.`,
    );
  });

  /** A command from a booked visit's page: checked, sent, and the page shown again with what happened. */
  async function bookedCommand(
    c: Context<StaffPageEnv>,
    run: (
      visit: VisitDocument,
      body: Record<string, string | string[]>,
    ) => Promise<string | { path: string; text: string }>,
  ) {
    const visit = await visibleVisit(c);
    refuseUnlessMayChangeVisits(c.get('user'));
    const body = await form(c);
    try {
      const outcome = await run(visit, body);
      const latest = (await findVisit(db, visit.reference)) ?? visit;
      return typeof outcome === 'string' ? visitPage(c, latest, [], outcome) : visitPage(c, latest, [outcome]);
    } catch (error) {
      if (error instanceof Refused && !error.field) {
        return visitPage(c, (await findVisit(db, visit.reference)) ?? visit, [
          { path: 'body', text: 'The visit has changed: it is no longer booked.' },
        ]);
      }
      throw error;
    }
  }

  app.post('/staff/visits/:reference/messages', signedIn, (c) =>
    bookedCommand(c, async (visit, body) => {
      const parsed = staffMessage.safeParse({ body: body.body });
      if (!parsed.success) return { path: 'body', text: 'Enter a message of up to 1,000 characters' };
      await visits.sendMessage(visit.reference, parsed.data.body, { email: c.get('user').email }, formKeyOf(body));
      return 'Message sent.';
    }),
  );

  app.post('/staff/visits/:reference/cancel', signedIn, (c) =>
    bookedCommand(c, async (visit, body) => {
      const parsed = staffCancellation.safeParse({ reasons: ([] as string[]).concat(body.cancelReasons ?? []) });
      if (!parsed.success) return { path: 'cancelReasons', text: 'Choose at least one reason to cancel' };
      await visits.cancelByStaff(visit.reference, parsed.data.reasons, { email: c.get('user').email }, formKeyOf(body));
      return 'Visit cancelled. The visitor has been told.';
    }),
  );

  app.post('/staff/visits/:reference/cancellation-confirmed', signedIn, async (c) => {
    const visit = await visibleVisit(c);
    refuseUnlessMayChangeVisits(c.get('user'));
    await form(c);
    if (!visit.cancellationConfirmed) {
      // Refused: the visit's story has ended, or it was not the visitor's cancellation: nothing to confirm.
      await visits.confirmCancellation(visit.reference, { email: c.get('user').email }).catch((error: unknown) => {
        if (!(error instanceof Refused)) throw error;
      });
    }
    return c.redirect(`/staff/queue?prisonId=${visit.prisonId}`);
  });

  return app;
}

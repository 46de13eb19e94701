// A visit's page and what staff do from it: decide a request, and, once it is booked, move it to another time, send a
// message, cancel it, or confirm a visitor's cancellation.
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { formatDate } from '../../rules/dateWords';
import type { VisitorCheck } from '../../rules/contacts';
import { bookedInSlot, findVisit } from '../../activities/readModel/lookups';
import { placesOfPrison } from '../../activities/readModel/slotPlaces';
import type { VisitDocument } from '../../activities/readModel/visits';
import { refuseUnlessMayChangeVisits } from '../../api/access';
import { assistedSettingsOf } from '../../api/assistedSettings';
import type { Services } from '../../api/services';
import { timeChange } from '../../api/schemas';
import { toFieldErrors } from '../../api/validation';
import { changeableSlots, slotCapacity } from '../../rules/calendar';
import { leaveOutBlocked } from '../../activities/readModel/blockedDates';
import { slotTimes } from '../../rules/londonTime';
import { decision as decisionSchema, staffCancellation, staffMessage } from '../../rules/shapes';
import { cancellationReason, rejectionReason } from '../../rules/vocabulary';
import { refusals } from '../../rules/refusals';
import { Refused, visitClient } from '../../workflows/client';
import { openReview, placeKind, visitChangeRefusal, type Review } from '../../workflows/visit';
import { translate } from '../i18n';
import { reviewNotice, reviewPages } from './review';
import { visitingOrderPages } from './visitingOrders';
import { staffVisitorsPages } from './visitVisitors';
import { form, realDate, staffAccess, staffPage, type StaffPageEnv } from './common';
import {
  cancellationWords,
  londonTime,
  reasonInWords,
  rejectionWords,
  slotInWords,
  statusWords,
  supportNeedWords,
} from './words';

/**
 * The date a GOV.UK date input sent as `name-day`, `name-month` and `name-year`, written YYYY-MM-DD; undefined when
 * all three are empty, and what was typed when it is no real date (the decision's schema then refuses it).
 */
function dateField(body: Record<string, string | string[]>, name: string): string | undefined {
  const [day, month, year] = ['day', 'month', 'year'].map((part) => String(body[`${name}-${part}`] ?? '').trim());
  if (!day && !month && !year) return undefined;
  const written = `${year.padStart(4, '0')}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  return realDate(written) ?? `${day}/${month}/${year}`;
}

/** The form's own key, if it sent a well-formed one. */
const formKeyOf = (body: Record<string, string | string[]>) =>
  typeof body.key === 'string' && /^[0-9a-f]{32}$/.test(body.key) ? body.key : undefined;

type Outcome = 'accept' | 'reject';
type Problem = { path: string; text: string };

const outcomeWords = {
  allowed: 'Allowed',
  banned: 'Banned',
  not_on_list: 'Not on the contact list',
  other: 'Other reason',
};

/** How a review was closed, as the visit's timeline says it. */
const reviewOutcomeWords: Record<NonNullable<Review['closed']>['outcome'], string> = {
  no_change_needed: 'review closed: no change needed',
  changed: 'review closed: the visit was changed',
  cancelled: 'review closed: the visit was cancelled',
  decided: 'review closed: the request was decided',
  ended: 'review closed: the visit ended',
};

/** The outcome the contact check suggests for a visitor: staff confirm it or choose another. */
function suggestedOutcome(check: VisitorCheck | undefined): keyof typeof outcomeWords | undefined {
  if (!check) return undefined;
  if (check.match === 'none') return 'not_on_list';
  // A near match to a banned contact may be that contact: "banned" is the safe suggestion, for staff to confirm.
  return check.banned ? 'banned' : 'allowed';
}

const fieldWords = { firstName: 'first name', lastName: 'last name', dateOfBirth: 'date of birth' } as const;

/** What the contact check found for a visitor, beside their outcome: the match, and what differs for a near one. */
function matchInWords(check: VisitorCheck): string {
  const relationship = check.relationship ? ` (${check.relationship})` : '';
  if (check.match === 'none') return 'Not on the contact list.';
  if (check.match === 'exact') {
    const ban = check.banned
      ? check.banned.until
        ? ` Banned until ${formatDate(check.banned.until, 'en', { weekday: false })}.`
        : ' Banned until further notice.'
      : '';
    return `Exact match${relationship}.${ban}`;
  }
  const inWords = (field: keyof typeof fieldWords, value: string) =>
    field === 'dateOfBirth' ? formatDate(value, 'en', { weekday: false }) : value;
  const differences = (check.differences ?? []).map(
    ({ field, given, onRecord }) =>
      `${fieldWords[field]} ${inWords(field, given)} given, ${onRecord === undefined ? 'none' : inWords(field, onRecord)} on record`,
  );
  return `Near match${relationship}: ${differences.join('; ')}. Check it is the same person.`;
}

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

  const row = (key: string, text: string) => ({ key: { text: key }, value: { text } });

  /**
   * The times a booked visit not yet started can move to: the prison's coming times with a place of its kind free, as
   * the read model counts them (the slot's workflow has the last word). None for any other visit.
   */
  async function changeChoices(visit: VisitDocument, chosen = '') {
    const prison = rules.get(visit.prisonId);
    const now = new Date();
    if (!prison || visit.status !== 'booked' || !visit.slotGranted || slotTimes(visit.slotGranted).start <= now) {
      return [];
    }
    const held = prison.capacity
      ? await placesOfPrison(db, prison.id)
      : new Map<string, { open: number; closed: number }>();
    const kind = placeKind(visit);
    const hasPlace = (slot: string) => {
      const limit = slotCapacity(prison, slot)?.[kind];
      return limit === undefined || (held.get(slot)?.[kind] ?? 0) < limit;
    };
    return [
      { value: '', text: 'Choose a time' },
      ...(await leaveOutBlocked(db, prison.id, changeableSlots(prison, now)))
        .filter((slot) => slot !== visit.slotGranted && hasPlace(slot))
        .map((slot) => ({ value: slot, text: slotInWords(slot), selected: slot === chosen })),
    ];
  }

  /** The visit's story for staff: its changes of state and of time, in order. */
  const timelineOf = (visit: VisitDocument) =>
    [
      ...visit.timeline.map((entry) => ({ status: entry.status, at: entry.at, by: entry.actor ?? entry.by })),
      ...(visit.changes ?? []).map((change) => ({
        status: change.slot
          ? `moved from ${slotInWords(change.slot.from)} to ${slotInWords(change.slot.to)}`
          : `visitors changed (${change.visitors?.from ?? 0} visitors before, ${change.visitors?.to ?? 0} after)`,
        at: change.at,
        by: change.by,
      })),
      ...(visit.reviews ?? []).flatMap((review) => [
        { status: 'flagged for review', at: review.since, by: 'system' },
        ...(review.closed
          ? [
              {
                status: reviewOutcomeWords[review.closed.outcome],
                at: review.closed.at,
                by: review.closed.by ?? 'system',
              },
            ]
          : []),
      ]),
    ]
      .sort((a, b) => a.at.localeCompare(b.at))
      .map((entry) => ({ ...entry, at: londonTime(entry.at) }));

  /** How the visitor chose to hear about the visit, after their contact details (e-mail alone says nothing). */
  const toldBy = { email: '', text: ' (told by text message)', both: ' (told by e-mail and text message)' } as const;

  /** The support the visitors asked for, as staff read it. */
  const supportInWords = (support: NonNullable<VisitDocument['support']>) =>
    [...support.needs.map((need) => supportNeedWords[need] ?? need), support.details ?? ''].filter(Boolean).join('; ');

  /** How the visitor asked: online, or a helper's channel by the assisted-digital settings' name for it. */
  function howAsked(visit: VisitDocument): string {
    if (!visit.channel || visit.channel === 'web') return 'online';
    const name = assistedSettingsOf(services)?.channels[visit.channel]?.name ?? visit.channel.replaceAll('_', ' ');
    const from = visit.assistedOrganisation ? ` from ${visit.assistedOrganisation}` : '';
    return `${name}, with help${from} (${visit.assistedMinutes ?? 0} minutes)`;
  }

  /** What was asked for, and what has been decided, as a summary list's rows. */
  const details = (visit: VisitDocument) => [
    row('Prison', rules.get(visit.prisonId)?.name ?? visit.prisonId),
    row('Prison number', visit.prisoner.number),
    {
      key: { text: 'Visiting orders' },
      value: {
        html: `<a class="govuk-link" href="/staff/prisoners/${encodeURIComponent(visit.prisoner.number)}/visiting-orders">See and adjust the prisoner’s visiting orders</a>`,
      },
    },
    row('Prisoner’s date of birth', formatDate(visit.prisoner.dateOfBirth, 'en', { weekday: false })),
    row(
      'Visitors',
      visit.visitors
        .map((v) => `${v.firstName} ${v.lastName} (${formatDate(v.dateOfBirth, 'en', { weekday: false })})`)
        .join('; '),
    ),
    ...(visit.slotGranted ? [row('Booked for', slotInWords(visit.slotGranted))] : []),
    ...(visit.referenceNo ? [row('Booking reference', visit.referenceNo)] : []),
    ...(visit.closed !== undefined ? [row('Closed visit', visit.closed ? 'Yes' : 'No')] : []),
    ...(visit.rejection
      ? [row('Rejected because', visit.rejection.reasons.map((reason) => rejectionWords[reason]).join('; '))]
      : []),
    ...(visit.cancellation
      ? [row('Cancelled because', visit.cancellation.reasons.map((reason) => cancellationWords[reason]).join('; '))]
      : []),
    row('Times asked for', visit.slotOptions.map((slot) => slotInWords(slot)).join('; ')),
    row('Confirm by', formatDate(visit.confirmBy, 'en')),
    row('Contact', `${visit.contact.email}, ${visit.contact.phone}${toldBy[visit.contact.notifyBy ?? 'email']}`),
    row('How they asked', howAsked(visit)),
    ...(visit.support ? [row('Additional support', supportInWords(visit.support))] : []),
  ];

  async function visitPage(
    c: Context<StaffPageEnv>,
    visit: VisitDocument,
    {
      errors = [],
      notice = '',
      important = '',
      chosenSlot = '',
    }: { errors?: Problem[]; notice?: string; important?: string; chosenSlot?: string } = {},
  ) {
    const eligibility = visit.eligibility;
    const review = openReview(visit);
    return staffPage(c, 'staff/visit', {
      review: review && {
        since: londonTime(review.since),
        changes: review.changes.map((change) => ({
          kind: translate('en', `review.kind.${change.kind}`),
          detail: change.detail,
          at: londonTime(change.at),
        })),
      },
      title: `${visit.prisoner.firstName} ${visit.prisoner.lastName}`,
      statusText: statusWords[visit.status],
      visit,
      errors,
      notice,
      important,
      // Sent back with the form: a second press of its button repeats nothing.
      formKey: randomBytes(16).toString('hex'),
      status: errors.length ? 400 : 200,
      details: details(visit),
      findings: [
        ...(eligibility?.rejections ?? []).map((f) => `Rejected (${reasonInWords(f.reason)}): ${f.explanation}`),
        ...(eligibility?.flags ?? []).map((f) => f.explanation),
        ...(eligibility?.closedVisit ? [`Closed visit: ${eligibility.closedVisit.explanation}`] : []),
      ],
      cancelItems: cancellationReason.options
        .filter((reason) => reason !== 'visitor_cancelled')
        .map((reason) => ({ value: reason, text: cancellationWords[reason] })),
      changeItems: await changeChoices(visit, chosenSlot),
      changeable: visitChangeRefusal(visit, new Date()) === undefined,
      bookingWindowDays: rules.get(visit.prisonId)?.bookingWindowDays ?? 0,
      timeline: timelineOf(visit),
      messages: visit.messages.map((message) => ({ ...message, at: londonTime(message.at) })),
    });
  }

  /** The fields of one outcome of a decision, filled with what was sent when it comes back with errors. */
  async function decisionPage(
    c: Context<StaffPageEnv>,
    visit: VisitDocument,
    outcome: Outcome,
    { errors = [], sent = {} }: { errors?: Problem[]; sent?: Record<string, string | string[]> } = {},
  ) {
    const value = (name: string) => (typeof sent[name] === 'string' ? sent[name] : '');
    const ticked = ([] as string[]).concat(sent.reasons ?? []);
    return staffPage(c, 'staff/decision', {
      title: outcome === 'accept' ? 'Accept the request' : 'Reject the request',
      visit,
      outcome,
      errors,
      status: errors.length ? 400 : 200,
      formKey: value('key') || randomBytes(16).toString('hex'),
      details: details(visit).filter((r) => ['Visitors', 'Times asked for', 'Confirm by'].includes(r.key.text)),
      values: {
        referenceNo: value('referenceNo'),
        message: value('message'),
        detail: value('detail'),
        closed: c.req.method === 'POST' ? value('closed') === 'yes' : Boolean(visit.eligibility?.closedVisit),
      },
      slotItems: [
        ...(await Promise.all(
          visit.slotOptions.map(async (slot) => ({
            value: slot,
            text: slotInWords(slot),
            hint: await placesLeft(visit.prisonId, slot),
            checked: value('slot') === slot,
          })),
        )),
        { divider: 'or' },
        {
          value: 'none',
          text: 'None of these: reject the request (no slot available)',
          checked: value('slot') === 'none',
        },
      ],
      visitorItems: visit.visitors.map((v, index) => {
        // What staff chose wins; on a first showing, what the contact check suggests.
        const check = visit.eligibility?.visitors?.[index];
        const chosen = typeof sent[`visitor-${index}`] === 'string';
        const outcome = chosen ? value(`visitor-${index}`) : suggestedOutcome(check);
        const until = !chosen && outcome === 'banned' ? check?.banned?.until : undefined;
        const [year, month, day] = until ? until.split('-').map((part) => String(Number(part))) : [];
        return {
          index,
          label: `${v.firstName} ${v.lastName}${index === 0 ? ' (lead visitor)' : ''}`,
          match: check ? matchInWords(check) : '',
          options: Object.entries(outcomeWords).map(([code, text]) => ({
            value: code,
            text,
            selected: outcome === code,
          })),
          bannedUntil: until
            ? { day, month, year }
            : Object.fromEntries(
                ['day', 'month', 'year'].map((part) => [part, value(`visitors-${index}-bannedUntil-${part}`)]),
              ),
        };
      }),
      reasonItems: rejectionReason.options
        .filter((reason) => reason !== 'request_expired')
        .map((reason) => ({ value: reason, text: rejectionWords[reason], checked: ticked.includes(reason) })),
    });
  }

  app.get('/staff/visits/:reference', signedIn, async (c) => {
    const visit = await visibleVisit(c);
    // Back from moving it (post/redirect/get): the page says so, and a reload sends nothing again.
    const moved = c.req.query('changed') !== undefined && visit.status === 'booked' && visit.slotGranted;
    const visitorsChanged = c.req.query('visitorsChanged') !== undefined && visit.status === 'booked';
    const reviewed = await reviewNotice(db, visit.reference, c.req.query('reviewed'));
    return visitPage(c, visit, {
      ...reviewed,
      notice:
        reviewed.notice ??
        (moved
          ? `Visit moved to ${slotInWords(visit.slotGranted ?? '')}. The visitor has been told by email.`
          : visitorsChanged
            ? 'Visitors changed. The visitor has been told by email.'
            : ''),
    });
  });

  app.get('/staff/visits/:reference/decision', signedIn, async (c) => {
    const visit = await visibleVisit(c);
    refuseUnlessMayChangeVisits(c.get('user'), 'decide visits');
    if (visit.status !== 'requested') return c.redirect(`/staff/visits/${visit.reference}`);
    const outcome = c.req.query('outcome');
    if (outcome !== 'accept' && outcome !== 'reject') {
      return visitPage(c, visit, {
        errors: [{ path: 'outcome', text: 'Choose whether to accept or reject the request' }],
      });
    }
    return decisionPage(c, visit, outcome);
  });

  app.post('/staff/visits/:reference/decision', signedIn, async (c) => {
    const visit = await visibleVisit(c);
    const user = c.get('user');
    refuseUnlessMayChangeVisits(user, 'decide visits');
    const body = await form(c);
    if (body.outcome !== 'accept' && body.outcome !== 'reject') {
      return visitPage(c, visit, {
        errors: [{ path: 'outcome', text: 'Choose whether to accept or reject the request' }],
      });
    }
    const asked: Outcome = body.outcome;
    const none = asked === 'accept' && body.slot === 'none';
    const raw =
      asked === 'accept' && !none
        ? {
            outcome: 'accept',
            slot: body.slot,
            referenceNo: body.referenceNo,
            closed: body.closed === 'yes',
            visitors: visit.visitors.map((_, index) => {
              const bannedUntil = dateField(body, `visitors-${index}-bannedUntil`);
              return {
                index,
                status: body[`visitor-${index}`] ?? 'allowed',
                ...(body[`visitor-${index}`] === 'banned' && bannedUntil ? { bannedUntil } : {}),
              };
            }),
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
        detail: 'Explain the reason when you choose “Other reason”',
      };
      // A ban's end is a date input: its error links to the day, its first field.
      const errors = toFieldErrors(parsed.error).map((e) =>
        /^visitors\.\d+\.bannedUntil$/.test(e.path)
          ? { path: `${e.path}.day`, text: 'Enter the date the ban ends as a real date, for example 30 6 2027' }
          : { path: e.path, text: words[e.path] ?? e.message },
      );
      return decisionPage(c, visit, asked, { errors, sent: body });
    }
    try {
      await visits.decide(visit.reference, parsed.data, { email: user.email });
    } catch (error) {
      if (error instanceof Refused) {
        const latest = (await findVisit(db, visit.reference)) ?? visit;
        const why: Partial<Record<string, string>> = {
          [refusals.slotFull]: 'That time is full. Choose another, or reject the request.',
          [refusals.slotUnavailable]:
            'That time is no longer offered (the prison blocked it). Choose another, or reject the request.',
          [refusals.noVisitingOrder]:
            'The prisoner has no visiting order left for this visit (or, on remand, no visit left that week). Choose another time, or reject the request as no allowance.',
        };
        const text = why[error.code];
        if (text && latest.status === 'requested') {
          return decisionPage(c, latest, 'accept', { errors: [{ path: 'slot', text }], sent: body });
        }
        if (!error.field) return visitPage(c, latest, { important: 'Someone else processed this request first.' });
      }
      throw error;
    }
    const message = typeof body.message === 'string' ? body.message.trim() : '';
    const after = await findVisit(db, visit.reference);
    if (message && after?.status === 'booked' && staffMessage.safeParse({ body: message }).success) {
      await visits.sendMessage(visit.reference, message, { email: user.email }, formKeyOf(body));
    }
    // Post/redirect/get: the queue says what was done, and reloading it sends nothing again. The address carries
    // only the reference and the outcome; the queue reads the rest from the visit.
    const outcomeCode = after?.status === 'booked' ? 'booked' : 'rejected';
    return c.redirect(
      `/staff/queue?prisonId=${encodeURIComponent(visit.prisonId)}&decided=${visit.reference}&outcome=${outcomeCode}`,
      303,
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
      return typeof outcome === 'string'
        ? visitPage(c, latest, { notice: outcome })
        : visitPage(c, latest, { errors: [outcome] });
    } catch (error) {
      if (error instanceof Refused && !error.field) {
        return visitPage(c, (await findVisit(db, visit.reference)) ?? visit, {
          errors: [{ path: 'body', text: 'The visit has changed: it is no longer booked.' }],
        });
      }
      throw error;
    }
  }

  /** Why a change was refused, as the form's error says it. */
  const changeRefusalWords: Record<string, string> = {
    [refusals.slotFull]: 'That time is full. Choose another time.',
    [refusals.slotUnavailable]: 'The prison does not offer that time now. Choose another time.',
    [refusals.slotUnchanged]: 'The visit is already booked for that time. Choose another time.',
    [refusals.alreadyProcessed]: 'Someone else is changing this visit. Look at it again in a moment.',
  };

  app.post('/staff/visits/:reference/change', signedIn, async (c) => {
    const visit = await visibleVisit(c);
    const user = c.get('user');
    refuseUnlessMayChangeVisits(user);
    const body = await form(c);
    const parsed = timeChange.safeParse({ slot: body.slot });
    if (!parsed.success) return visitPage(c, visit, { errors: [{ path: 'slot', text: 'Choose the new time' }] });
    try {
      await visits.changeVisit(visit, parsed.data.slot, { email: user.email }, formKeyOf(body));
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      const text = changeRefusalWords[error.code] ?? 'This visit can no longer be moved to another time.';
      const latest = (await findVisit(db, visit.reference)) ?? visit;
      return visitPage(c, latest, { errors: [{ path: 'slot', text }], chosenSlot: parsed.data.slot });
    }
    return c.redirect(`/staff/visits/${visit.reference}?changed=1`, 303);
  });

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

  app.route('/', staffVisitorsPages(services));
  // What follows the prisoner's record: its pages are the visit's neighbours (scripts/app.ts routes this router).
  app.route('/', reviewPages(services));
  app.route('/', visitingOrderPages(services));

  return app;
}

// Changes to a prisoner's record, told to the visits they bear on: what each means for one visit (rejects a request
// waiting for staff, or flags it; flags a booked visit for review), in words for staff and visitors. Told by the
// prisoner service's events (`POST /api/prisoner-events`) and found by the daily re-check of open visits' records; the
// same fact gets the same change id from either, so a visit hears of it once, and a review staff closed stays closed.
import { createHash } from 'node:crypto';
import type { Db } from 'mongodb';
import { checkVisitors, visitorFindings } from '../rules/contacts';
import { formatDate } from '../rules/dateWords';
import type { PrisonerEvent, PrisonerRecord } from '../rules/prisonerRecord';
import type { PrisonerChange, Visit } from '../workflows/visit';
import { openVisitsOfPrisoner } from './readModel/lookups';

/** The dates a visit is for: its time once booked, else every time it asked for. */
const visitDates = (visit: Pick<Visit, 'slotGranted' | 'slotOptions'>) =>
  visit.slotGranted ? [visit.slotGranted.slice(0, 10)] : visit.slotOptions.map((slot) => slot.slice(0, 10));

/** A short hash, so that a change's id names no one (ids are kept in the visit's reviews, which outlive names). */
const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** What a change to the prisoner's record means for one visit; undefined when it means nothing for it. */
export function changeForVisit(
  event: PrisonerEvent,
  visit: Pick<Visit, 'prisonId' | 'visitors' | 'slotGranted' | 'slotOptions'>,
  source: PrisonerChange['source'],
): PrisonerChange | undefined {
  const base = { kind: event.kind, at: event.occurredAt, source };
  switch (event.kind) {
    case 'released':
      return {
        ...base,
        id: 'released',
        detail: 'The prisoner has been released.',
        detailCy: 'Mae’r carcharor wedi cael ei ryddhau.',
        rejectAs: 'prisoner_released',
      };
    case 'transferred':
      if (event.toPrisonId === visit.prisonId) return undefined;
      return {
        ...base,
        id: `transferred.${event.toPrisonId}`,
        detail: 'The prisoner has moved to another prison.',
        detailCy: 'Mae’r carcharor wedi symud i garchar arall.',
        rejectAs: 'prisoner_moved',
      };
    case 'restriction_added': {
      const contact = { ...event.contact, id: 'event', approved: true, restrictions: [event.restriction] };
      const checks = checkVisitors(visit.visitors, [contact], visitDates(visit)).map((check) =>
        // Only the visitor the restriction names counts here: the others are not told of by this change.
        check.match === 'exact' ? check : { match: 'none' as const },
      );
      const named = checks.findIndex((check) => check.match === 'exact');
      const check = checks[named];
      if (!check || (!check.banned && !check.bannedOnSomeDates && !check.closed)) return undefined;
      const findings = visitorFindings(visit.visitors, checks);
      const rejection = findings.rejections[0];
      const words =
        rejection?.explanation ??
        findings.flags.find((flag) => flag.flag === 'visitor_banned')?.explanation ??
        findings.closedVisit?.explanation;
      if (!words) return undefined;
      const { restriction } = event;
      return {
        ...base,
        id: `restriction.${digest(
          [visit.visitors[named].firstName, visit.visitors[named].lastName, restriction.type, restriction.from ?? '']
            .join('|')
            .toLowerCase(),
        )}.${restriction.until ?? 'open'}`,
        detail: words,
        ...(rejection ? { detailCy: rejection.explanationCy, rejectAs: 'visitor_banned' as const } : {}),
      };
    }
    case 'alert_added':
      return {
        ...base,
        id: `alert.${digest(`${event.alert.code}|${event.alert.since ?? ''}`)}`,
        detail: `A new alert on the prisoner’s record: ${event.alert.description}${
          event.alert.since ? ` (since ${formatDate(event.alert.since, 'en', { weekday: false })})` : ''
        }.`,
      };
  }
}

/**
 * The changes a prisoner's record shows since a visit was asked for: released, at another prison, restrictions on its
 * visitors that start after it was asked for (those in force then were judged by its eligibility check, when the record
 * was read then), and alerts since then.
 */
export function eventsInRecord(
  record: PrisonerRecord,
  visit: Pick<Visit, 'prisonId' | 'submittedAt' | 'eligibility'>,
  now: Date,
): PrisonerEvent[] {
  const occurredAt = now.toISOString();
  const prisonerNumber = record.number;
  const askedOn = visit.submittedAt.slice(0, 10);
  // The restrictions in force when it was asked for were judged then, if the record listed the contacts.
  const seenThen = visit.eligibility?.prisonerCheck === 'found' && visit.eligibility.visitors !== undefined;
  // Where the record placed the prisoner then: staff saw that (flagged) and decided; only a change since is news.
  const then = visit.eligibility?.recordSeen;
  const events: PrisonerEvent[] = [];
  if (record.status === 'released' && then?.status !== 'released') {
    events.push({ kind: 'released', prisonerNumber, occurredAt });
  } else if (record.status !== 'released' && record.prisonId !== visit.prisonId && record.prisonId !== then?.prisonId) {
    events.push({ kind: 'transferred', prisonerNumber, toPrisonId: record.prisonId, occurredAt });
  }
  for (const contact of record.contacts ?? []) {
    if (!contact.approved || !contact.dateOfBirth) continue;
    for (const restriction of contact.restrictions) {
      if (seenThen && (!restriction.from || restriction.from <= askedOn)) continue;
      const { firstName, lastName, dateOfBirth } = contact;
      events.push({
        kind: 'restriction_added',
        prisonerNumber,
        contact: { firstName, lastName, dateOfBirth },
        restriction,
        occurredAt,
      });
    }
  }
  for (const alert of record.alerts ?? []) {
    if (alert.since && alert.since >= askedOn) events.push({ kind: 'alert_added', prisonerNumber, alert, occurredAt });
  }
  return events;
}

/** Tells each open visit of the event's prisoner what the event means for it; returns the visits told. */
export async function tellVisits(
  db: Db,
  tell: (reference: string, change: PrisonerChange) => Promise<unknown>,
  event: PrisonerEvent,
  source: PrisonerChange['source'],
): Promise<{ reference: string; change: string }[]> {
  const told: { reference: string; change: string }[] = [];
  for (const visit of await openVisitsOfPrisoner(db, event.prisonerNumber)) {
    const change = changeForVisit(event, visit, source);
    if (!change) continue;
    await tell(visit.reference, change);
    told.push({ reference: visit.reference, change: change.kind });
  }
  return told;
}

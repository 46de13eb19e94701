// How the staff pages say the domain's codes and times: reasons in words, and London times as GOV.UK writes them
// ("Thursday 3 December 2026, 2:40pm"), never a code or a UTC instant.
import { clock, formatDate, formatSlot, timeRange } from '../../rules/dateWords';
import type { CancellationReason, Locale, RejectionReason, VisitStatus } from '../../rules/vocabulary';
import { londonClock } from '../../rules/londonTime';

/** Where a visit is in its story, as a tag says it. */
export const statusWords: Record<VisitStatus, string> = {
  requested: 'Waiting for a decision',
  booked: 'Booked',
  rejected: 'Rejected',
  withdrawn: 'Withdrawn',
  cancelled: 'Cancelled',
};

/** Why a request was rejected, as staff read it. */
export const rejectionWords: Record<RejectionReason, string> = {
  child_protection_issues: 'Child protection issues',
  no_allowance: 'Prisoner has no visiting allowance',
  prisoner_details_incorrect: 'Prisoner details are incorrect',
  prisoner_moved: 'Prisoner has moved prisons',
  prisoner_non_association: 'Prisoner has a non-association with a visitor',
  prisoner_released: 'Prisoner has been released',
  slot_unavailable: 'No slot available',
  visitor_banned: 'A visitor is banned',
  visitor_not_on_list: 'A visitor is not on the prisoner’s contact list',
  duplicate_visit_request: 'Duplicate visit request',
  prisoner_out_of_prison: 'Prisoner is out of prison at that time',
  visitor_other_reason: 'A visitor cannot visit for another reason',
  other: 'Other reason',
  request_expired: 'Nobody decided before the times asked for had passed',
};

/** Why a booked visit was cancelled, as staff read it. */
export const cancellationWords: Record<CancellationReason, string> = {
  prisoner_vos: 'Prisoner has no visiting orders left',
  prisoner_released: 'Prisoner has been released',
  child_protection_issues: 'Child protection issues',
  slot_unavailable: 'The time is no longer available',
  visitor_banned: 'A visitor is banned',
  prisoner_moved: 'Prisoner has moved prisons',
  prisoner_non_association: 'Prisoner has a non-association with a visitor',
  prisoner_cancelled: 'Prisoner cancelled the visit',
  booked_in_error: 'Booked in error',
  capacity_issues: 'The visits hall is full',
  visitor_cancelled: 'The visitor cancelled',
};

/**
 * The visitors' additional support needs, as staff read them on a pass (`supportNeed` in rules/vocabulary.ts). Keyed
 * loosely: a need added later reads as its code until it has words here.
 */
export const supportNeedWords: Record<string, string> = {
  wheelchair: 'Wheelchair user',
  step_free_access: 'Step-free access',
  hearing_loop: 'Hearing loop',
  sign_language: 'Sign language interpreter',
  assistance_dog: 'Assistance dog',
  other: 'Other (see the details)',
};

/** A reason code in words, or the code itself when it is not one we know. */
export const reasonInWords = (code: string): string =>
  (rejectionWords as Record<string, string>)[code] ?? (cancellationWords as Record<string, string>)[code] ?? code;

/** A slot `2026-12-12T14:00/15:30` as `Saturday 12 December 2026, 2pm to 3:30pm` (its times are London's already). */
export const slotInWords = (slot: string): string => formatSlot(slot, 'en');

const shortDate = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  timeZone: 'UTC',
});

/** A date `2026-12-12` as `Sat 12 Dec`: for a table, where the year goes without saying. */
export const dateShort = (date: string): string =>
  shortDate.format(new Date(`${date.slice(0, 10)}T00:00:00Z`)).replace(',', '');

/** A slot as `Sat 12 Dec, 2pm to 3:30pm`. */
export const slotShort = (slot: string): string =>
  `${dateShort(slot)}, ${timeRange(slot.slice(11, 16), slot.slice(17, 22), 'en')}`;

/** A slot's start as `Saturday 12 December, 2pm`: what a notification banner names. */
export const slotStart = (slot: string): string =>
  `${formatDate(slot.slice(0, 10), 'en').replace(/ \d{4}$/, '')}, ${clock(slot.slice(11, 16))}`;

/** An instant (`2026-12-03T14:40:00.000Z`) as London's wall clock says it: `Thursday 3 December 2026, 2:40pm`. */
export function londonTime(iso: string, locale: Locale = 'en'): string {
  const { date, time } = londonClock(new Date(iso));
  return `${formatDate(date, locale)}, ${clock(time, locale)}`;
}

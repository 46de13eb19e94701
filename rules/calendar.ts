// The visiting calendar: processing days, the confirm-by date, the slots bookable on a day and their capacity.
import { isBankHoliday } from './bankHolidays';
import { addDays, dayOfWeek, londonClock, londonInstant, slotTimes } from './londonTime';
import type { Capacity, Prison } from './prison';

type CalendarRules = Pick<Prison, 'weekendProcessing' | 'leadDays'>;

/**
 * Whether the prison's visits team works on a date: Monday to Friday, or every day where it works weekends, but
 * never on a bank holiday.
 */
export function isProcessingDay(prison: CalendarRules, date: string, isHoliday = isBankHoliday): boolean {
  const day = dayOfWeek(date);
  return (prison.weekendProcessing || (day !== 0 && day !== 6)) && !isHoliday(date);
}

/** The `leadDays`-th processing day strictly after today: staff decide by then. */
export function confirmByDate(prison: CalendarRules, today: string, isHoliday = isBankHoliday): string {
  let date = today;
  for (let counted = 0; counted < prison.leadDays;) {
    date = addDays(date, 1);
    if (isProcessingDay(prison, date, isHoliday)) counted++;
  }
  return date;
}

/** The visiting times of a date, each `HH:MM/HH:MM`: none when unbookable, an anomalous date's own, or the weekday's. */
export function timesOn(prison: Prison, date: string): string[] {
  if (prison.unbookable.has(date)) return [];
  return [...(prison.anomalous[date] ?? prison.recurring[dayOfWeek(date)])].sort();
}

/** Every slot bookable today, in order: from the day after confirm-by to the end of the booking window. */
export function bookableSlots(prison: Prison, today: string): string[] {
  const slots: string[] = [];
  const last = addDays(today, prison.bookingWindowDays);
  for (let date = addDays(confirmByDate(prison, today), 1); date <= last; date = addDays(date, 1)) {
    for (const times of timesOn(prison, date)) slots.push(`${date}T${times}`);
  }
  return slots;
}

/**
 * The slots staff may move a booked visit to at `now`: the prison's, not yet started, up to the end of its booking
 * window. No lead time: that is there for staff to decide a request, and here staff are the ones deciding.
 */
export function changeableSlots(prison: Prison, now: Date): string[] {
  const today = londonClock(now).date;
  const slots: string[] = [];
  for (let date = today; date <= addDays(today, prison.bookingWindowDays); date = addDays(date, 1)) {
    for (const times of timesOn(prison, date)) slots.push(`${date}T${times}`);
  }
  return slots.filter((slot) => slotTimes(slot).start > now);
}

/**
 * A date, or one session of it (`HH:MM/HH:MM`), that the prison's staff blocked (activities/readModel/blockedDates.ts):
 * apart from the rule file's own unbookable dates, which policy teams write.
 */
export interface BlockedTime {
  date: string;
  session?: string;
}

/** Whether a slot falls in one of the times blocked: on a blocked day, or in a blocked session. */
export function isBlocked(blocked: readonly BlockedTime[], slot: string): boolean {
  return blocked.some(
    (block) => slot.slice(0, 10) === block.date && (!block.session || slot.slice(11) === block.session),
  );
}

/** Every visiting time the prison has on any day (`HH:MM/HH:MM`), in order: the sessions staff may block. */
export function sessionsOf(prison: Prison): string[] {
  const all = [...Object.values(prison.recurring), ...Object.values(prison.anomalous)].flatMap((times) => [...times]);
  return [...new Set(all)].sort();
}

/** How many open and closed visits a slot can hold; undefined where the prison sets no limit. */
export function slotCapacity(prison: Prison, slot: string): Capacity | undefined {
  if (!prison.capacity) return undefined;
  const own = prison.capacity.times[slot.slice(11)];
  return own ? { ...prison.capacity.all, ...own } : prison.capacity.all;
}

/**
 * Whether a slot has an open place free, given the places held in it now (visits, and places held while visitors
 * finish asking). Open and closed visits are counted apart; a visitor is offered open places, as a closed visit is
 * only known once the rules have looked at the prisoner, and staff place it then. A slot without a limit always has.
 */
export function hasOpenPlace(prison: Prison, slot: string, held: { open: number } | undefined): boolean {
  const limit = slotCapacity(prison, slot)?.open;
  return limit === undefined || (held?.open ?? 0) < limit;
}

/** The `days`-th processing day before `date` (or `date` itself for 0). */
export function processingDaysBefore(prison: CalendarRules, date: string, days: number): string {
  let day = date;
  for (let counted = 0; counted < days;) {
    day = addDays(day, -1);
    if (isProcessingDay(prison, day)) counted++;
  }
  return day;
}

/** The dates and instants a request submitted today keeps to, by the prison's rules. */
export function requestSchedule(prison: Prison, today: string) {
  const confirmBy = confirmByDate(prison, today);
  return {
    confirmBy,
    deadlines: {
      // 9am on the reminder day: the visits team's morning.
      staffReminderAt: londonInstant(
        processingDaysBefore(prison, confirmBy, prison.reminders.staffDaysBeforeConfirmBy),
        '09:00',
      ).toISOString(),
      overdueAt: londonInstant(addDays(confirmBy, 1), '00:00').toISOString(),
    },
    visitorReminderDays: prison.reminders.visitorDaysBefore,
  };
}

// A prison as the code uses it, made from its checked rule file.
import type { EligibilityRule, PhoneDay, RuleFile } from './schema';
import { weekdays } from './schema';

/** When the visits booking line answers: from `firstDay` to `lastDay` (the same day for one), `HH:MM` to `HH:MM`. */
export interface PhoneTimes {
  firstDay: PhoneDay;
  lastDay: PhoneDay;
  opens: string;
  closes: string;
}

export interface Capacity {
  open?: number;
  closed?: number;
}

export interface Prison {
  id: string;
  name: string;
  nameCy?: string;
  address: string[];
  postcode?: string;
  phone?: string;
  /** When the booking line answers, worded in each language by rules/phoneHours.ts. */
  phoneTimes: PhoneTimes[];
  /** Free text, where `phoneTimes` cannot say it: always in both languages. */
  phoneHours?: { en: string; cy: string };
  enabled: boolean;
  closed: boolean;
  private: boolean;
  adultAge: number;
  maxVisitors: number;
  maxAdults: number;
  /** `request`: staff book one of 1 to 3 times; `instant`: one time, booked at once unless flagged for staff. */
  booking: 'request' | 'instant';
  leadDays: number;
  bookingWindowDays: number;
  weekendProcessing: boolean;
  /** Visiting times by weekday, Sunday first, each `HH:MM/HH:MM`. */
  recurring: string[][];
  /** Dates whose times replace the weekday's, each `HH:MM/HH:MM`. */
  anomalous: Record<string, string[]>;
  unbookable: Set<string>;
  /** Visits a slot can hold, by `HH:MM/HH:MM`, or for every slot; none means no limit. */
  capacity?: { all: Capacity; times: Record<string, Capacity> };
  reminders: { visitorDaysBefore: number; staffDaysBeforeConfirmBy: number };
  eligibility: EligibilityRule[];
  /** The content hash of the rule file this came from. */
  version: string;
  /** The rule file's name. */
  file: string;
}

/** `1400-1530` as a slot's times, `14:00/15:30`. */
export function slotTimesOf(range: string): string {
  return `${range.slice(0, 2)}:${range.slice(2, 4)}/${range.slice(5, 7)}:${range.slice(7, 9)}`;
}

export function toPrison(file: RuleFile, version: string, fileName: string): Prison {
  const { calendar, limits } = file;
  const capacity = calendar.capacity;
  return {
    id: file.id,
    name: file.name,
    nameCy: file.name_cy,
    address: file.address ?? [],
    postcode: file.postcode,
    phone: file.phone,
    phoneTimes: (file.phone_times ?? []).map((times) => ({
      firstDay: times.first_day,
      lastDay: times.last_day ?? times.first_day,
      opens: times.opens,
      closes: times.closes,
    })),
    // The schema refuses phone_hours without phone_hours_cy.
    phoneHours:
      file.phone_hours !== undefined
        ? { en: file.phone_hours, cy: file.phone_hours_cy ?? file.phone_hours }
        : undefined,
    enabled: file.enabled,
    closed: file.closed,
    private: file.private,
    booking: file.booking,
    adultAge: limits.adult_age,
    maxVisitors: limits.max_visitors,
    maxAdults: limits.max_adults,
    leadDays: calendar.lead_days,
    bookingWindowDays: calendar.booking_window,
    weekendProcessing: calendar.weekend_processing,
    recurring: weekdays.map((day) => (calendar.recurring[day] ?? []).map(slotTimesOf)),
    anomalous: Object.fromEntries(
      Object.entries(calendar.anomalous).map(([date, times]) => [date, times.map(slotTimesOf)]),
    ),
    unbookable: new Set(calendar.unbookable),
    capacity: capacity && {
      all: { open: capacity.open, closed: capacity.closed },
      times: Object.fromEntries(Object.entries(capacity.times ?? {}).map(([range, c]) => [slotTimesOf(range), c])),
    },
    reminders: {
      visitorDaysBefore: file.reminders.visitor_days_before,
      staffDaysBeforeConfirmBy: file.reminders.staff_days_before_confirm_by,
    },
    eligibility: file.eligibility,
    version,
    file: fileName,
  };
}

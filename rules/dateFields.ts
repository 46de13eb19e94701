// A date typed into the three boxes of a GOV.UK date input (`<name>-day`, `-month`, `-year`). Written once so the
// visitor's form and the staff's assisted form read a date of birth the same way.

/** One box of a date input. */
export type DatePart = 'day' | 'month' | 'year';

const PARTS: DatePart[] = ['day', 'month', 'year'];

/** The three boxes as typed. */
export interface DateFields {
  day: string;
  month: string;
  year: string;
}

/** The boxes of the date input called `name`, each read with the caller's own `field` reader. */
export function readDateFields(name: string, field: (name: string) => string): DateFields {
  return { day: field(`${name}-day`), month: field(`${name}-month`), year: field(`${name}-year`) };
}

/**
 * The ISO date the boxes spell, or '' when all are blank. Nothing is checked here on purpose: the request schema
 * rejects a date that is missing, malformed or not real, as the API does; the visitor's form first names the boxes
 * that are wrong with `dateProblem`.
 */
export function isoDateOf({ day, month, year }: DateFields): string {
  return day || month || year ? `${year.padStart(4, '0')}-${month.padStart(2, '0')}-${day.padStart(2, '0')}` : '';
}

/** The boxes for an ISO date already answered, to show it again (without leading zeros); none for no date. */
export function dateFieldsOf(iso = ''): Partial<DateFields> {
  return iso
    ? { day: String(Number(iso.slice(8, 10))), month: String(Number(iso.slice(5, 7))), year: iso.slice(0, 4) }
    : {};
}

/** What is wrong with a date as typed, and which of its boxes to mark: the GOV.UK date input's errors. */
export interface DateProblem {
  /** `date_required`, `date_missing_<parts>` (`date_missing_day_month`, ...) or `invalid_date`. */
  code: string;
  parts: DatePart[];
}

const daysIn = (month: number, year: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * The first problem with the boxes as a visitor typed them, or none: a blank date, then missing boxes, then boxes
 * that cannot be a date (a month of 13, a year not of 4 digits, a 31st of February marks the day). Whether a real
 * date is allowed (in the past, not too old) is the rules' question, not this one.
 */
export function dateProblem(typed: Partial<DateFields>): DateProblem | undefined {
  const fields = { day: '', month: '', year: '', ...typed };
  const missing = PARTS.filter((part) => fields[part] === '');
  if (missing.length === PARTS.length) return { code: 'date_required', parts: PARTS };
  if (missing.length > 0) return { code: `date_missing_${missing.join('_')}`, parts: missing };
  const [day, month, year] = PARTS.map((part) => (/^\d+$/.test(fields[part]) ? Number(fields[part]) : NaN));
  const wrong = PARTS.filter(
    (part) =>
      ({
        day: !(day >= 1 && day <= 31),
        month: !(month >= 1 && month <= 12),
        year: !/^\d{4}$/.test(fields.year) || year < 1,
      })[part],
  );
  if (wrong.length > 0) return { code: 'invalid_date', parts: wrong };
  return day > daysIn(month, year) ? { code: 'invalid_date', parts: ['day'] } : undefined;
}

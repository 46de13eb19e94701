// A date typed into the three boxes of a GOV.UK date input (`<name>-day`, `-month`, `-year`). Written once so the
// visitor's form and the staff's assisted form read a date of birth the same way.

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
 * rejects a date that is missing, malformed or not real, so both forms give the same errors as the API.
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

// Plain-English words for every stable error code the API returns.
const messages: Record<string, string> = {
  required: 'Enter a value',
  invalid_type: 'Enter a value of the right kind',
  invalid_value: 'Choose one of the allowed values',
  invalid_format: 'Enter a value in the right format',
  unknown_field: 'Remove this field: it is not part of the request',
  too_long: 'Enter fewer characters',
  not_a_number: 'Enter a number',
  not_a_whole_number: 'Enter a whole number',
  too_small: 'Enter a larger number',
  too_large: 'Enter a smaller number',
  zero: 'Enter a number other than 0',
  below_zero: 'That would leave fewer than none',
  too_few: 'Add at least one',
  name_too_long: 'Names must be 30 characters or fewer',
  name_has_markup: 'Names must not contain < or >',
  invalid_characters: 'Remove the control characters from this answer',
  invalid_date: 'Enter a real date as YYYY-MM-DD',
  date_of_birth_in_future: 'Date of birth must be in the past',
  date_of_birth_too_old: 'Date of birth must be within the last 120 years',
  invalid_slot: 'Enter a slot as YYYY-MM-DDTHH:MM/HH:MM',
  invalid_session: 'Enter a session as HH:MM/HH:MM',
  date_in_past: 'Enter today’s date or a date in the future',
  session_not_on_date: 'Choose one of the visiting times the prison has on that date',
  invalid_prison_number: 'Enter a prison number like A1234BC',
  invalid_email: 'Enter an email address in the correct format, like name@example.com',
  invalid_phone: 'Enter a UK phone number, like 07700 900 982',
  not_a_mobile: 'Enter a UK mobile number, like 07700 900 982, to have text messages',
  unknown_prison: 'Choose a prison from the list',
  prison_not_bookable: 'Visits to this prison cannot be booked online',
  lead_visitor_age: 'The lead visitor must be 18 or over',
  too_many_visitors: 'Too many visitors for this prison',
  too_many_adults: 'Too many adult visitors for this prison',
  too_many_slots: 'Choose no more than 3 visit times',
  one_slot_only: 'Choose one visit time: this prison books it at once',
  holds_not_offered: 'Places are held only at prisons that book at once, for times with a limit on visits',
  duplicate_slot: 'Choose each visit time only once',
  slot_unavailable: 'This visit time cannot be booked',
  slot_unchanged: 'Choose a time other than the one the visit is booked for',
  slot_not_requested: 'Choose one of the visit times the visitor asked for',
  unknown_visitor: 'There is no visitor with this number',
  detail_required: 'Explain the reason when you choose "other"',
  duplicate_reason: 'Give each reason only once',
  from_after_to: 'Enter a from date on or before the to date',
  period_too_long: 'Enter a period of at most 366 days',
  invalid_search: 'Search by a prison number like A1234BC or an 8-character reference',
  idempotency_key_reused: 'This Idempotency-Key was used with a different request',
};

/** The words for an error code (the code itself when it has none yet). */
export function messageFor(code: string): string {
  return messages[code] ?? code.replaceAll('_', ' ');
}

/** Whether a string is one of the API's error codes. */
export function isErrorCode(value: string): boolean {
  return value in messages;
}

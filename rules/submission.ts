// The checks on a visit request that need the prison's rules: bookable prison, ages, numbers and slots.
import { bookableSlots, isBlocked, type BlockedTime } from './calendar';
import type { Prison } from './prison';

export interface SubmissionProblem {
  path: string;
  code: string;
  /** Words for this case, where the code's usual words are not enough. */
  message?: string;
}

interface Person {
  dateOfBirth: string;
}

/** Age in whole years on `today`, by birthday (a 29 February birthday counts on 1 March in other years). */
export function ageOn(dateOfBirth: string, today: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number);
  const [ty, tm, td] = today.split('-').map(Number);
  const hadBirthday = tm > bm || (tm === bm && td >= bd);
  return ty - by - (hadBirthday ? 0 : 1);
}

function dateOfBirthProblem(path: string, person: Person, today: string): SubmissionProblem[] {
  if (person.dateOfBirth > today) return [{ path, code: 'date_of_birth_in_future' }];
  if (ageOn(person.dateOfBirth, today) >= 120) return [{ path, code: 'date_of_birth_too_old' }];
  return [];
}

const notBookable = (prison: Prison): string | undefined => {
  if (!prison.enabled) return `${prison.name} does not take visit requests through this service`;
  if (prison.closed) return `${prison.name} is closed`;
  if (prison.private)
    return `${prison.name} is run privately and books its own visits: call ${prison.phone ?? 'the prison'}`;
  return undefined;
};

/**
 * The problems with the visitors of a visit to `prison` on `today` (London date): their dates of birth, the lead
 * visitor's age, how many there are, and how many are adults by the prison's count.
 */
export function visitorProblems(visitors: Person[], prison: Prison, today: string): SubmissionProblem[] {
  const problems: SubmissionProblem[] = [];
  visitors.forEach((visitor, index) => {
    problems.push(...dateOfBirthProblem(`visitors.${index}.dateOfBirth`, visitor, today));
  });
  const [lead] = visitors;
  if (lead && ageOn(lead.dateOfBirth, today) < 18) {
    problems.push({ path: 'visitors.0.dateOfBirth', code: 'lead_visitor_age' });
  }
  if (visitors.length > Math.min(6, prison.maxVisitors)) {
    problems.push({
      path: 'visitors',
      code: 'too_many_visitors',
      message: `${prison.name} allows at most ${prison.maxVisitors} visitors`,
    });
  }
  const adults = visitors.filter((visitor) => ageOn(visitor.dateOfBirth, today) >= prison.adultAge);
  if (adults.length > prison.maxAdults) {
    problems.push({
      path: 'visitors',
      code: 'too_many_adults',
      message: `${prison.name} allows at most ${prison.maxAdults} visitors aged ${prison.adultAge} or over`,
    });
  }
  return problems;
}

/**
 * Every problem with a request to visit `prison`, submitted on `today` (London date). `blocked`: the dates and
 * sessions the prison's staff blocked, read by the caller (the rules read no store); a slot in one is unavailable.
 */
export function checkSubmission(
  request: { prisoner: Person; visitors: Person[]; slotOptions: string[] },
  prison: Prison | undefined,
  today: string,
  blocked: readonly BlockedTime[] = [],
): SubmissionProblem[] {
  if (!prison) return [{ path: 'prisonId', code: 'unknown_prison' }];
  const closedMessage = notBookable(prison);
  if (closedMessage) return [{ path: 'prisonId', code: 'prison_not_bookable', message: closedMessage }];

  const problems = dateOfBirthProblem('prisoner.dateOfBirth', request.prisoner, today);
  problems.push(...visitorProblems(request.visitors, prison, today));
  // A prison that books at once books the one time asked for.
  if (prison.booking === 'instant' && request.slotOptions.length > 1) {
    problems.push({ path: 'slotOptions', code: 'one_slot_only' });
  }
  const bookable = new Set(bookableSlots(prison, today));
  request.slotOptions.forEach((slot, index) => {
    if (!bookable.has(slot) || isBlocked(blocked, slot))
      problems.push({ path: `slotOptions.${index}`, code: 'slot_unavailable' });
  });
  return problems;
}

// The visitors' feedback, for the performance dashboard and the team: a rating, a comment masked of e-mail addresses
// and phone numbers, and what the visitor says of knowing about help and using it, nothing personal, each with its
// London date, which the queries filter on. Kept as long as the journey events and forgotten with them, a day at a
// time (./journeys).
import type { Db } from 'mongodb';
import { addDays, londonClock } from '../../rules/londonTime';
import { queries } from './queries';

/**
 * Whether a visitor had help to ask for their visit, and how: `no`, or the assisted-digital channel that helped them
 * (the prison's booking line, the visitor centre in person, a support organisation entering it on the web).
 */
export const HELP_ANSWERS = ['no', 'phone', 'in_person', 'web_helper'] as const;
export type HelpAnswer = (typeof HELP_ANSWERS)[number];

/** What a visitor says about knowing of help and using it; each question may be left unanswered. */
export interface HelpAwareness {
  /** Whether they knew, before today, that they could get help to ask for a visit. */
  aware?: boolean;
  helped?: HelpAnswer;
}

export interface Feedback extends HelpAwareness {
  rating: number;
  /** What they wrote, with any e-mail address or phone number masked (`maskPersonalData`). */
  comment: string;
  at: Date;
  day: string;
}

export const feedback = (db: Db) => db.collection<Feedback>('feedback');

/** Keeps a visitor's rating of the service, their comment (masked) and what they say about help. */
export async function recordFeedback(
  db: Db,
  rating: number,
  comment: string,
  at = new Date(),
  { aware, helped }: HelpAwareness = {},
): Promise<void> {
  await feedback(db).insertOne({
    rating,
    comment: maskPersonalData(comment),
    ...(aware === undefined ? {} : { aware }),
    ...(helped === undefined ? {} : { helped }),
    at,
    day: londonClock(at).date,
  });
}

const EMAIL_REMOVED = '[email address removed]';
const PHONE_REMOVED = '[phone number removed]';
const PRISON_NUMBER_REMOVED = '[prison number removed]';
const POSTCODE_REMOVED = '[postcode removed]';

/** An e-mail address: a local part, `@`, and a domain of at least two labels (a full stop after it is not taken). */
const EMAIL = /[\p{L}\p{N}._%+'-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
/**
 * A UK phone number as people write it: `0` (or `+44`, `0044`, `+44 (0)`) and 9 or 10 more digits, spaced, dotted,
 * hyphenated or bracketed anyhow (07700 900123, +44 7700 900123, 0300 060 6000, (020) 7946 0000), not inside a
 * longer run of digits or a word.
 */
const UK_PHONE =
  /(?<![\p{L}\p{N}+])(?:(?:\+|00)[ .-]?44[ .-]?(?:\(0\)[ .-]?)?|\(?0)\d(?:[ .()-]{0,2}\d){8,9}(?![\p{L}\p{N}])/gu;
/** Any other country's number, written with its `+` code: 8 to 15 digits in all (E.164), spaced anyhow. */
const OTHER_PHONE = /(?<![\p{L}\p{N}+])\+\d(?:[ .()-]{0,2}\d){7,14}(?![\p{L}\p{N}])/gu;
/** A prison number, as the prison service gives them: a letter, four digits, two letters (A1234BC). */
const PRISON_NUMBER = /(?<![\p{L}\p{N}])[A-Z]\d{4}[A-Z]{2}(?![\p{L}\p{N}])/giu;
/** A UK postcode in capitals, as people write them on forms (NG1 2AB, SW1A 1AA); lower-case words are left alone. */
const POSTCODE = /(?<![\p{L}\p{N}])[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}(?![\p{L}\p{N}])/gu;

/**
 * A comment with the e-mail addresses, phone numbers, prison numbers and postcodes a visitor typed by mistake replaced
 * by words saying so: feedback keeps nothing personal, and staff read it. Dates stay: in feedback they are nearly
 * always a visit's, and the comment makes no sense without them.
 */
export const maskPersonalData = (comment: string): string =>
  comment
    .replace(EMAIL, EMAIL_REMOVED)
    .replace(UK_PHONE, PHONE_REMOVED)
    .replace(OTHER_PHONE, PHONE_REMOVED)
    .replace(PRISON_NUMBER, PRISON_NUMBER_REMOVED)
    .replace(POSTCODE, POSTCODE_REMOVED);

/** The longest period whose help awareness is counted at once: the dashboard's, a year, a leap year's included. */
const MAX_AWARENESS_DAYS = 366;

/** What a month's feedback says about help: the share who knew they could get it, and who got it and how. */
export interface AwarenessOfMonth {
  /** `YYYY-MM`. */
  month: string;
  /** Feedback given on the month's days of the period. */
  responses: number;
  /** Of those, how many said whether they knew about help, and how many knew. */
  answered: number;
  aware: number;
  /** `aware` of `answered`, 0 to 1 to three places; null when nobody answered. */
  awareShare: number | null;
  /** How many said they got help each way, or none (`no`). */
  helped: Record<HelpAnswer, number>;
}

/**
 * The help awareness of the feedback given from `from` to `to` (London dates, both included, at most a year), a
 * month at a time, every month of the period listed: for the performance dashboard. Read a day at a time by its index.
 */
export async function awarenessByMonth(db: Db, from: string, to: string): Promise<AwarenessOfMonth[]> {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) {
    if (days.push(day) > MAX_AWARENESS_DAYS) throw new RangeError(`a period is at most ${MAX_AWARENESS_DAYS} days`);
  }
  const months = new Map<string, AwarenessOfMonth>();
  for (const day of days) {
    const month = day.slice(0, 7);
    const counted = months.get(month) ?? emptyMonth(month);
    months.set(month, counted);
    const answers = feedback(db)
      .find(queries.feedbackOfDay.filter(day))
      .project<HelpAwareness>({ _id: 0, aware: 1, helped: 1 });
    for await (const { aware, helped } of answers) {
      counted.responses += 1;
      if (aware !== undefined) counted.answered += 1;
      if (aware) counted.aware += 1;
      if (helped && HELP_ANSWERS.includes(helped)) counted.helped[helped] += 1;
    }
  }
  return [...months.values()].map((m) => ({
    ...m,
    awareShare: m.answered ? Math.round((m.aware / m.answered) * 1000) / 1000 : null,
  }));
}

/** A month without feedback. */
export const noAwareness = (): Omit<AwarenessOfMonth, 'month'> => ({
  responses: 0,
  answered: 0,
  aware: 0,
  awareShare: null,
  helped: Object.fromEntries(HELP_ANSWERS.map((answer) => [answer, 0])) as Record<HelpAnswer, number>,
});

const emptyMonth = (month: string): AwarenessOfMonth => ({ month, ...noAwareness() });

/** Feedback as staff read it: nothing but what the visitor chose and wrote, and when. */
export type FeedbackToRead = Omit<Feedback, 'day'>;

/**
 * A page of the feedback with a comment given in a month (`YYYY-MM`), newest first, its comments masked (older ones
 * were kept before masking), and how many the month has: counted a day at a time, then only the days the page
 * takes are read, so a page costs the same in a busy year.
 */
export async function feedbackOfMonth(
  db: Db,
  month: string,
  { skip, limit }: { skip: number; limit: number },
): Promise<{ total: number; feedback: FeedbackToRead[] }> {
  const days: string[] = [];
  for (let day = `${month}-01`; day.startsWith(month); day = addDays(day, 1)) days.unshift(day);
  const counts = await Promise.all(
    days.map((day) => feedback(db).countDocuments(queries.feedbackWithCommentOfDay.filter(day))),
  );
  const found: FeedbackToRead[] = [];
  let toSkip = skip;
  for (const [i, day] of days.entries()) {
    if (found.length >= limit) break;
    if (toSkip >= counts[i]) {
      toSkip -= counts[i];
      continue;
    }
    const ofDay = await feedback(db)
      .find(queries.feedbackWithCommentOfDay.filter(day))
      .sort(queries.feedbackWithCommentOfDay.sort)
      .skip(toSkip)
      .limit(limit - found.length)
      .project<FeedbackToRead>({ _id: 0, day: 0 })
      .toArray();
    toSkip = 0;
    found.push(...ofDay.map((given) => ({ ...given, comment: maskPersonalData(given.comment) })));
  }
  return { total: counts.reduce((sum, count) => sum + count, 0), feedback: found };
}

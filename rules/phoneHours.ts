// When a prison's visits booking line answers, in words, in English or in Welsh, from the times in its rule file.
import type { Prison, PhoneTimes } from './prison';
import type { PhoneDay } from './schema';
import { timeRange } from './dateWords';
import type { Locale } from './vocabulary';

interface Words {
  days: Record<PhoneDay, string>;
  /** A day after "to", where it changes (Welsh mutates it: "i ddydd Gwener"). */
  toDay?: Record<PhoneDay, string>;
  everyDay: string;
  to: string;
  and: string;
}

// Welsh keeps "9am" and "4pm", as GOV.UK's Welsh pages and this service's own help line do: "yb" and "yh" are
// correct too, but less read, and the catalogues already say "9am i 5pm".
const words: Record<Locale, Words> = {
  en: {
    days: {
      monday: 'Monday',
      tuesday: 'Tuesday',
      wednesday: 'Wednesday',
      thursday: 'Thursday',
      friday: 'Friday',
      saturday: 'Saturday',
      sunday: 'Sunday',
    },
    everyDay: 'every day',
    to: 'to',
    and: 'and',
  },
  cy: {
    days: {
      monday: 'dydd Llun',
      tuesday: 'dydd Mawrth',
      wednesday: 'dydd Mercher',
      thursday: 'dydd Iau',
      friday: 'dydd Gwener',
      saturday: 'dydd Sadwrn',
      sunday: 'dydd Sul',
    },
    toDay: {
      monday: 'ddydd Llun',
      tuesday: 'ddydd Mawrth',
      wednesday: 'ddydd Mercher',
      thursday: 'ddydd Iau',
      friday: 'ddydd Gwener',
      saturday: 'ddydd Sadwrn',
      sunday: 'ddydd Sul',
    },
    everyDay: 'bob dydd',
    to: 'i',
    and: 'a',
  },
};

function days({ firstDay, lastDay }: PhoneTimes, say: Words): string {
  if (firstDay === 'monday' && lastDay === 'sunday') return say.everyDay;
  if (firstDay === lastDay) return say.days[firstDay];
  return `${say.days[firstDay]} ${say.to} ${(say.toDay ?? say.days)[lastDay]}`;
}

/**
 * Opening times as words: `Monday to Friday, 9am to 4pm and Saturday, 9am to midday`, or in Welsh `dydd Llun i
 * ddydd Gwener, 9am i 4pm a dydd Sadwrn, 9am i ganol dydd`. Lower case where it may, to sit inside a sentence.
 */
export function wordPhoneTimes(times: PhoneTimes[], locale: Locale): string {
  const say = words[locale];
  const each = times.map((range) => `${days(range, say)}, ${timeRange(range.opens, range.closes, locale)}`);
  return each.length <= 1 ? (each[0] ?? '') : `${each.slice(0, -1).join('; ')} ${say.and} ${each.at(-1)}`;
}

/** When the prison's booking line answers, in the language asked for; undefined when its rule file does not say. */
export function phoneHoursOf(prison: Pick<Prison, 'phoneTimes' | 'phoneHours'>, locale: Locale): string | undefined {
  if (prison.phoneTimes.length > 0) return wordPhoneTimes(prison.phoneTimes, locale);
  return prison.phoneHours?.[locale];
}

// Dates and times as a person reads them, in English or in Welsh, in the GOV.UK style: `Wednesday 2 December 2026`,
// `2pm to 3:30pm`, `midday`. Every page, e-mail and staff screen words a date or a time through these.
import type { Locale } from './vocabulary';

const dateFormats: Record<Locale, Intl.DateTimeFormat> = {
  en: new Intl.DateTimeFormat('en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }),
  cy: new Intl.DateTimeFormat('cy-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }),
};

/**
 * `2026-12-02` as `Wednesday 2 December 2026` (or in Welsh), in the GOV.UK style: no commas; without the weekday
 * for a date of birth.
 */
export function formatDate(date: string, locale: Locale, { weekday = true } = {}): string {
  const parts = dateFormats[locale].formatToParts(new Date(`${date}T00:00:00Z`));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${weekday ? `${part('weekday')} ` : ''}${part('day')} ${part('month')} ${part('year')}`;
}

/** `2026-11` as `November 2026` (or in Welsh). */
export const formatMonth = (month: string, locale: Locale): string =>
  formatDate(`${month}-01`, locale, { weekday: false }).replace(/^\d+ /, '');

/** The number of days in a month written `2026-11`. */
export const daysInMonth = (month: string): number =>
  new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate();

const middayWords: Record<Locale, { midday: string; afterTo: string; midnight: string; to: string }> = {
  en: { midday: 'midday', afterTo: 'midday', midnight: 'midnight', to: 'to' },
  // Welsh mutates midday after "i": "9am i ganol dydd".
  cy: { midday: 'canol dydd', afterTo: 'ganol dydd', midnight: 'hanner nos', to: 'i' },
};

/**
 * `14:00` as `2pm`, `09:30` as `9:30am`, `12:00` as `midday` (`canol dydd`, or `ganol dydd` after "i"). Welsh keeps
 * "am" and "pm", as GOV.UK's Welsh pages and this service's help line do.
 */
export function clock(time: string, locale: Locale = 'en', { afterTo = false } = {}): string {
  const [hours, minutes] = [Number(time.slice(0, 2)), Number(time.slice(3, 5))];
  const say = middayWords[locale];
  if (minutes === 0 && hours === 12) return afterTo ? say.afterTo : say.midday;
  if (minutes === 0 && hours === 0) return say.midnight;
  const hour = hours % 12 === 0 ? 12 : hours % 12;
  return `${hour}${minutes === 0 ? '' : `:${String(minutes).padStart(2, '0')}`}${hours < 12 ? 'am' : 'pm'}`;
}

/** From one time to another: `2pm to 3:30pm`, `9am i ganol dydd`. */
export const timeRange = (from: string, to: string, locale: Locale): string =>
  `${clock(from, locale)} ${middayWords[locale].to} ${clock(to, locale, { afterTo: true })}`;

/** `2026-12-02T14:00/15:30` as `Wednesday 2 December 2026, 2pm to 3:30pm` (or in Welsh). */
export function formatSlot(slot: string, locale: Locale): string {
  return `${formatDate(slot.slice(0, 10), locale)}, ${timeRange(slot.slice(11, 16), slot.slice(17, 22), locale)}`;
}

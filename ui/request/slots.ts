// The journey's step choosing the times: one to three of the prison's bookable slots with a place, grouped by day;
// the days with none left are named.
import { Hono } from 'hono';
import { formatDate, formatSlot } from '../../rules/dateWords';
import type { Services } from '../../api/services';
import { slotsWithPlaces } from '../../activities/readModel/slotPlaces';
import { holdsClient, type HoldsClient } from '../../workflows/holdsClient';
import { slotsRuledOut, type Eligibility } from '../../rules/eligibility';
import type { Prison } from '../../rules/prison';
import type { Journey } from '../journeyCookie';
import type { Locale } from '../../rules/vocabulary';
import { localeOf, render } from '../render';
import { journeys, message, next, today, wordsFor, type FieldProblem } from './common';

export function slotsStep(services: Services) {
  const journey = journeys(services);
  const holds = holdsClient(services);

  /**
   * The times offered to this journey: bookable, with a place, and not ruled out by the prison's rules for its
   * prisoner and visitors (as far as they can judge before the request is sent).
   */
  async function offeredSlots(prison: Prison, answers: Journey) {
    const { open, full } = await slotsWithPlaces(services.db, prison, today());
    const ruledOut =
      answers.prisoner && answers.visitors
        ? await slotsRuledOut(
            prison,
            {
              today: today(),
              prisoner: answers.prisoner,
              visitorDatesOfBirth: answers.visitors.map((visitor) => visitor.dateOfBirth),
            },
            open,
          )
        : new Map<string, Rejection>();
    return { open: open.filter((slot) => !ruledOut.has(slot)), full, ruledOut };
  }

  return new Hono().on(['GET', 'POST'], '/request/slots', async (c) => {
    const answers = journey.of(c);
    if (answers instanceof Response) return answers;
    const prison = journey.prisonOf(answers);
    if (!prison) return c.redirect('/request/prison');
    let chosen = answers.slotOptions ?? [];
    // Sent back from the check page: the place held for the time chosen was taken meanwhile.
    let problems: FieldProblem[] = c.req.query('taken') ? [{ path: 'slotOptions', code: 'slot_taken' }] : [];
    const instant = prison.booking === 'instant';
    if (c.req.method === 'POST') {
      const form = await journey.form(c, answers);
      chosen = ([] as string[]).concat(form.slotOptions ?? []);
      // A time that filled up while the visitor chose is refused as any other not offered.
      const offered = (await offeredSlots(prison, answers)).open;
      const mine = answers.hold?.prisonId === prison.id ? [answers.hold.slot] : [];
      const bookable = new Set([...offered, ...mine]);
      if (chosen.length === 0) problems = [{ path: 'slotOptions', code: 'required' }];
      else if (instant && chosen.length > 1) problems = [{ path: 'slotOptions', code: 'one_slot_only' }];
      else if (chosen.length > 3) problems = [{ path: 'slotOptions', code: 'too_many_slots' }];
      else if (chosen.some((slot) => !bookable.has(slot)))
        problems = [{ path: 'slotOptions', code: 'slot_unavailable' }];
      let hold = answers.hold;
      if (problems.length === 0 && instant) {
        const held = await holdTime(holds, answers.hold, prison, chosen[0]);
        if (held) hold = held;
        else problems = [{ path: 'slotOptions', code: 'slot_taken' }];
      }
      if (problems.length === 0) {
        journey.save(c, { ...answers, slotOptions: chosen, ...(hold ? { hold } : {}) });
        await journey.step(answers, 'slots');
        return next(c, '/request/contact');
      }
    }
    journey.save(c, answers);
    const locale = localeOf(c);
    const t = wordsFor(c);
    const groups = new Map<string, { date: string; label: string; items: unknown[] }>();
    const { open, full: taken, ruledOut } = await offeredSlots(prison, answers);
    // The time this visitor holds is theirs, though it fills the slot for everyone else.
    const mine = answers.hold?.prisonId === prison.id ? answers.hold.slot : undefined;
    const full = taken.filter((slot) => slot !== mine);
    for (const slot of [...open, ...(mine && taken.includes(mine) ? [mine] : [])].sort()) {
      const day = slot.slice(0, 10);
      if (!groups.has(day)) groups.set(day, { date: day, label: formatDate(day, locale), items: [] });
      groups
        .get(day)
        ?.items.push({ value: slot, text: formatSlot(slot, locale).split(', ').pop(), checked: chosen.includes(slot) });
    }
    return render(c, 'slots', {
      title: t(prison.booking === 'instant' ? 'slots.titleInstant' : 'slots.title'),
      instant: prison.booking === 'instant',
      backUrl: '/request/visitors',
      csrf: answers.csrf,
      prison,
      slotGroups: [...groups.values()],
      // The days whose every time is taken or held, said so rather than left out without a word.
      fullDays: [...new Set(full.map((slot) => slot.slice(0, 10)))]
        .filter((day) => !groups.has(day))
        .map((day) => formatDate(day, locale)),
      // The days the prison's rules leave without a time for these visitors, with the rules' own words.
      ruledOutDays: [...ruledOutByReason(ruledOut, locale)]
        .map(([explanation, days]) => ({
          explanation,
          days: days.filter((day) => !groups.has(day)).map((day) => formatDate(day, locale)),
        }))
        .filter((reason) => reason.days.length > 0),
      calendarNames: calendarNames(locale),
      errors: problems.map((p) => ({
        path: p.path,
        text: p.code === 'required' ? t('errors.slots.required') : message(locale, p, prison),
      })),
    });
  });
}

type Rejection = Eligibility['rejections'][number];

/** The days of the slots ruled out, by the words of the rule that ruled each out, in the visitor's language. */
function ruledOutByReason(ruledOut: Map<string, Rejection>, locale: Locale): Map<string, string[]> {
  const byReason = new Map<string, string[]>();
  for (const [slot, rejection] of ruledOut) {
    const words = (locale === 'cy' && rejection.explanationCy) || rejection.explanation;
    const days = byReason.get(words) ?? [];
    if (!days.includes(slot.slice(0, 10))) days.push(slot.slice(0, 10));
    byReason.set(words, days);
  }
  return byReason;
}

/**
 * The month and weekday names the calendar script shows, named here because a browser's own may lack Welsh (Debian's
 * Chromium names Welsh months and days in English).
 */
function calendarNames(locale: Locale) {
  const names = (options: Intl.DateTimeFormatOptions, dates: Date[]) =>
    dates.map((date) => new Intl.DateTimeFormat(`${locale}-GB`, { ...options, timeZone: 'UTC' }).format(date));
  const week = Array.from({ length: 7 }, (_, day) => new Date(Date.UTC(2024, 0, 1 + day))); // 1 January 2024: Monday
  return {
    months: names(
      { month: 'long' },
      Array.from({ length: 12 }, (_, month) => new Date(Date.UTC(2024, month, 1))),
    ),
    weekdays: {
      narrow: names({ weekday: 'narrow' }, week),
      short: names({ weekday: 'short' }, week),
      long: names({ weekday: 'long' }, week),
    },
  };
}

/**
 * The place held for a visitor's chosen time at a prison that books at once: the one they hold if it is for this
 * time and still held, else a new one, and only then the old one let go (so a visitor whose new time is taken keeps
 * the time they had). Undefined when the time has no free place.
 */
export async function holdTime(
  holds: HoldsClient,
  current: Journey['hold'],
  prison: Prison,
  slot: string,
): Promise<Journey['hold']> {
  const stillHeld =
    current && current.prisonId === prison.id && current.slot === slot && Date.parse(current.expiresAt) > Date.now();
  if (stillHeld) return current;
  const held = await holds.hold(prison, slot);
  if (!held.held) return undefined;
  if (current) await holds.release(current.id);
  return { id: held.holdId, prisonId: prison.id, slot, expiresAt: held.expiresAt };
}

// Dates and times in London, where every prison's calendar is kept. Pure and deterministic: the workflow uses it.

const london = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** The London wall-clock date (`YYYY-MM-DD`) and time (`HH:MM`) of an instant. */
export function londonClock(instant: Date): { date: string; time: string } {
  const part = Object.fromEntries(london.formatToParts(instant).map((p) => [p.type, p.value]));
  return { date: `${part.year}-${part.month}-${part.day}`, time: `${part.hour}:${part.minute}` };
}

/** The instant at which London clocks show `date` and `time`. */
export function londonInstant(date: string, time: string): Date {
  const asUtc = Date.parse(`${date}T${time}:00Z`);
  // London is UTC or UTC+1: try both offsets and keep the one whose wall clock matches.
  for (const offsetHours of [0, 1]) {
    const instant = new Date(asUtc - offsetHours * 3_600_000);
    const clock = londonClock(instant);
    if (clock.date === date && clock.time === time) return instant;
  }
  return new Date(asUtc); // a time that does not exist (clocks going forward): the nearest reading
}

/** `date` moved by a number of days. */
export function addDays(date: string, days: number): string {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}

/** 0 for Sunday to 6 for Saturday. */
export function dayOfWeek(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** The start and end instants of a slot written `YYYY-MM-DDTHH:MM/HH:MM`. */
export function slotTimes(slot: string): { start: Date; end: Date } {
  const date = slot.slice(0, 10);
  return { start: londonInstant(date, slot.slice(11, 16)), end: londonInstant(date, slot.slice(17, 22)) };
}

// The visiting calendar's worked examples from the domain brief, and London time.
import { describe, expect, it } from 'vitest';
import { bookableSlots, confirmByDate, slotCapacity } from '../rules/calendar';
import { addDays, londonClock, londonInstant, slotTimes } from '../rules/londonTime';
import type { Prison } from '../rules/prison';
import { formatError, parseRuleFile } from '../rules/ruleFile';

/** A prison from the text of a rule file. */
function prisonFrom(yaml: string): Prison {
  const result = parseRuleFile(yaml, 'test.yaml');
  if (!result.ok) throw new Error(result.errors.map(formatError).join('\n'));
  return result.prison;
}

// Sunday, Wednesday (twice) and Saturday; lead 3 days, window 10 days.
const prison = prisonFrom(`
id: TST
name: HMP Test
calendar:
  lead_days: 3
  booking_window: 10
  recurring:
    sun: [1400-1600]
    wed: [1400-1600, 0930-1130]
    sat: [1400-1600]
`);

describe('the confirm-by date', () => {
  it('is the third processing day after a Thursday, skipping the weekend', () => {
    expect(confirmByDate(prison, '2015-10-01')).toBe('2015-10-06');
  });

  it('is the Thursday after a Monday', () => {
    expect(confirmByDate(prison, '2015-11-16')).toBe('2015-11-19');
  });

  it('counts Saturday and Sunday at a prison that works weekends', () => {
    expect(confirmByDate(prison, '2015-11-19')).toBe('2015-11-24');
    expect(confirmByDate({ ...prison, weekendProcessing: true }, '2015-11-19')).toBe('2015-11-22');
  });

  it('skips a bank holiday on a weekday', () => {
    const monday23rdOff = (date: string) => date === '2015-11-23';
    expect(confirmByDate(prison, '2015-11-19', monday23rdOff)).toBe('2015-11-25');
  });

  it('skips the real bank holidays of England and Wales', () => {
    // Christmas Day is a Friday in 2026 and Boxing Day a Saturday, so Monday 28 December is a holiday too.
    expect(confirmByDate(prison, '2026-12-23')).toBe('2026-12-30');
    expect(confirmByDate({ ...prison, weekendProcessing: true }, '2026-12-23')).toBe('2026-12-29');
    expect(confirmByDate(prison, '2026-04-02')).toBe('2026-04-09'); // Good Friday and Easter Monday
  });
});

describe('the slots bookable today', () => {
  it('run from the day after confirm-by to the end of the booking window, in order', () => {
    // Today Thursday 2015-10-01: first bookable Wednesday 7th, last Sunday 11th.
    expect(bookableSlots(prison, '2015-10-01')).toEqual([
      '2015-10-07T09:30/11:30',
      '2015-10-07T14:00/16:00',
      '2015-10-10T14:00/16:00',
      '2015-10-11T14:00/16:00',
    ]);
  });

  it('list a day’s times in order even when the rule file does not', () => {
    expect(bookableSlots(prison, '2015-10-01').slice(0, 2)).toEqual([
      '2015-10-07T09:30/11:30',
      '2015-10-07T14:00/16:00',
    ]);
  });
});

describe('special dates', () => {
  const special = prisonFrom(`
id: TST
name: HMP Test
calendar:
  lead_days: 0
  recurring:
    wed: [1400-1600, 0930-1130]
  anomalous:
    2026-12-09: [1000-1100]
    2026-12-10: [1800-1900]
  unbookable: [2026-12-16]
  capacity:
    open: 20
    closed: 2
    times:
      0930-1130: { open: 5 }
`);
  const today = '2026-12-07';

  it('an anomalous date replaces the day’s times, and an unbookable one removes them', () => {
    const slots = bookableSlots(special, today).filter((slot) => slot < '2026-12-17');
    expect(slots).toEqual(['2026-12-09T10:00/11:00', '2026-12-10T18:00/19:00']);
  });

  it('a slot’s capacity is its time’s own, else the prison’s', () => {
    expect(slotCapacity(special, '2026-12-23T09:30/11:30')).toEqual({ open: 5, closed: 2 });
    expect(slotCapacity(special, '2026-12-23T14:00/16:00')).toEqual({ open: 20, closed: 2 });
    expect(slotCapacity(prison, '2026-12-23T14:00/16:00')).toBeUndefined();
  });
});

describe('London time', () => {
  it('is UTC in winter and UTC+1 in summer', () => {
    expect(londonInstant('2026-12-02', '14:00').toISOString()).toBe('2026-12-02T14:00:00.000Z');
    expect(londonInstant('2026-07-02', '14:00').toISOString()).toBe('2026-07-02T13:00:00.000Z');
    expect(slotTimes('2026-07-02T14:00/15:30').end.toISOString()).toBe('2026-07-02T14:30:00.000Z');
  });

  it('gives the London date of an instant, which differs from UTC just before midnight in summer', () => {
    expect(londonClock(new Date('2026-07-01T23:30:00Z'))).toEqual({ date: '2026-07-02', time: '00:30' });
    expect(londonClock(new Date('2026-01-01T23:30:00Z'))).toEqual({ date: '2026-01-01', time: '23:30' });
  });

  it('moves dates across months and leap days', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
  });
});

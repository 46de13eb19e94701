// The visiting calendar's worked examples from the domain brief, and London time.
import { describe, expect, it } from 'vitest';
import { addDays, bookableSlots, confirmByDate, londonClock, londonInstant, slotTimes } from '../rules/calendar';
import type { Prison } from '../rules/prison';

const prison: Prison = {
  id: 'TST',
  name: 'HMP Test',
  enabled: true,
  closed: false,
  private: false,
  adultAge: 18,
  maxVisitors: 6,
  maxAdults: 3,
  leadDays: 3,
  bookingWindowDays: 10,
  weekendProcessing: false,
  // Sunday first: Sunday, Wednesday (twice) and Saturday.
  recurring: [['14:00/16:00'], [], [], ['09:30/11:30', '14:00/16:00'], [], [], ['14:00/16:00']],
};

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
    const shuffled = { ...prison, recurring: prison.recurring.map((times) => [...times].reverse()) };
    expect(bookableSlots(shuffled, '2015-10-01')).toEqual(bookableSlots(prison, '2015-10-01'));
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

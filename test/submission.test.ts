// The checks a visit request must pass against its prison's rules, with their stable codes.
import { describe, expect, it } from 'vitest';
import { ageOn, checkSubmission } from '../rules/submission';
import { prison } from './harness';
import { bookableSlots } from '../rules/calendar';

const today = '2026-11-24';
const ngt = prison('NGT');
const adult = { dateOfBirth: '1985-01-01' };
const child = { dateOfBirth: '2019-06-01' };
const request = (visitors: { dateOfBirth: string }[], slotOptions = bookableSlots(ngt, today).slice(0, 1)) => ({
  prisoner: adult,
  visitors,
  slotOptions,
});
const codes = (problems: { path: string; code: string }[]) => problems.map((p) => `${p.path}:${p.code}`);

describe('ages', () => {
  it('are taken by birthday', () => {
    expect(ageOn('2008-11-24', today)).toBe(18);
    expect(ageOn('2008-11-25', today)).toBe(17);
  });

  it('count a 29 February birthday on 1 March in other years', () => {
    expect(ageOn('2008-02-29', '2026-02-28')).toBe(17);
    expect(ageOn('2008-02-29', '2026-03-01')).toBe(18);
  });
});

describe('a visit request', () => {
  it('passes with an adult lead visitor and a bookable slot', () => {
    expect(checkSubmission(request([adult, child]), ngt, today)).toEqual([]);
  });

  it('needs a lead visitor of 18 or over', () => {
    expect(codes(checkSubmission(request([child, adult]), ngt, today))).toEqual([
      'visitors.0.dateOfBirth:lead_visitor_age',
    ]);
  });

  it('allows at most the prison’s number of adults, counted from its adult age', () => {
    expect(codes(checkSubmission(request([adult, adult, adult, adult]), ngt, today))).toEqual([
      'visitors:too_many_adults',
    ]);
    const westmoor = prison('WMR');
    const tenYearOld = { dateOfBirth: '2016-01-01' };
    const slot = bookableSlots(westmoor, today).slice(0, 1);
    expect(codes(checkSubmission(request([adult, adult, tenYearOld], slot), westmoor, today))).toEqual([
      'visitors:too_many_adults',
    ]);
    expect(codes(checkSubmission(request([adult, adult, adult, child, child], slot), westmoor, today))).toContain(
      'visitors:too_many_visitors',
    );
  });

  it('refuses slots the prison cannot book today', () => {
    const tooSoon = `${today}T14:00/16:00`;
    expect(codes(checkSubmission(request([adult], [tooSoon]), ngt, today))).toEqual(['slotOptions.0:slot_unavailable']);
  });

  it('refuses dates of birth in the future or more than 120 years ago', () => {
    const problems = checkSubmission({ ...request([adult]), prisoner: { dateOfBirth: '2030-01-01' } }, ngt, today);
    expect(codes(problems)).toEqual(['prisoner.dateOfBirth:date_of_birth_in_future']);
    expect(codes(checkSubmission(request([adult, { dateOfBirth: '1900-01-01' }]), ngt, today))).toEqual([
      'visitors.1.dateOfBirth:date_of_birth_too_old',
    ]);
  });

  it('names a closed, disabled or private prison apart, each with its own message', () => {
    const messages = [{ closed: true }, { enabled: false }, { private: true }].map((change) => {
      const [problem] = checkSubmission(request([adult]), { ...ngt, ...change }, today);
      expect(problem.code).toBe('prison_not_bookable');
      return problem.message;
    });
    expect(new Set(messages).size).toBe(3);
  });
});

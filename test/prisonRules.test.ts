// Each prison's rules through the API: submission limits with their codes, eligibility rules that reject, flag or
// require a closed visit, the prisoner service down, a changed rule file taking effect, and the policy preview.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RuleBook } from '../rules/ruleBook';
import { fakePrisonerService, samplePrisoner } from './fakePrisonerService';
import { eventually, prison, slotsAt, startTestService, visitRequestBody, type TestService } from './harness';

const rulesDir = mkdtempSync(join(tmpdir(), 'pvb-prison-rules-'));
cpSync('rules/prisons', rulesDir, { recursive: true });
const liveRules = new RuleBook(rulesDir).watch();

let service: TestService;
let staff: string;

beforeAll(async () => {
  service = await startTestService('prison_rules', { rules: liveRules });
  staff = await service.staffToken('admin', []);
});
afterAll(async () => {
  await service.close();
  liveRules.close();
  rmSync(rulesDir, { recursive: true, force: true });
});
afterEach(() => {
  fakePrisonerService.state = 'up';
  fakePrisonerService.records.set(samplePrisoner.number, samplePrisoner);
});

const person = (firstName: string, dateOfBirth: string) => ({ firstName, lastName: 'Visitor', dateOfBirth });
const yearsAgo = (years: number, days = 0) => {
  const date = new Date();
  date.setUTCFullYear(date.getUTCFullYear() - years);
  date.setUTCDate(date.getUTCDate() - days);
  return date.toISOString().slice(0, 10);
};

async function submit(overrides: Record<string, unknown>) {
  const response = await service.call('POST', '/api/visits', { body: visitRequestBody(overrides) });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { reference: string; accessToken: string; statusUrl: string };
}

/** The staff view of a visit once its eligibility check is done. */
async function checked(reference: string) {
  return eventually(async () => {
    const { body } = await service.call('GET', `/api/staff/visits/${reference}`, { token: staff });
    return body.eligibility ? body : undefined;
  });
}

describe('limits at submission', () => {
  it('names every limit broken at once: 7 visitors, a lead of 17, 4 adults, a slot outside the window', async () => {
    const visitors = [
      person('Lead', yearsAgo(17)),
      ...Array.from({ length: 6 }, (_, i) => person(`V${i}`, yearsAgo(30))),
    ];
    const { status, body } = await service.call('POST', '/api/visits', {
      body: visitRequestBody({ prisonId: 'NGT', visitors, slotOptions: ['2099-01-06T14:00/16:00'] }),
    });
    expect(status).toBe(422);
    expect(body.errors.map((e: { code: string }) => e.code).sort()).toEqual([
      'lead_visitor_age',
      'slot_unavailable',
      'too_many_adults',
      'too_many_visitors',
    ]);
  });

  it('lets 3 adults and 3 children through', async () => {
    const visitors = [
      ...['A', 'B', 'C'].map((name) => person(name, yearsAgo(40))),
      ...['D', 'E', 'F'].map((name) => person(name, yearsAgo(8))),
    ];
    await submit({ visitors });
  });

  it('counts a 12-year-old as an adult where the adult age is 10', async () => {
    const visitors = [person('Lead', yearsAgo(40)), person('Other', yearsAgo(40)), person('Kid', yearsAgo(12))];
    const { status, body } = await service.call('POST', '/api/visits', {
      body: visitRequestBody({ prisonId: 'WMR', visitors, slotOptions: slotsAt('WMR').slice(0, 1) }),
    });
    expect(status).toBe(422);
    expect(body.errors).toEqual([expect.objectContaining({ path: 'visitors', code: 'too_many_adults' })]);
    const nine = [person('Lead', yearsAgo(40)), person('Other', yearsAgo(40)), person('Kid', yearsAgo(9))];
    await submit({ prisonId: 'WMR', visitors: nine, slotOptions: slotsAt('WMR').slice(0, 1) });
  });

  it('turns away closed and private prisons, each with its own message', async () => {
    const messages = [];
    for (const prisonId of ['HBK', 'RDG']) {
      const { status, body } = await service.call('POST', '/api/visits', { body: visitRequestBody({ prisonId }) });
      expect(status).toBe(422);
      expect(body.errors[0]).toMatchObject({ path: 'prisonId', code: 'prison_not_bookable' });
      messages.push(body.errors[0].message);
    }
    expect(messages[0]).toMatch(/closed/);
    expect(messages[1]).toMatch(/privately/);
  });
});

describe('eligibility rules', () => {
  it('reject a request by themselves, with the rule’s reason and explanation for the visitor', async () => {
    fakePrisonerService.records.set('B2222CD', { ...samplePrisoner, number: 'B2222CD', visitBalance: 0 });
    const submitted = await submit({ prisoner: { ...visitRequestBody().prisoner, number: 'B2222CD' } });
    const seen = await eventually(async () => {
      const { body } = await service.call('GET', submitted.statusUrl, { token: submitted.accessToken });
      return body.status === 'rejected' ? body : undefined;
    });
    expect(seen.rejection).toEqual({
      reasons: ['no_allowance'],
      auto: true,
      explanations: [expect.stringContaining('used all their visits')],
    });
    expect(seen.timeline.at(-1)).toMatchObject({ status: 'rejected', by: 'system' });
    const full = await checked(submitted.reference);
    expect(full.eligibility).toMatchObject({
      rulesVersion: prison('NGT').version,
      prisonerCheck: 'found',
      rulesFired: ['no-visiting-allowance'],
    });
  });

  it('flag a request for staff, and the queue shows the flag', async () => {
    const visitors = [person('Young', yearsAgo(19)), person('Child', yearsAgo(4))];
    fakePrisonerService.records.set(samplePrisoner.number, { ...samplePrisoner, prisonId: 'SLT' });
    const submitted = await submit({ prisonId: 'SLT', visitors, slotOptions: slotsAt('SLT').slice(0, 1) });
    await checked(submitted.reference);
    const queue = await service.call('GET', '/api/staff/queue?prisonId=SLT', { token: staff });
    const summary = queue.body.requested.find((v: { reference: string }) => v.reference === submitted.reference);
    expect(summary.flags).toEqual(['young_lead_visitor_with_children']);
  });

  it('send the request on to staff flagged "could not check" when the prisoner service is down', async () => {
    fakePrisonerService.state = 'down';
    const submitted = await submit({});
    const full = await checked(submitted.reference);
    expect(full.status).toBe('requested');
    expect(full.eligibility.prisonerCheck).toBe('unavailable');
    expect(full.eligibility.flags[0].explanation).toMatch(/Could not check/);
    const queue = await service.call('GET', '/api/staff/queue?prisonId=NGT', { token: staff });
    const summary = queue.body.requested.find((v: { reference: string }) => v.reference === submitted.reference);
    expect(summary.flags).toEqual(['prisoner_not_checked']);
  });

  it('treat a prisoner service too slow to answer as down', async () => {
    fakePrisonerService.state = 'slow';
    const submitted = await submit({});
    expect((await checked(submitted.reference)).eligibility.prisonerCheck).toBe('unavailable');
  });

  it('make a category A prisoner’s visit a closed one, whatever staff tick', async () => {
    fakePrisonerService.records.set('C3333DE', { ...samplePrisoner, number: 'C3333DE', category: 'A' });
    const submitted = await submit({ prisoner: { ...visitRequestBody().prisoner, number: 'C3333DE' } });
    expect((await checked(submitted.reference)).eligibility.closedVisit.rule).toBe('category-a-closed-visits');
    const { body } = await service.call('POST', `/api/staff/visits/${submitted.reference}/decision`, {
      token: staff,
      body: { outcome: 'accept', slot: visitRequestBody().slotOptions[0], referenceNo: 'X', closed: false },
    });
    expect(body).toMatchObject({ status: 'booked', closed: true });
  });
});

describe('a changed rule file', () => {
  it('applies to new requests at once, while an earlier visit keeps the version it was judged by', async () => {
    const before = await submit({});
    const oldVersion = (await checked(before.reference)).eligibility.rulesVersion;
    expect(oldVersion).toBe(liveRules.get('NGT')?.version);

    const file = join(rulesDir, 'northgate.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('value: A }', 'value: C }'));
    const newVersion = await eventually(async () => {
      const version = liveRules.get('NGT')?.version;
      return version !== oldVersion ? version : undefined;
    });

    const after = await submit({});
    const judged = await checked(after.reference);
    expect(judged.eligibility.rulesVersion).toBe(newVersion);
    expect(judged.eligibility.closedVisit.rule).toBe('category-a-closed-visits');
    expect((await checked(before.reference)).eligibility).toMatchObject({ rulesVersion: oldVersion });
  });
});

describe('the policy preview', () => {
  it('shows the outcome of a prison’s rules on a sample request, rule by rule', async () => {
    const policy = await service.staffToken('policy', ['NGT']);
    const { status, body } = await service.call('POST', '/api/policy/preview', {
      token: policy,
      body: { prisonId: 'NGT', case: { prisoner: { visitBalance: 0 } } },
    });
    expect(status).toBe(200);
    expect(body.eligibility.rejections).toEqual([expect.objectContaining({ reason: 'no_allowance' })]);
    const fired = body.rules.find((rule: { rule: string }) => rule.rule === 'no-visiting-allowance');
    expect(fired).toMatchObject({
      fired: true,
      conditions: [{ test: 'prisoner.visitBalance lessThanInclusive 0', actual: 0, result: true }],
    });
  });

  it('tries an edited copy without putting it in force, and names the line of a mistake in it', async () => {
    const policy = await service.staffToken('policy', ['NGT']);
    const edited = readFileSync('rules/prisons/northgate.yaml', 'utf8').replace(
      'lessThanInclusive, value: 0',
      'lessThanInclusive, value: 1',
    );
    const tried = await service.call('POST', '/api/policy/preview', {
      token: policy,
      body: { ruleFile: edited, case: { prisoner: { visitBalance: 1 } } },
    });
    expect(tried.body).toMatchObject({ edited: true, eligibility: { rejections: [{ reason: 'no_allowance' }] } });
    expect(tried.body.rulesVersion).not.toBe(prison('NGT').version);

    const broken = await service.call('POST', '/api/policy/preview', {
      token: policy,
      body: { ruleFile: edited.replace('booking_window', 'booking_windw') },
    });
    expect(broken.status).toBe(422);
    expect(broken.body.errors[0]).toMatchObject({ path: 'ruleFile.calendar.booking_windw', code: 'invalid_rule_file' });
    expect(broken.body.errors[0].message).toMatch(
      /^line \d+: unknown key "booking_windw" \(did you mean "booking_window"\?\)/,
    );
  });

  it('is not for the staff role, nor for another prison’s policy team', async () => {
    const staffOnly = await service.staffToken('staff', ['NGT']);
    const body = { prisonId: 'NGT' };
    expect((await service.call('POST', '/api/policy/preview', { token: staffOnly, body })).status).toBe(403);
    const otherPolicy = await service.staffToken('policy', ['WMR']);
    expect((await service.call('POST', '/api/policy/preview', { token: otherPolicy, body })).status).toBe(404);
  });
});

// Slot capacity through HTTP: open and closed visits held apart, a staff cancellation giving its place back, and a
// lowered capacity that refuses new bookings without taking places from visits already booked. The prison is the
// test's own, in a rule folder of its own, so that the test can change its capacity as a policy team would.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { bookableSlots } from '../rules/calendar';
import { londonClock } from '../rules/londonTime';
import type { Capacity } from '../rules/prison';
import { RuleBook } from '../rules/ruleBook';
import { fakePrisonerService, samplePrisoner } from './fakePrisonerService';
import { eventually, startTestService, visitRequestBody, type TestService } from './harness';
import { checkPage, openSite, type Site } from './browser';

const times = ['0900-1000', '1100-1200', '1400-1500', '1600-1700'];

/** HMP Capacity's rule file: visits every day, one open and one closed visit a slot, more or fewer open at 16:00. */
function ruleFile(at1600: Capacity) {
  return stringify({
    id: 'CAP',
    name: 'HMP Capacity',
    phone: '0300 060 6099',
    calendar: {
      lead_days: 2,
      booking_window: 14,
      recurring: Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((day) => [day, [...times]])),
      capacity: { open: 1, closed: 1, times: { '1600-1700': at1600 } },
    },
    eligibility: [
      {
        name: 'category-a-closed-visits',
        conditions: { all: [{ fact: 'prisoner', path: '$.category', operator: 'equal', value: 'A' }] },
        event: { type: 'closed_visit', params: { explanation: 'Category A prisoners have closed visits.' } },
      },
    ],
  });
}

const ruleDir = mkdtempSync(join(tmpdir(), 'capacity-rules-'));
const ruleFilePath = join(ruleDir, 'capacity.yaml');
writeFileSync(ruleFilePath, ruleFile({ open: 3 }));
// HMP Capacity Instant: the same, but it books a request at once (booking: instant).
writeFileSync(
  join(ruleDir, 'capacity-instant.yaml'),
  ruleFile({ open: 3 }).replace('id: CAP', 'id: CAI').replace('name: HMP Capacity', 'name: HMP Capacity Instant') +
    'booking: instant\n',
);
const rules = new RuleBook(ruleDir);

/** Prisoners at HMP Capacity, as the prisoner-information service knows them. */
const prisoner = { ...samplePrisoner, number: 'C1234AP', prisonId: 'CAP' };
const categoryA = { ...prisoner, number: 'A7777AA', category: 'A' };
const atInstant = { ...prisoner, number: 'I1234NS', prisonId: 'CAI' };

let service: TestService;
let staff: string;

beforeAll(async () => {
  service = await startTestService('capacity', { rules });
  staff = await service.staffToken('staff', ['CAP']);
  fakePrisonerService.records.set(prisoner.number, prisoner);
  fakePrisonerService.records.set(categoryA.number, categoryA);
  fakePrisonerService.records.set(atInstant.number, atInstant);
});
afterAll(async () => {
  rmSync(ruleDir, { recursive: true, force: true });
  await service?.close();
});

/**
 * The first bookable slot at HMP Capacity with these times (`HH:MM/HH:MM`), or the `nth` after it; each test has a
 * slot of its own.
 */
function slotAt(slotTimes: string, nth = 0, prisonId = 'CAP'): string {
  const prison = rules.get(prisonId);
  if (!prison) throw new Error('HMP Capacity’s rule file was refused');
  const slot = bookableSlots(prison, londonClock(new Date()).date).filter((s) => s.endsWith(slotTimes))[nth];
  if (!slot) throw new Error(`no bookable slot at ${slotTimes}`);
  return slot;
}

/** A request to visit a prisoner at HMP Capacity in one slot. */
async function requestFor(slot: string, visited = prisoner) {
  const { firstName, lastName, dateOfBirth, number } = visited;
  const body = visitRequestBody({
    prisonId: 'CAP',
    prisoner: { firstName, lastName, dateOfBirth, number },
    slotOptions: [slot],
  });
  const response = await service.call('POST', '/api/visits', { body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.reference as string;
}

const accept = (reference: string, slot: string, closed?: boolean) =>
  service.call('POST', `/api/staff/visits/${reference}/decision`, {
    token: staff,
    body: { outcome: 'accept', slot, referenceNo: 'CAP-1', ...(closed === undefined ? {} : { closed }) },
  });

const cancelByStaff = (reference: string) =>
  service.call('POST', `/api/staff/visits/${reference}/cancel`, {
    token: staff,
    body: { reasons: ['prisoner_moved'] },
  });

const statusOf = async (reference: string) =>
  (await service.call('GET', `/api/staff/visits/${reference}`, { token: staff })).body.status as string;

/** Expects the accept to be refused because the slot is full, and the request to stay with staff. */
async function expectSlotFull(reference: string, slot: string, closed?: boolean) {
  const refused = await accept(reference, slot, closed);
  expect(refused.status, JSON.stringify(refused.body)).toBe(409);
  expect(refused.body.code).toBe('slot_full');
  expect(await statusOf(reference)).toBe('requested');
}

/** Expects the accept to book the visit, closed or not as given. */
async function expectBooked(reference: string, slot: string, closed?: boolean) {
  const response = await accept(reference, slot, closed);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(response.body).toMatchObject({ status: 'booked', slotGranted: slot });
}

describe('a slot with a capacity', () => {
  it('holds closed visits in the closed room: a closed visit takes a closed place, not an open one', async () => {
    const slot = slotAt('09:00/10:00'); // one open place, one closed
    const [open, closed, secondClosed, secondOpen] = [
      await requestFor(slot),
      await requestFor(slot),
      await requestFor(slot),
      await requestFor(slot),
    ];
    await expectBooked(open, slot, false);
    await expectBooked(closed, slot, true);
    expect((await service.call('GET', `/api/staff/visits/${closed}`, { token: staff })).body.closed).toBe(true);
    await expectSlotFull(secondClosed, slot, true);
    await expectSlotFull(secondOpen, slot, false);
  });

  it('counts a visit the prison’s rules make closed against the closed places, though staff do not say closed', async () => {
    const slot = slotAt('11:00/12:00'); // one open place, one closed
    const [categoryAVisit, secondCategoryAVisit, openVisit] = [
      await requestFor(slot, categoryA),
      await requestFor(slot, categoryA),
      await requestFor(slot),
    ];
    await expectBooked(categoryAVisit, slot);
    expect((await service.call('GET', `/api/staff/visits/${categoryAVisit}`, { token: staff })).body.closed).toBe(true);
    await expectSlotFull(secondCategoryAVisit, slot);
    await expectBooked(openVisit, slot);
  });

  it('gets a place back when staff cancel a booked visit, and another visit can be booked into it', async () => {
    const slot = slotAt('14:00/15:00'); // one open place
    const [first, second] = [await requestFor(slot), await requestFor(slot)];
    await expectBooked(first, slot);
    await expectSlotFull(second, slot);

    const cancelled = await cancelByStaff(first);
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(await statusOf(first)).toBe('cancelled');
    await expectBooked(second, slot);
  });

  it('keeps the visits booked when the prison lowers its capacity, and books no more beyond the new one', async () => {
    const slot = slotAt('16:00/17:00'); // three open places, until the policy team lowers them to one
    const [first, second, third] = [await requestFor(slot), await requestFor(slot), await requestFor(slot)];
    await expectBooked(first, slot);
    await expectBooked(second, slot);

    writeFileSync(ruleFilePath, ruleFile({ open: 1 }));
    expect(rules.reload()).toEqual([]);

    await expectSlotFull(third, slot); // under the old capacity, a place was free
    expect([await statusOf(first), await statusOf(second)]).toEqual(['booked', 'booked']);
    // The second visit still holds its place: one cancellation leaves the slot at its new capacity, still full.
    expect((await cancelByStaff(first)).status).toBe(200);
    await expectSlotFull(third, slot);
    expect((await cancelByStaff(second)).status).toBe(200);
    await expectBooked(third, slot);
  });
});

describe('a held place', () => {
  const slots = async () =>
    (await service.call('GET', '/api/prisons/CAI/slots')).body as { slots: string[]; full: string[] };
  const hold = (slot: string, prisonId = 'CAI') => service.call('POST', '/api/holds', { body: { prisonId, slot } });
  const askAtInstant = (slot: string) => {
    const { firstName, lastName, dateOfBirth, number } = atInstant;
    const body = visitRequestBody({
      prisonId: 'CAI',
      prisoner: { firstName, lastName, dateOfBirth, number },
      slotOptions: [slot],
    });
    return service.call('POST', '/api/visits', { body });
  };

  it('is not offered to anyone else, nor held twice, nor booked over, until it is let go', async () => {
    const slot = slotAt('09:00/10:00', 1, 'CAI'); // one open place
    expect((await slots()).slots).toContain(slot);
    const first = await hold(slot);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ prisonId: 'CAI', slot, holdId: expect.stringMatching(/^[\w-]{22}$/) });
    expect(Date.parse(first.body.expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(Date.parse(first.body.expiresAt) - Date.now()).toBeLessThanOrEqual(10 * 60_000);
    // Within moments the slot is no longer offered: it is full.
    await eventually(async () => ((await slots()).full.includes(slot) ? true : undefined));
    expect((await slots()).slots).not.toContain(slot);
    const second = await hold(slot);
    expect([second.status, second.body.code]).toEqual([409, 'slot_full']);
    // A request without the hold is not booked into the held place: it is left with staff.
    const other = await askAtInstant(slot);
    expect(other.status).toBe(201);
    const staffAtInstant = await service.staffToken('staff', ['CAI']);
    const visitOf = async (reference: string) =>
      (await service.call('GET', `/api/staff/visits/${reference}`, { token: staffAtInstant })).body;
    await eventually(async () => ((await visitOf(other.body.reference)).eligibility ? true : undefined));
    expect((await visitOf(other.body.reference)).status).toBe('requested');
    // Let go, the place is offered again, and the hold has nothing left to let go.
    expect((await service.call('DELETE', `/api/holds/${first.body.holdId}`)).status).toBe(204);
    const again = await service.call('DELETE', `/api/holds/${first.body.holdId}`);
    expect([again.status, again.body.code]).toEqual([404, 'not_held']);
    await eventually(async () => ((await slots()).slots.includes(slot) ? true : undefined));
  });

  it('goes to one of five asking for the last place at the same moment', async () => {
    const slot = slotAt('09:00/10:00', 2, 'CAI');
    const answers = await Promise.all(Array.from({ length: 5 }, () => hold(slot)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409, 409]);
  });

  it('is refused, naming the field, at a prison that does not book at once, for a slot not offered, or a bad body', async () => {
    const atRequest = await hold(slotAt('09:00/10:00', 3), 'CAP');
    expect([atRequest.status, atRequest.body.errors?.[0]]).toEqual([
      422,
      expect.objectContaining({ path: 'prisonId', code: 'holds_not_offered' }),
    ]);
    const refused = await hold('2020-01-01T09:00/10:00');
    expect([refused.status, refused.body.errors?.[0]]).toEqual([
      422,
      expect.objectContaining({ path: 'slot', code: 'slot_unavailable' }),
    ]);
    const unknown = await hold(slotAt('09:00/10:00'), 'XYZ');
    expect([unknown.status, unknown.body.errors?.[0]?.path]).toEqual([422, 'prisonId']);
    const extra = await service.call('POST', '/api/holds', {
      body: { prisonId: 'CAI', slot: slotAt('09:00/10:00', 3, 'CAI'), minutes: 60 },
    });
    expect(extra.status).toBe(422);
    for (const holdId of ['not-a-hold', 'x'.repeat(2000)]) {
      expect((await service.call('DELETE', `/api/holds/${holdId}`)).status, holdId.slice(0, 12)).toBe(404);
    }
  });
});

describe('a prison that books at once', () => {
  const slotAtInstant = (times: string) => {
    const prison = rules.get('CAI');
    if (!prison) throw new Error('HMP Capacity Instant’s rule file was refused');
    expect(prison.booking).toBe('instant');
    const slot = bookableSlots(prison, londonClock(new Date()).date).find((s) => s.endsWith(times));
    if (!slot) throw new Error(`no bookable slot at ${times}`);
    return slot;
  };
  const ask = (slot: string, extra: Record<string, unknown> = {}) => {
    const { firstName, lastName, dateOfBirth, number } = atInstant;
    const body = visitRequestBody({
      prisonId: 'CAI',
      prisoner: { firstName, lastName, dateOfBirth, number },
      slotOptions: [slot],
    });
    return service.call('POST', '/api/visits', { body: { ...body, ...extra } });
  };
  const visitOf = async (reference: string) =>
    (await service.call('GET', `/api/staff/visits/${reference}`, { token: staffAtInstant })).body;
  let staffAtInstant: string;
  beforeAll(async () => {
    staffAtInstant = await service.staffToken('staff', ['CAI']);
  });

  it('books the time whose place the visitor held, and the next visitor is left with staff, the time being full', async () => {
    const slot = slotAtInstant('09:00/10:00'); // one open place
    const held = await service.call('POST', '/api/holds', { body: { prisonId: 'CAI', slot } });
    expect(held.status).toBe(201);
    const sent = await ask(slot, { holdId: held.body.holdId });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const booked = await eventually(async () => {
      const visit = await visitOf(sent.body.reference);
      return visit.status === 'booked' ? visit : undefined;
    });
    expect(booked).toMatchObject({
      slotGranted: slot,
      timeline: [{ status: 'requested' }, { status: 'booked', by: 'system' }],
    });
    // The held place became the visit's: nothing else is free, and the hold has nothing to let go.
    const other = await ask(slot);
    expect(other.status).toBe(201);
    await eventually(async () => ((await visitOf(other.body.reference)).eligibility ? true : undefined));
    expect((await visitOf(other.body.reference)).status).toBe('requested');
    const queue = (await service.call('GET', '/api/staff/queue', { token: staffAtInstant })).body;
    const waiting = queue.requested.map((v: { reference: string }) => v.reference);
    expect(waiting).toContain(other.body.reference);
    expect(waiting).not.toContain(sent.body.reference);
  });

  it(
    'is booked through the pages: the time held while the visitor finishes, the time left shown, booked on sending',
    { timeout: 60_000 },
    async () => {
      const site: Site = await openSite(service.app.fetch);
      try {
        for (const [javaScriptEnabled, lang, times] of [
          [true, 'cy', '11:00/12:00'],
          [false, 'en', '14:00/15:00'],
        ] as const) {
          const slot = slotAtInstant(times);
          const page = await site.page({ javaScriptEnabled });
          const label = `instant-${lang}${javaScriptEnabled ? '' : '-no-js'}`;
          await page.goto(`/request/prison?lang=${lang}`);
          await page.getByLabel('HMP Capacity Instant').check();
          await page.getByRole('button', { name: /Continue|Parhau/ }).click();
          await page.fill('#prisoner-firstName', atInstant.firstName);
          await page.fill('#prisoner-lastName', atInstant.lastName);
          const [year, month, day] = atInstant.dateOfBirth.split('-');
          await page.fill('#prisoner-dateOfBirth-day', day);
          await page.fill('#prisoner-dateOfBirth-month', month);
          await page.fill('#prisoner-dateOfBirth-year', year);
          await page.fill('#prisoner-number', atInstant.number);
          await page.getByRole('button', { name: /Continue|Parhau/ }).click();
          await page.fill('#visitors-0-firstName', 'Ada');
          await page.fill('#visitors-0-lastName', 'Wilde');
          await page.fill('#visitors-0-dateOfBirth-day', '1');
          await page.fill('#visitors-0-dateOfBirth-month', '1');
          await page.fill('#visitors-0-dateOfBirth-year', '1985');
          await page.getByRole('button', { name: /Continue|Parhau/ }).click();
          // One time, as a radio; chosen, it is held: full for everyone else.
          // axe runs in the page: with JavaScript only.
          if (javaScriptEnabled) await checkPage(page, `${label}-slots`);
          expect(await page.locator('input[name="slotOptions"][type="radio"]').count()).toBeGreaterThan(1);
          const day2 = page.locator(`[data-calendar-date="${slot.slice(0, 10)}"]`);
          if (await day2.count()) await day2.click();
          await page.check(`input[value="${slot}"]`);
          await page.getByRole('button', { name: /Continue|Parhau/ }).click();
          await eventually(async () => {
            const answer = (await service.call('GET', '/api/prisons/CAI/slots')).body;
            return answer.full.includes(slot) ? true : undefined;
          });
          await page.fill('#contact-email', 'ada@example.com');
          await page.fill('#contact-phone', '07700 900123');
          await page.getByRole('button', { name: /Continue|Parhau/ }).click();
          if (javaScriptEnabled) await checkPage(page, `${label}-check`);
          expect(await page.textContent('#held-until')).toMatch(
            lang === 'en'
              ? /We are holding .+ for you for (10|9) more minutes, until \d{1,2}(:\d\d)?(am|pm)/
              : /Rydym yn cadw .+ i chi am (10|9) munud arall, tan \d{1,2}(:\d\d)?(am|pm)/,
          );
          await page.getByRole('button', { name: /Send request|Anfon cais/ }).click();
          if (javaScriptEnabled) await checkPage(page, `${label}-confirmation`);
          expect(await page.textContent('.govuk-panel__title')).toContain(
            lang === 'en' ? 'Visit booked' : 'Ymweliad wedi’i drefnu',
          );
          const reference = (await page.locator('.govuk-panel__body strong').textContent())?.trim() ?? '';
          expect(await visitOf(reference)).toMatchObject({ status: 'booked', slotGranted: slot });
          await page.context().close();
        }
      } finally {
        await site.close();
      }
    },
  );

  it('asks for one time only', async () => {
    const prison = rules.get('CAI');
    const [first, second] = prison ? bookableSlots(prison, londonClock(new Date()).date) : [];
    const { firstName, lastName, dateOfBirth, number } = atInstant;
    const body = visitRequestBody({
      prisonId: 'CAI',
      prisoner: { firstName, lastName, dateOfBirth, number },
      slotOptions: [first, second],
    });
    const refused = await service.call('POST', '/api/visits', { body });
    expect([refused.status, refused.body.errors?.[0]]).toEqual([
      422,
      expect.objectContaining({ path: 'slotOptions', code: 'one_slot_only' }),
    ]);
  });
});

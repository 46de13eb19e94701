// Visits that follow the prisoner's record, on the real servers: each visitor checked against the prisoner's approved
// contacts and their restrictions, the prisoner's visiting orders used by a booking and given back by a cancellation
// (through the prisoner's ledger workflow), and changes to the record after a request (released, transferred) told
// by the prisoner service's events and by the daily re-check: a request waiting for staff rejected with the reason,
// a booked visit flagged for review until staff say "no change needed". The prison is the test's own.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { outbox } from '../activities/emails/outbox';
import { balanceOf, ledgerOf } from '../activities/readModel/visitingOrders';
import { anonymiseVisitsFinishedOn, visitsCollection } from '../activities/readModel/visits';
import { bookableSlots } from '../rules/calendar';
import { formatDate } from '../rules/dateWords';
import { addDays, londonClock } from '../rules/londonTime';
import type { PrisonerRecord } from '../rules/prisonerRecord';
import { RuleBook } from '../rules/ruleBook';
import { prisonerRecheck } from '../workflows/prisonerRecheck';
import { visitingOrdersWorkflowId, weekOf } from '../workflows/visitingOrders';
import { workflowId } from '../workflows/client';
import { fakePrisonerService, samplePrisoner } from './fakePrisonerService';
import { eventually, saveHistory, startTestService, visitRequestBody, type TestService } from './harness';

const ruleDir = mkdtempSync(join(tmpdir(), 'record-rules-'));
writeFileSync(
  join(ruleDir, 'records.yaml'),
  stringify({
    id: 'REC',
    name: 'HMP Records',
    phone: '0300 060 6098',
    calendar: {
      lead_days: 2,
      booking_window: 21,
      recurring: Object.fromEntries(
        ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((day) => [day, ['0900-1000', '1400-1500']]),
      ),
    },
  }),
);
const rules = new RuleBook(ruleDir);
const EVENTS_TOKEN = 'e'.repeat(40);
const renewsOn = addDays(londonClock(new Date()).date, 20);

let service: TestService;
let staff: string;

beforeAll(async () => {
  service = await startTestService('prisoner_record', { rules, prisonerEventsToken: EVENTS_TOKEN });
  staff = await service.staffToken('staff', ['REC']);
});
afterAll(async () => {
  rmSync(ruleDir, { recursive: true, force: true });
  await service?.close();
});

const slots = () => {
  const prison = rules.get('REC');
  if (!prison) throw new Error('HMP Records’ rule file was refused');
  return bookableSlots(prison, londonClock(new Date()).date);
};

const ada = { firstName: 'Ada', lastName: 'Wilde', dateOfBirth: '1985-01-01' };

/** A prisoner of the test's own at HMP Records, known to the prisoner service with these details. */
function prisonerWith(number: string, record: Partial<PrisonerRecord> = {}): PrisonerRecord {
  const prisoner: PrisonerRecord = { ...samplePrisoner, number, prisonId: 'REC', ...record };
  fakePrisonerService.records.set(number, prisoner);
  return prisoner;
}

/** Sends a request for the prisoner, with these visitors, asking for the `nth` slot; its reference. */
async function request(prisoner: PrisonerRecord, nth: number, visitors = [ada]): Promise<string> {
  const { firstName, lastName, dateOfBirth, number } = prisoner;
  const sent = await service.call('POST', '/api/visits', {
    body: visitRequestBody({
      prisonId: 'REC',
      prisoner: { firstName, lastName, dateOfBirth, number },
      visitors,
      slotOptions: [slots()[nth]],
    }),
  });
  expect(sent.status, JSON.stringify(sent.body)).toBe(201);
  return sent.body.reference as string;
}

const visitOf = async (reference: string) =>
  (await service.call('GET', `/api/staff/visits/${reference}`, { token: staff })).body;

/** The visit once its eligibility check is done (still requested, or rejected by it). */
const checked = (reference: string) =>
  eventually(async () => {
    const visit = await visitOf(reference);
    return visit.eligibility ? visit : undefined;
  });

const accept = (reference: string, slot: string) =>
  service.call('POST', `/api/staff/visits/${reference}/decision`, {
    token: staff,
    body: { outcome: 'accept', slot, referenceNo: 'REC-1' },
  });

async function bookedVisit(prisoner: PrisonerRecord, nth: number): Promise<string> {
  const reference = await request(prisoner, nth);
  const visit = await checked(reference);
  expect(visit.status).toBe('requested');
  const accepted = await accept(reference, visit.slotOptions[0]);
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  return reference;
}

const event = (body: Record<string, unknown>, token = EVENTS_TOKEN) =>
  service.call('POST', '/api/prisoner-events', { token, body: { occurredAt: new Date().toISOString(), ...body } });

describe('each visitor against the prisoner’s approved contacts', () => {
  it('refuses a banned lead visitor, saying until when, and tells them by e-mail', async () => {
    const prisoner = prisonerWith('R1001AA', {
      contacts: [{ id: 'c1', ...ada, approved: true, restrictions: [{ type: 'banned', until: '2031-06-30' }] }],
    });
    const reference = await request(prisoner, 0);
    const visit = await checked(reference);
    expect(visit.status).toBe('rejected');
    expect(visit.rejection.reasons).toEqual(['visitor_banned']);
    expect(visit.rejection.explanations.join(' ')).toContain('Ada Wilde is banned from visiting until 30 June 2031');
    const email = await eventually(
      async () => (await outbox(service.db).findOne({ _id: `${reference}.rejected` })) ?? undefined,
    );
    expect(email.text).toContain('30 June 2031');
  });

  it('keeps no name or date of birth from the contact check once the visit is anonymised', async () => {
    const prisoner = prisonerWith('R1003AA', {
      contacts: [
        { id: 'c3', ...ada, approved: true, restrictions: [{ type: 'banned', until: '2031-06-30' }] },
        { id: 'c4', firstName: 'Kit', lastName: 'Wilde', dateOfBirth: '1990-02-02', approved: true, restrictions: [] },
      ],
    });
    const kit = { firstName: 'Kitt', lastName: 'Wilde', dateOfBirth: '1990-02-02' };
    const reference = await request(prisoner, 0, [ada, kit]);
    const visit = await checked(reference);
    expect(JSON.stringify(visit)).toContain('Kitt');
    await anonymiseVisitsFinishedOn(service.db, londonClock(new Date()).date);
    const saved = await visitsCollection(service.db).findOne({ _id: reference });
    expect(saved?.anonymised).toBe(true);
    for (const personal of ['Ada', 'Kit', '1985-01-01', '1990-02-02'])
      expect(JSON.stringify(saved)).not.toContain(personal);
  });

  it('shows staff a near match with what differs, and leaves the request to them', async () => {
    const prisoner = prisonerWith('R1002AA', {
      contacts: [{ id: 'c2', ...ada, dateOfBirth: '1985-01-10', approved: true, restrictions: [] }],
    });
    const visit = await checked(await request(prisoner, 0));
    expect(visit.status).toBe('requested');
    expect(visit.eligibility.visitors).toEqual([
      expect.objectContaining({
        match: 'near',
        contactId: 'c2',
        differences: [{ field: 'dateOfBirth', given: '1985-01-01', onRecord: '1985-01-10' }],
      }),
    ]);
    const flag = visit.eligibility.flags.find((f: { flag: string }) => f.flag === 'visitor_near_match');
    expect(flag.explanation).toContain('1985-01-10');
  });
});

describe('the prisoner’s visiting orders', () => {
  it('refuses a request when none are left, saying when new ones are issued', async () => {
    const prisoner = prisonerWith('R2001AA', { visitingOrders: { balance: 0, renewsOn } });
    const visit = await checked(await request(prisoner, 0));
    expect(visit.status).toBe('rejected');
    expect(visit.rejection).toMatchObject({ reasons: ['no_allowance'], allowanceRenewsOn: renewsOn });
    expect(visit.rejection.explanations.join(' ')).toMatch(/New ones are issued on \w+day \d+ \w+ \d{4}/);
  });

  it('uses one when a visit is booked, refuses a booking with none left, and a cancellation gives it back once', async () => {
    const prisoner = prisonerWith('R2002AA', { visitingOrders: { balance: 1, renewsOn } });
    // Both asked while one order was left; by the second's booking, none is.
    const first = await request(prisoner, 0);
    const second = await request(prisoner, 1);
    const [one, two] = [await checked(first), await checked(second)];
    expect([one.status, two.status]).toEqual(['requested', 'requested']);
    expect((await accept(first, one.slotOptions[0])).status).toBe(200);
    await eventually(async () => (await balanceOf(service.db, prisoner.number))?.balance === 0 || undefined);
    expect((await visitOf(first)).visitingOrder).toBe('used');

    const refused = await accept(second, two.slotOptions[0]);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('no_visiting_order');
    expect((await visitOf(second)).status).toBe('requested');

    const cancelled = await service.call('POST', `/api/staff/visits/${first}/cancel`, {
      token: staff,
      body: { reasons: ['prisoner_cancelled'] },
    });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.visitingOrder).toBe('given_back');
    const again = await service.call('POST', `/api/staff/visits/${first}/cancel`, {
      token: staff,
      body: { reasons: ['prisoner_cancelled'] },
    });
    expect(again.status).toBe(409);
    await eventually(async () => (await balanceOf(service.db, prisoner.number))?.balance === 1 || undefined);
    const kinds = (await ledgerOf(service.db, prisoner.number)).map(
      (entry) => `${entry.kind} ${entry.amount} ${entry.balance}`,
    );
    expect(kinds.sort()).toEqual(['given_back 1 1', 'issued 1 1', 'used -1 0'].sort());

    // Given back: the second can now be booked.
    expect((await accept(second, two.slotOptions[0])).status).toBe(200);
    await saveHistory(service.client, workflowId(first), 'visiting-order-given-back');
    await saveHistory(
      service.client,
      visitingOrdersWorkflowId(service.taskQueue, prisoner.number),
      'visiting-orders-ledger',
    );
  });
});

describe('a booker', () => {
  it('sees on “Your visits” how many visiting orders the prisoner has left and when new ones come', async () => {
    const prisoner = prisonerWith('R2004AA', { visitingOrders: { balance: 2, renewsOn } });
    const address = 'orders@booker.test';
    const asked = await service.call('POST', '/api/booker/sign-in', { body: { email: address } });
    expect(asked.status).toBe(202);
    const mail = await eventually(async () =>
      service.mail.messages.find((m) => JSON.stringify(m.to ?? '').includes(address)),
    );
    const code = /\/account\/sign-in\/([\w-]+)/.exec(mail.text ?? '')?.[1];
    const session = await service.call('POST', '/api/booker/session', { body: { code } });
    const token = session.body.token as string;
    const linked = await service.call('POST', '/api/booker/prisoners', {
      token,
      body: { number: prisoner.number, dateOfBirth: prisoner.dateOfBirth },
    });
    expect(linked.status, JSON.stringify(linked.body)).toBe(201);
    const page = async () =>
      (await service.app.request('/account', { headers: { Cookie: `pvb_booker=${token}` } })).text();
    expect(await page()).not.toContain('Visiting orders left');

    await bookedVisit(prisoner, 3);
    const words = formatDate(renewsOn, 'en', { weekday: false });
    expect(
      await eventually(async () => ((await page()).includes('Visiting orders left: 1.') ? page() : undefined)),
    ).toContain(`New ones are issued on ${words}.`);
  });
});

describe('a prisoner’s visiting orders through the API', () => {
  it('are seen by staff of a prison where the prisoner has an open visit, adjusted only by the prison that holds them', async () => {
    const prisoner = prisonerWith('R2005AA', { prisonId: 'NGT', visitingOrders: { balance: 2, renewsOn } });
    await request(prisoner, 6);
    const seen = await service.call('GET', `/api/staff/prisoners/${prisoner.number}/visiting-orders`, { token: staff });
    expect(seen.status, JSON.stringify(seen.body)).toBe(200);
    expect(seen.body).toMatchObject({ prisonerNumber: prisoner.number, balance: 2, renewsOn, mayAdjust: false });
    const adjusted = await service.call('POST', `/api/staff/prisoners/${prisoner.number}/visiting-orders/adjustments`, {
      token: staff,
      body: { amount: 1, reason: 'Extra for a family event' },
      headers: { 'Idempotency-Key': 'adjust-1' },
    });
    expect(adjusted.status).toBe(403);
    expect(adjusted.body.code).toBe('not_your_prisoner');
  });

  it('are adjusted once for one Idempotency-Key, and a number not shaped like one is refused naming it', async () => {
    const prisoner = prisonerWith('R2006AA', { visitingOrders: { balance: 2, renewsOn } });
    await request(prisoner, 7);
    const adjust = () =>
      service.call('POST', `/api/staff/prisoners/${prisoner.number}/visiting-orders/adjustments`, {
        token: staff,
        body: { amount: -1, reason: 'Used on a visit booked by phone' },
        headers: { 'Idempotency-Key': 'adjust-2' },
      });
    const first = await adjust();
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.balance).toBe(1);
    expect((await adjust()).body.balance).toBe(1);
    expect(first.body.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'adjusted', amount: -1, reason: 'Used on a visit booked by phone' }),
      ]),
    );
    const bad = await service.call('GET', '/api/staff/prisoners/..%2F..%2Fadmin/visiting-orders', { token: staff });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'number', code: 'invalid_prison_number' })]);
  });
});

describe('a remand prisoner', () => {
  it('uses no orders but may have three visits a week; a cancellation, or a move to another week, frees a place', async () => {
    const prisoner = prisonerWith('R2003AA', { legalStatus: 'remand', visitingOrders: { balance: 0, renewsOn } });
    const byWeek = new Map<string, string[]>();
    for (const slot of slots())
      byWeek.set(weekOf(slot.slice(0, 10)), [...(byWeek.get(weekOf(slot.slice(0, 10))) ?? []), slot]);
    const week = [...byWeek.values()].find((weekSlots) => weekSlots.length >= 5);
    if (!week) throw new Error('no week with five slots in the booking window');
    const references = [];
    for (const slot of week.slice(0, 4)) references.push(await request(prisoner, slots().indexOf(slot)));
    for (const reference of references) expect((await checked(reference)).status).toBe('requested');
    for (const [i, reference] of references.slice(0, 3).entries()) {
      expect((await accept(reference, week[i])).status).toBe(200);
    }
    const fourth = await accept(references[3], week[3]);
    expect(fourth.status).toBe(409);
    expect(fourth.body.code).toBe('no_visiting_order');
    await service.call('POST', `/api/staff/visits/${references[0]}/cancel`, {
      token: staff,
      body: { reasons: ['prisoner_cancelled'] },
    });
    expect((await accept(references[3], week[3])).status).toBe(200);

    // A visit moved by staff into a full week is refused; one moved out frees its week.
    const other = [...byWeek.values()].find((weekSlots) => weekSlots !== week && weekSlots.length >= 2);
    if (!other) throw new Error('no second week in the booking window');
    const moving = await request(prisoner, slots().indexOf(other[0]));
    await checked(moving);
    expect((await accept(moving, other[0])).status).toBe(200);
    const change = (reference: string, slot: string) =>
      service.call('POST', `/api/staff/visits/${reference}/change`, { token: staff, body: { slot } });
    const intoFull = await change(moving, week[4]);
    expect(intoFull.status, JSON.stringify(intoFull.body)).toBe(409);
    expect(intoFull.body.code).toBe('no_visiting_order');
    expect((await visitOf(moving)).slotGranted).toBe(other[0]);
    expect((await change(references[1], other[1])).status).toBe(200);
    expect((await change(moving, week[4])).status).toBe(200);
    await saveHistory(service.client, workflowId(moving), 'remand-visit-moved');
  });
});

describe('changes to the prisoner’s record after a request', () => {
  it('a transfer event rejects the request waiting for staff and flags the booked visit, once', async () => {
    const prisoner = prisonerWith('R3001AA');
    const booked = await bookedVisit(prisoner, 0);
    const waiting = await request(prisoner, 1);
    await checked(waiting);

    expect(
      (await event({ kind: 'transferred', prisonerNumber: prisoner.number, toPrisonId: 'NGT' }, 'x'.repeat(40))).status,
    ).toBe(401);
    const told = await event({ kind: 'transferred', prisonerNumber: prisoner.number, toPrisonId: 'NGT' });
    expect(told.status, JSON.stringify(told.body)).toBe(202);
    expect(told.body.visits.map((v: { reference: string }) => v.reference).sort()).toEqual([booked, waiting].sort());

    const rejected = await visitOf(waiting);
    expect(rejected.status).toBe('rejected');
    expect(rejected.rejection).toMatchObject({ reasons: ['prisoner_moved'], auto: true });
    expect(rejected.rejection.explanations).toEqual(['The prisoner has moved to another prison.']);
    await eventually(async () => (await outbox(service.db).findOne({ _id: `${waiting}.rejected` })) ?? undefined);

    const flagged = await visitOf(booked);
    expect(flagged.status).toBe('booked');
    expect(flagged.needsReview).toBe(true);
    expect(flagged.reviews).toEqual([
      expect.objectContaining({ changes: [expect.objectContaining({ kind: 'transferred', source: 'event' })] }),
    ]);
    const list = await service.call('GET', '/api/staff/prisons/REC/review', { token: staff });
    expect(list.body.visits.map((v: { reference: string }) => v.reference)).toContain(booked);

    // The same change again changes nothing.
    await event({ kind: 'transferred', prisonerNumber: prisoner.number, toPrisonId: 'NGT' });
    expect((await visitOf(booked)).version).toBe(flagged.version);
    await saveHistory(service.client, workflowId(waiting), 'rejected-by-prisoner-change');
  });

  it('“no change needed” clears the flag, recorded with who and when, and the same change does not raise it again', async () => {
    const prisoner = prisonerWith('R3002AA');
    const booked = await bookedVisit(prisoner, 0);
    await event({
      kind: 'alert_added',
      prisonerNumber: prisoner.number,
      alert: { code: 'XA', description: 'Arsonist' },
    });
    expect((await visitOf(booked)).needsReview).toBe(true);

    const cleared = await service.call('POST', `/api/staff/visits/${booked}/no-change-needed`, { token: staff });
    expect(cleared.status, JSON.stringify(cleared.body)).toBe(200);
    expect(cleared.body.needsReview).toBe(false);
    expect(cleared.body.reviews[0].closed).toMatchObject({
      outcome: 'no_change_needed',
      by: expect.stringMatching(/@/),
    });
    expect(Date.parse(cleared.body.reviews[0].closed.at)).toBeGreaterThan(Date.now() - 60_000);
    const list = await service.call('GET', '/api/staff/prisons/REC/review', { token: staff });
    expect(list.body.visits.map((v: { reference: string }) => v.reference)).not.toContain(booked);
    expect((await service.call('POST', `/api/staff/visits/${booked}/no-change-needed`, { token: staff })).status).toBe(
      409,
    );

    await event({
      kind: 'alert_added',
      prisonerNumber: prisoner.number,
      alert: { code: 'XA', description: 'Arsonist' },
    });
    expect((await visitOf(booked)).needsReview).toBe(false);
    await saveHistory(service.client, workflowId(booked), 'review-no-change-needed');
  });

  it('a request flagged by one change and rejected by a later one leaves the “needs review” list', async () => {
    const prisoner = prisonerWith('R3004AA');
    const waiting = await request(prisoner, 4);
    await checked(waiting);
    await event({
      kind: 'alert_added',
      prisonerNumber: prisoner.number,
      alert: { code: 'XB', description: 'Escape risk' },
    });
    expect((await visitOf(waiting)).needsReview).toBe(true);
    await event({ kind: 'released', prisonerNumber: prisoner.number });
    const rejected = await visitOf(waiting);
    expect(rejected.status).toBe('rejected');
    expect(rejected.needsReview).toBe(false);
    const list = await service.call('GET', '/api/staff/prisons/REC/review', { token: staff });
    expect(list.body.visits.map((v: { reference: string }) => v.reference)).not.toContain(waiting);
  });

  it('the daily re-check does not take a prison the record already gave at the request for a move', async () => {
    const prisoner = prisonerWith('R3005AA', { prisonId: 'NGT' });
    const waiting = await request(prisoner, 5);
    expect((await checked(waiting)).eligibility.flags.map((f: { flag: string }) => f.flag)).toContain(
      'prisoner_at_another_prison',
    );
    await service.client.workflow.execute(prisonerRecheck, {
      workflowId: `recheck-${waiting}`,
      taskQueue: service.taskQueue,
    });
    expect((await visitOf(waiting)).status).toBe('requested');
  });

  it('the daily re-check finds a release in the record and rejects the request waiting for staff', async () => {
    const prisoner = prisonerWith('R3003AA');
    const waiting = await request(prisoner, 2);
    await checked(waiting);
    prisonerWith(prisoner.number, { status: 'released' });
    await service.client.workflow.execute(prisonerRecheck, {
      workflowId: `recheck-${waiting}`,
      taskQueue: service.taskQueue,
    });
    const visit = await visitOf(waiting);
    expect(visit.status).toBe('rejected');
    expect(visit.rejection).toMatchObject({ reasons: ['prisoner_released'] });
  });
});

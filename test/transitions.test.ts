// Every transition of a visit through HTTP, with its refusals, races, slot capacity and the e-mails it sends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visitsCollection } from '../activities/readModel/visits';
import { ensureSchedules, RECHECK_SCHEDULE_ID, RETENTION_SCHEDULE_ID } from '../scripts/schedules';
import { samplePrisoner, fakePrisonerService } from './fakePrisonerService';
import { eventually, slotsAt, startTestService, visitRequestBody, type TestService } from './harness';

let service: TestService;
let staff: string;

beforeAll(async () => {
  service = await startTestService('transitions');
  staff = await service.staffToken('staff', ['NGT', 'SLT']);
  fakePrisonerService.records.set(samplePrisoner.number, samplePrisoner);
});
afterAll(() => service.close());

async function submit(overrides: Record<string, unknown> = {}) {
  const response = await service.call('POST', '/api/visits', { body: visitRequestBody(overrides) });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { reference: string; accessToken: string; statusUrl: string };
}

const decide = (reference: string, body: unknown) =>
  service.call('POST', `/api/staff/visits/${reference}/decision`, { token: staff, body });

async function booked(overrides: Record<string, unknown> = {}) {
  const submitted = await submit(overrides);
  const slot = (overrides.slotOptions as string[] | undefined)?.[0] ?? visitRequestBody().slotOptions[0];
  const response = await decide(submitted.reference, { outcome: 'accept', slot, referenceNo: 'NG-1' });
  expect(response.body.status).toBe('booked');
  return submitted;
}

/** The e-mails the sink has received about a visit. */
const mailsAbout = (reference: string) =>
  service.mail.messages.filter((m) => `${m.subject} ${m.text}`.includes(reference));

describe('staff cancel a booked visit', () => {
  it('with reasons: the visitor sees it cancelled and is told why', async () => {
    const submitted = await booked();
    const response = await service.call('POST', `/api/staff/visits/${submitted.reference}/cancel`, {
      token: staff,
      body: { reasons: ['prisoner_moved', 'capacity_issues'] },
    });
    expect(response.status).toBe(200);
    const seen = await service.call('GET', submitted.statusUrl, { token: submitted.accessToken });
    expect(seen.body).toMatchObject({
      status: 'cancelled',
      cancellation: { reasons: ['prisoner_moved', 'capacity_issues'], by: 'staff' },
      canCancel: false,
    });
    const mail = await eventually(async () =>
      mailsAbout(submitted.reference).find((m) => /cancelled/.test(m.subject ?? '')),
    );
    expect(mail.text).toContain('the visits hall is full');
  });

  it('but not a requested one, nor without a reason', async () => {
    const submitted = await submit();
    const path = `/api/staff/visits/${submitted.reference}/cancel`;
    const early = await service.call('POST', path, { token: staff, body: { reasons: ['prisoner_moved'] } });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('not_cancellable');
    const empty = await service.call('POST', path, { token: staff, body: { reasons: [] } });
    expect(empty.status).toBe(422);
    expect(empty.body.errors[0]).toMatchObject({ path: 'reasons', code: 'required' });
  });
});

describe('a visitor cancels a booked visit', () => {
  it('and it waits in the queue until staff confirm it is done in their records', async () => {
    const submitted = await booked();
    await service.call('DELETE', submitted.statusUrl, { token: submitted.accessToken });
    const inQueue = async () =>
      (await service.call('GET', '/api/staff/queue?prisonId=NGT', { token: staff })).body.cancellations.map(
        (v: { reference: string }) => v.reference,
      );
    expect(await inQueue()).toContain(submitted.reference);
    const confirmed = await service.call('POST', `/api/staff/visits/${submitted.reference}/cancellation-confirmed`, {
      token: staff,
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.cancellationConfirmed).toBe(true);
    expect(await inQueue()).not.toContain(submitted.reference);
  });

  it('but staff cannot confirm a cancellation that is not a visitor’s', async () => {
    const submitted = await booked();
    const response = await service.call('POST', `/api/staff/visits/${submitted.reference}/cancellation-confirmed`, {
      token: staff,
    });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('not_a_visitor_cancellation');
  });
});

describe('keys and repeats', () => {
  it('scope an Idempotency-Key to its command: a message and then a cancellation with one key both happen', async () => {
    const submitted = await booked();
    const headers = { 'Idempotency-Key': 'one-key' };
    const path = `/api/staff/visits/${submitted.reference}`;
    expect(
      (await service.call('POST', `${path}/messages`, { token: staff, headers, body: { body: 'Hi' } })).status,
    ).toBe(201);
    const cancel = await service.call('POST', `${path}/cancel`, {
      token: staff,
      headers,
      body: { reasons: ['booked_in_error'] },
    });
    expect(cancel.body.status).toBe('cancelled');
  });

  it('answer two withdrawals at once both with 200', async () => {
    const submitted = await submit();
    const [first, second] = await Promise.all([
      service.call('DELETE', submitted.statusUrl, { token: submitted.accessToken }),
      service.call('DELETE', submitted.statusUrl, { token: submitted.accessToken }),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body.status).toBe('withdrawn');
  });

  it('answer 404, not 500, for a visit whose personal data has been removed', async () => {
    const submitted = await submit();
    await visitsCollection(service.db).updateOne({ _id: submitted.reference }, { $set: { accessTokenHash: '' } });
    expect((await service.call('GET', submitted.statusUrl, { token: submitted.accessToken })).status).toBe(404);
  });
});

describe('staff messages', () => {
  it('reach the visitor of a booked visit by e-mail, and are kept on the visit', async () => {
    const submitted = await booked();
    const response = await service.call('POST', `/api/staff/visits/${submitted.reference}/messages`, {
      token: staff,
      body: { body: 'Please arrive by 1.30pm <b>sharp</b>.' },
    });
    expect(response.status).toBe(201);
    expect(response.body.messages).toEqual([
      expect.objectContaining({ body: 'Please arrive by 1.30pm <b>sharp</b>.' }),
    ]);
    const mail = await eventually(async () =>
      mailsAbout(submitted.reference).find((m) => /message/.test(m.subject ?? '')),
    );
    expect(mail.text).toContain('Please arrive by 1.30pm <b>sharp</b>.');
    expect(mail.html).toContain('&lt;b&gt;sharp&lt;/b&gt;');
  });

  it('are refused for a requested visit', async () => {
    const submitted = await submit();
    const response = await service.call('POST', `/api/staff/visits/${submitted.reference}/messages`, {
      token: staff,
      body: { body: 'Hello' },
    });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('not_booked');
  });
});

describe('decisions', () => {
  it('reject automatically when every visitor is not on the contact list', async () => {
    const adult = { firstName: 'Other', lastName: 'Visitor', dateOfBirth: '1980-01-01' };
    const submitted = await submit({ visitors: [visitRequestBody().visitors[0], adult] });
    const { body } = await decide(submitted.reference, {
      outcome: 'accept',
      slot: visitRequestBody().slotOptions[0],
      referenceNo: 'X',
      visitors: [
        { index: 0, status: 'not_on_list' },
        { index: 1, status: 'not_on_list' },
      ],
    });
    expect(body).toMatchObject({ status: 'rejected', rejection: { reasons: ['visitor_not_on_list'], auto: true } });
  });

  it('book the others when one visitor is banned, and the e-mail says who cannot come', async () => {
    const child = { firstName: 'Banned', lastName: 'Visitor', dateOfBirth: '2015-01-01' };
    const submitted = await submit({ visitors: [visitRequestBody().visitors[0], child] });
    const { body } = await decide(submitted.reference, {
      outcome: 'accept',
      slot: visitRequestBody().slotOptions[0],
      referenceNo: 'X',
      visitors: [{ index: 1, status: 'banned', bannedUntil: '2027-01-01' }],
    });
    expect(body.status).toBe('booked');
    expect(body.visitors[1]).toMatchObject({ outcome: 'banned', bannedUntil: '2027-01-01' });
    const seen = await service.call('GET', submitted.statusUrl, { token: submitted.accessToken });
    expect(seen.body.visitors.map((v: { allowed: boolean }) => v.allowed)).toEqual([true, false]);
    const mail = await eventually(async () =>
      mailsAbout(submitted.reference).find((m) => /booked/.test(m.subject ?? '')),
    );
    expect(mail.text).toContain('Banned Visitor: cannot visit (banned)');
  });

  it('keep the renewal date of a no_allowance rejection and tell the visitor', async () => {
    const submitted = await submit();
    const { body } = await decide(submitted.reference, {
      outcome: 'reject',
      reasons: ['no_allowance'],
      allowanceRenewsOn: '2027-02-01',
    });
    expect(body.rejection).toMatchObject({ reasons: ['no_allowance'], allowanceRenewsOn: '2027-02-01' });
    const mail = await eventually(async () =>
      mailsAbout(submitted.reference).find((m) => /not booked/.test(m.subject ?? '')),
    );
    expect(mail.text).toContain('Monday 1 February 2027');
  });

  it('of 20 staff accepting at once: exactly one wins, the rest hear already_processed', async () => {
    const submitted = await submit();
    const slot = visitRequestBody().slotOptions[0];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        decide(submitted.reference, { outcome: 'accept', slot, referenceNo: `R${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const refused = results.filter((r) => r.status === 409);
    expect(refused).toHaveLength(19);
    for (const r of refused) expect(r.body.code).toBe('already_processed');
  });

  it('never book a slot beyond its capacity, however many accepts race', async () => {
    // HMP Saltmarsh's slots hold 2 open visits.
    const slot = slotsAt('SLT').find((s) => s.endsWith('14:00/15:30'));
    const requests = [];
    for (let i = 0; i < 5; i++) requests.push(await submit({ prisonId: 'SLT', slotOptions: [slot] }));
    const results = await Promise.all(
      requests.map((r) => decide(r.reference, { outcome: 'accept', slot, referenceNo: 'SLT' })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(2);
    const refused = results.filter((r) => r.status === 409);
    expect(refused).toHaveLength(3);
    for (const r of refused) expect(r.body.code).toBe('slot_full');

    // A cancellation gives its place back.
    const winner = requests[results.findIndex((r) => r.status === 200)];
    await service.call('DELETE', winner.statusUrl, { token: winner.accessToken });
    const loser = requests[results.findIndex((r) => r.status === 409)];
    expect((await decide(loser.reference, { outcome: 'accept', slot, referenceNo: 'SLT' })).status).toBe(200);
  });
});

describe('e-mails', () => {
  it('tell the visitor the request was received, with the confirm-by date and a private status link', async () => {
    const submitted = await submit();
    const mail = await eventually(async () =>
      mailsAbout(submitted.reference).find((m) => /received/.test(m.subject ?? '')),
    );
    expect(mail.to).toMatchObject({ text: 'ada@example.com' });
    // The link's one-time code (43 characters of base64url), never the access token (test/visitLinks.test.ts).
    expect(mail.text).toMatch(new RegExp(`http://visits\\.test/visits/${submitted.reference}\\?token=[\\w-]{43}\\s`));
    expect(mail.text).not.toContain(submitted.accessToken);
    expect(mail.html).toContain('<h1');
    expect(mail.messageId).toBe(`<${submitted.reference}.received@visits.test>`);
  });

  it('are in Welsh for a request made in Welsh', async () => {
    const submitted = await submit({ locale: 'cy', prisonId: 'AFL', slotOptions: slotsAt('AFL').slice(0, 1) });
    const mail = await eventually(async () => mailsAbout(submitted.reference)[0]);
    expect(mail.subject).toMatch(/^Cais am ymweliad wedi dod i law: CEM Afon Las/);
    expect(mail.text).toMatch(/Bydd y carchar yn dweud wrthych erbyn Dydd \w+ \d+ \w+ \d{4} a yw/);
    expect(mail.text).toContain('dydd Llun i ddydd Gwener, 10am i 3pm');
  });
});

describe('search', () => {
  it('finds visits by prison number or reference, only at the user’s prisons', async () => {
    const submitted = await submit();
    const byNumber = await service.call('GET', '/api/staff/search?q=a1234%20bc', { token: staff });
    expect(byNumber.body.visits.map((v: { reference: string }) => v.reference)).toContain(submitted.reference);
    const byReference = await service.call('GET', `/api/staff/search?q=${submitted.reference}`, { token: staff });
    expect(byReference.body.visits).toHaveLength(1);
    const other = await service.staffToken('staff', ['WMR']);
    expect(
      (await service.call('GET', `/api/staff/search?q=${submitted.reference}`, { token: other })).body.visits,
    ).toEqual([]);
    expect((await service.call('GET', '/api/staff/search?q=x', { token: staff })).status).toBe(422);
  });
});

describe('retention', () => {
  it('runs on a Temporal Schedule, once a day, created once however often workers start', async () => {
    const config = { temporal: { taskQueue: service.taskQueue } };
    await ensureSchedules(service.client, config);
    await ensureSchedules(service.client, config);
    const schedule = await service.client.schedule.getHandle(RETENTION_SCHEDULE_ID).describe();
    expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retention' });
    expect(schedule.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 3, end: 3, step: 1 }] });
    // And the daily re-check of open visits' prisoner records (decision 0019).
    const recheck = await service.client.schedule.getHandle(RECHECK_SCHEDULE_ID).describe();
    expect(recheck.action).toMatchObject({ type: 'startWorkflow', workflowType: 'prisonerRecheck' });
    expect(recheck.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 5, end: 5, step: 1 }] });
  });
});

// The walking skeleton through HTTP: a visit request goes through the API, the workflow on the real Temporal
// server, the activity and the read model in FerretDB, and back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveStaffAccount } from '../api/staffAccounts';
import { saveHistory, slotsAt, startTestService, visitRequestBody, type TestService } from './harness';

let service: TestService;
let staff: string;

beforeAll(async () => {
  service = await startTestService('visits');
  staff = await service.staffToken('staff', ['NGT']);
});
afterAll(() => service.close());

async function submit(overrides: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const response = await service.call('POST', '/api/visits', { body: visitRequestBody(overrides), headers });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { reference: string; accessToken: string; confirmBy: string; statusUrl: string };
}

describe('a visitor asks for a visit', () => {
  it('answers 201 with a reference, an access token and the confirm-by date, and the visit is requested', async () => {
    const submitted = await submit();
    expect(submitted.reference).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(Buffer.from(submitted.accessToken, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(submitted.statusUrl).toBe(`/api/visits/${submitted.reference}`);

    const { status, body } = await service.call('GET', submitted.statusUrl, { token: submitted.accessToken });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      reference: submitted.reference,
      prisonId: 'NGT',
      status: 'requested',
      confirmBy: submitted.confirmBy,
      canWithdraw: true,
      canCancel: false,
      visitors: [{ firstName: 'Ada', lastName: 'Wilde' }],
    });
    expect(body.timeline).toEqual([{ status: 'requested', at: expect.any(String), by: 'visitor' }]);
    expect(body).not.toHaveProperty('contact');
  });

  it('stores the prison number in capitals without spaces', async () => {
    const submitted = await submit({
      prisoner: { firstName: 'Oscar', lastName: 'Wilde', dateOfBirth: '1980-10-16', number: ' a1234 bc ' },
    });
    const { body } = await service.call('GET', `/api/staff/visits/${submitted.reference}`, { token: staff });
    expect(body.prisoner.number).toBe('A1234BC');
  });

  it('makes one visit of two submissions with the same Idempotency-Key and body', async () => {
    const key = `key-${Math.random()}`;
    const first = await submit({}, { 'Idempotency-Key': key });
    const second = await submit({}, { 'Idempotency-Key': key });
    expect(second).toEqual(first);
    const queue = await service.call('GET', '/api/staff/queue?prisonId=NGT', { token: staff });
    expect(queue.body.requested.filter((v: { reference: string }) => v.reference === first.reference)).toHaveLength(1);
  });

  it('makes one visit when the same Idempotency-Key arrives twice at once', async () => {
    const key = `key-${Math.random()}`;
    const [first, second] = await Promise.all([
      submit({}, { 'Idempotency-Key': key }),
      submit({}, { 'Idempotency-Key': key }),
    ]);
    expect(second.reference).toBe(first.reference);
    expect(second.accessToken).toBe(first.accessToken);
  });

  it('refuses the same Idempotency-Key with a different body', async () => {
    const key = `key-${Math.random()}`;
    await submit({}, { 'Idempotency-Key': key });
    const again = await service.call('POST', '/api/visits', {
      body: visitRequestBody({ slotOptions: slotsAt('NGT').slice(2, 3) }),
      headers: { 'Idempotency-Key': key },
    });
    expect(again.status).toBe(422);
    expect(again.body.errors).toEqual([
      expect.objectContaining({ path: 'Idempotency-Key', code: 'idempotency_key_reused' }),
    ]);
  });
});

describe('staff decide on a request', () => {
  it('lists the request in the queue of its prison, checked, and not in another prison’s', async () => {
    // A prisoner of its own (this file's other requests for A1234BC would flag many_recent_requests), whom the
    // prisoner service does not know: the queue shows the eligibility check's finding as soon as it lists him.
    const prisoner = { firstName: 'Oscar', lastName: 'Wilde', dateOfBirth: '1980-10-16', number: 'Q1234QQ' };
    const submitted = await submit({ prisoner });
    const queue = await service.call('GET', '/api/staff/queue?prisonId=NGT', { token: staff });
    expect(queue.status).toBe(200);
    const summary = queue.body.requested.find((v: { reference: string }) => v.reference === submitted.reference);
    expect(summary).toMatchObject({
      prisonId: 'NGT',
      status: 'requested',
      prisonerName: 'Oscar Wilde',
      confirmBy: submitted.confirmBy,
      overdue: false,
      flags: ['prisoner_not_found'],
    });
    const others = await service.staffToken('staff', ['WMR']);
    const theirs = await service.call('GET', '/api/staff/queue', { token: others });
    expect(theirs.body.requested.map((v: { reference: string }) => v.reference)).not.toContain(submitted.reference);
    expect((await service.call('GET', '/api/staff/queue?prisonId=NGT', { token: others })).status).toBe(403);
  });

  it('books the visit on accept, and answers a second accept with 409 already_processed', async () => {
    const submitted = await submit();
    const [slot] = visitRequestBody().slotOptions;
    const decision = { outcome: 'accept', slot, referenceNo: 'NG-123', closed: true };
    const accepted = await service.call('POST', `/api/staff/visits/${submitted.reference}/decision`, {
      token: staff,
      body: decision,
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'booked', slotGranted: slot, referenceNo: 'NG-123', closed: true });

    const seen = await service.call('GET', submitted.statusUrl, { token: submitted.accessToken });
    expect(seen.body).toMatchObject({ status: 'booked', slotGranted: slot, closed: true, canCancel: true });
    expect(seen.body.timeline.map((t: { status: string; by: string }) => [t.status, t.by])).toEqual([
      ['requested', 'visitor'],
      ['booked', 'staff'],
    ]);

    const again = await service.call('POST', `/api/staff/visits/${submitted.reference}/decision`, {
      token: staff,
      body: decision,
    });
    expect(again.status).toBe(409);
    expect(again.headers.get('Content-Type')).toBe('application/problem+json');
    expect(again.body.code).toBe('already_processed');
    await saveHistory(service.client, `visit-${submitted.reference}`, 'submitted-and-booked-on-dev-server');
  });

  it('lets exactly one of two staff deciding at once win', async () => {
    const submitted = await submit();
    const [slot] = visitRequestBody().slotOptions;
    const path = `/api/staff/visits/${submitted.reference}/decision`;
    const results = await Promise.all([
      service.call('POST', path, { token: staff, body: { outcome: 'accept', slot, referenceNo: 'A' } }),
      service.call('POST', path, { token: staff, body: { outcome: 'reject', reasons: ['no_allowance'] } }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('rejects with reasons, and the visitor sees them', async () => {
    const submitted = await submit();
    const rejected = await service.call('POST', `/api/staff/visits/${submitted.reference}/decision`, {
      token: staff,
      body: { outcome: 'reject', reasons: ['other'], detail: 'staff-only detail' },
    });
    expect(rejected.status).toBe(200);
    const seen = await service.call('GET', submitted.statusUrl, { token: submitted.accessToken });
    expect(seen.body).toMatchObject({ status: 'rejected', rejection: { reasons: ['other'], auto: false } });
    expect(JSON.stringify(seen.body)).not.toContain('staff-only detail');
  });

  it('rejects automatically when the lead visitor is banned', async () => {
    const submitted = await submit();
    const [slot] = visitRequestBody().slotOptions;
    const { body } = await service.call('POST', `/api/staff/visits/${submitted.reference}/decision`, {
      token: staff,
      body: { outcome: 'accept', slot, referenceNo: 'X', visitors: [{ index: 0, status: 'banned' }] },
    });
    expect(body).toMatchObject({ status: 'rejected', rejection: { reasons: ['visitor_banned'], auto: true } });
  });

  it('refuses a slot the visitor did not ask for, naming the field', async () => {
    const submitted = await submit();
    const { status, body } = await service.call('POST', `/api/staff/visits/${submitted.reference}/decision`, {
      token: staff,
      body: { outcome: 'accept', slot: slotsAt('NGT').at(-1), referenceNo: 'X' },
    });
    expect(status).toBe(422);
    expect(body.errors).toEqual([expect.objectContaining({ path: 'slot', code: 'slot_not_requested' })]);
  });

  it('refuses `other` without its detail, and accept and reject together', async () => {
    const submitted = await submit();
    const path = `/api/staff/visits/${submitted.reference}/decision`;
    const noDetail = await service.call('POST', path, {
      token: staff,
      body: { outcome: 'reject', reasons: ['other'] },
    });
    expect(noDetail.status).toBe(422);
    expect(noDetail.body.errors).toEqual([expect.objectContaining({ path: 'detail', code: 'detail_required' })]);
    const both = await service.call('POST', path, { token: staff, body: { outcome: 'both', reasons: ['other'] } });
    expect(both.status).toBe(422);
  });

  it('hides another prison’s visit behind a 404, and does not let the policy role decide', async () => {
    const submitted = await submit();
    const others = await service.staffToken('staff', ['WMR']);
    const path = `/api/staff/visits/${submitted.reference}`;
    expect((await service.call('GET', path, { token: others })).status).toBe(404);
    const body = { outcome: 'reject', reasons: ['no_allowance'] };
    expect((await service.call('POST', `${path}/decision`, { token: others, body })).status).toBe(404);
    const policy = await service.staffToken('policy', ['NGT']);
    expect((await service.call('POST', `${path}/decision`, { token: policy, body })).status).toBe(403);
    const admin = await service.staffToken('admin', []);
    expect((await service.call('GET', path, { token: admin })).status).toBe(200);
  });

  it('takes the bearer token only: the session cookie alone cannot act (no cross-site requests)', async () => {
    const submitted = await submit();
    const cookie = `pvb_session=${staff}`;
    const path = `/api/staff/visits/${submitted.reference}/cancellation-confirmed`;
    expect((await service.call('POST', path, { headers: { Cookie: cookie } })).status).toBe(401);
    expect((await service.call('GET', '/api/staff/queue', { headers: { Cookie: cookie } })).status).toBe(401);
  });

  it('stops sign-in for an address after 5 wrong passwords, even with the right one, for 15 minutes', async () => {
    const email = 'guessed@test.example';
    await saveStaffAccount(service.db, { email, role: 'staff', prisons: ['NGT'], password: 'test-password-123' });
    const attempt = (password: string) => service.call('POST', '/api/staff/session', { body: { email, password } });
    for (let i = 0; i < 5; i++) expect((await attempt('wrong-password')).status).toBe(401);
    const locked = await attempt('test-password-123');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('Retry-After'))).toBeGreaterThan(800);
  });

  it('asks for sign-in without a valid token, and refuses a wrong password', async () => {
    expect((await service.call('GET', '/api/staff/queue')).status).toBe(401);
    expect((await service.call('GET', '/api/staff/queue', { token: 'forged.token' })).status).toBe(401);
    const wrong = await service.call('POST', '/api/staff/session', {
      body: { email: 'staff1@test.example', password: 'not-the-password' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('bad_credentials');
  });
});

describe('a visitor withdraws or cancels', () => {
  it('withdraws a requested visit, and a repeat changes nothing', async () => {
    const submitted = await submit();
    const first = await service.call('DELETE', submitted.statusUrl, { token: submitted.accessToken });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'withdrawn', canWithdraw: false });
    const again = await service.call('DELETE', submitted.statusUrl, { token: submitted.accessToken });
    expect(again.status).toBe(200);
    expect(again.body.timeline).toEqual(first.body.timeline);
    const [slot] = visitRequestBody().slotOptions;
    const accept = await service.call('POST', `/api/staff/visits/${submitted.reference}/decision`, {
      token: staff,
      body: { outcome: 'accept', slot, referenceNo: 'X' },
    });
    expect(accept.status).toBe(409);
    expect(accept.body.code).toBe('already_processed');
  });

  it('cancels a booked visit before it starts, and it waits in the queue as a cancellation to confirm', async () => {
    const submitted = await submit();
    const [slot] = visitRequestBody().slotOptions;
    await service.call('POST', `/api/staff/visits/${submitted.reference}/decision`, {
      token: staff,
      body: { outcome: 'accept', slot, referenceNo: 'X' },
    });
    const cancelled = await service.call('DELETE', submitted.statusUrl, { token: submitted.accessToken });
    expect(cancelled.body).toMatchObject({
      status: 'cancelled',
      cancellation: { reasons: ['visitor_cancelled'], by: 'visitor' },
    });
    const queue = await service.call('GET', '/api/staff/queue?prisonId=NGT', { token: staff });
    expect(queue.body.cancellations.map((v: { reference: string }) => v.reference)).toContain(submitted.reference);
  });

  // Found by schemathesis: the key was read only when a command ran, so a repeat took any key.
  it('refuses a malformed Idempotency-Key even when there is nothing left to do', async () => {
    const submitted = await submit();
    const [slot] = visitRequestBody().slotOptions;
    await service.call('POST', `/api/staff/visits/${submitted.reference}/decision`, {
      token: staff,
      body: { outcome: 'accept', slot, referenceNo: 'X' },
    });
    expect((await service.call('DELETE', submitted.statusUrl, { token: submitted.accessToken })).status).toBe(200);
    const confirm = `/api/staff/visits/${submitted.reference}/cancellation-confirmed`;
    expect((await service.call('POST', confirm, { token: staff })).status).toBe(200);

    const headers = { 'Idempotency-Key': 'two words' }; // a space is not a visible character
    const withdrawn = await service.call('DELETE', submitted.statusUrl, { token: submitted.accessToken, headers });
    const confirmed = await service.call('POST', confirm, { token: staff, headers });
    for (const { status, body } of [withdrawn, confirmed]) {
      expect(status).toBe(422);
      expect(body.errors).toEqual([expect.objectContaining({ path: 'Idempotency-Key', code: 'invalid_format' })]);
    }
  });

  it('cannot withdraw a rejected visit', async () => {
    const submitted = await submit();
    await service.call('POST', `/api/staff/visits/${submitted.reference}/decision`, {
      token: staff,
      body: { outcome: 'reject', reasons: ['prisoner_moved'] },
    });
    const response = await service.call('DELETE', submitted.statusUrl, { token: submitted.accessToken });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('not_cancellable');
  });
});

describe('what a client sends wrong', () => {
  it('answers malformed JSON with 400, and a body that is not JSON with 415', async () => {
    const malformed = await service.call('POST', '/api/visits', { body: '{"prisonId": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('Content-Type')).toBe('application/problem+json');
    const text = await service.call('POST', '/api/visits', { headers: { 'Content-Type': 'text/plain' } });
    expect(text.status).toBe(415);
  });

  it('answers missing and wrong fields with 422 naming each path', async () => {
    const { status, body } = await service.call('POST', '/api/visits', {
      body: {
        prisonId: 'NGT',
        prisoner: { firstName: '', lastName: 'W'.repeat(31), dateOfBirth: '1980-02-30', number: '1234' },
        visitors: [],
        slotOptions: ['tomorrow'],
        contact: { email: 'not-an-email', phone: '12' },
        extra: true,
      },
    });
    expect(status).toBe(422);
    const codes = Object.fromEntries(body.errors.map((e: { path: string; code: string }) => [e.path, e.code]));
    expect(codes).toEqual({
      'prisoner.firstName': 'required',
      'prisoner.lastName': 'name_too_long',
      'prisoner.dateOfBirth': 'invalid_date',
      'prisoner.number': 'invalid_prison_number',
      visitors: 'required',
      'slotOptions.0': 'invalid_slot',
      'contact.email': 'invalid_email',
      'contact.phone': 'invalid_phone',
      extra: 'unknown_field',
    });
    for (const error of body.errors) expect(error.message).toMatch(/\w/);
  });

  it('applies the prison’s rules: lead visitor age, adults, slots and bookable prisons', async () => {
    const child = { firstName: 'Kit', lastName: 'Wilde', dateOfBirth: '2020-01-01' };
    const adult = { firstName: 'Ada', lastName: 'Wilde', dateOfBirth: '1985-01-01' };
    const { status, body } = await service.call('POST', '/api/visits', {
      body: visitRequestBody({ visitors: [child, adult, adult, adult], slotOptions: ['2020-01-01T14:00/16:00'] }),
    });
    expect(status).toBe(422);
    const codes = body.errors.map((e: { path: string; code: string }) => `${e.path}:${e.code}`);
    expect(codes).toEqual(['visitors.0.dateOfBirth:lead_visitor_age', 'slotOptions.0:slot_unavailable']);

    const tooManyAdults = await service.call('POST', '/api/visits', {
      body: visitRequestBody({ visitors: [adult, adult, adult, adult] }),
    });
    expect(tooManyAdults.body.errors).toEqual([expect.objectContaining({ path: 'visitors', code: 'too_many_adults' })]);

    const unknown = await service.call('POST', '/api/visits', { body: visitRequestBody({ prisonId: 'XXX' }) });
    expect(unknown.body.errors).toEqual([expect.objectContaining({ path: 'prisonId', code: 'unknown_prison' })]);
  });

  it('answers an unknown reference with 404, no token with 401 and a wrong token with 404', async () => {
    const submitted = await submit();
    expect((await service.call('GET', '/api/visits/ZZZZZZZZ', { token: 'whatever' })).status).toBe(404);
    expect((await service.call('GET', submitted.statusUrl)).status).toBe(401);
    expect((await service.call('GET', submitted.statusUrl, { token: 'wrong' })).status).toBe(404);
    expect((await service.call('DELETE', submitted.statusUrl, { token: 'wrong' })).status).toBe(404);
  });

  it('answers a method an address does not take with 405, naming the ones it does', async () => {
    const response = await service.call('PUT', '/api/prisons');
    expect(response.status).toBe(405);
    expect(response.headers.get('Allow')).toBe('GET, HEAD');
    expect((await service.call('PATCH', '/api/visits/ABCDEFGH')).headers.get('Allow')).toBe('GET, DELETE, HEAD');
  });

  it('answers a body over the limit with 413 and an unknown path with 404, as problem+json', async () => {
    const big = await service.call('POST', '/api/visits', { body: JSON.stringify({ pad: 'x'.repeat(200_000) }) });
    expect(big.status).toBe(413);
    const nowhere = await service.call('GET', '/api/nowhere');
    expect(nowhere.status).toBe(404);
    expect(nowhere.headers.get('Content-Type')).toBe('application/problem+json');
  });
});

describe('prisons and slots', () => {
  it('lists the prisons with their limits', async () => {
    const { body } = await service.call('GET', '/api/prisons');
    expect(body.prisons.map((p: { id: string }) => p.id).sort()).toEqual(['AFL', 'HBK', 'NGT', 'RDG', 'SLT', 'WMR']);
    expect(body.prisons.find((p: { id: string }) => p.id === 'AFL')).toMatchObject({
      nameCy: 'CEM Afon Las',
      adultAge: 16,
      leadDays: 2,
      bookingWindowDays: 21,
    });
  });

  it('lists the slots bookable today, in order, after the confirm-by date', async () => {
    const { status, body } = await service.call('GET', '/api/prisons/NGT/slots');
    expect(status).toBe(200);
    expect(body.slots.length).toBeGreaterThan(0);
    expect([...body.slots].sort()).toEqual(body.slots);
    expect(body.slots[0].slice(0, 10) > body.confirmBy).toBe(true);
    expect((await service.call('GET', '/api/prisons/XXX/slots')).status).toBe(404);
  });
});

describe('health', () => {
  it('says ok with Temporal and MongoDB up', async () => {
    const { status, body } = await service.call('GET', '/health');
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok', temporal: 'up', mongo: 'up' });
  });
});

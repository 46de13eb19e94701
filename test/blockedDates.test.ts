// Staff block a date, or one session of it, at their own prison, through the API and the staff page, on the real
// servers: its times are no longer offered nor accepted in a request, the visits booked on it and the requests asking
// for it are flagged for review, and unblocking offers its times again. The prisons are the test's own, in a rule
// folder of their own, with two visiting times a day.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { auditCollection } from '../api/audit';
import { SESSION_COOKIE } from '../api/session';
import { visitsCollection } from '../activities/readModel/visits';
import { bookableSlots } from '../rules/calendar';
import { londonClock } from '../rules/londonTime';
import { RuleBook } from '../rules/ruleBook';
import { fakePrisonerService, samplePrisoner } from './fakePrisonerService';
import { eventually, PASSWORD, startTestService, visitRequestBody, type TestService } from './harness';
import { saveStaffAccount } from '../api/staffAccounts';

const MORNING = '09:00/10:00';
const AFTERNOON = '14:00/15:00';

const ruleDir = mkdtempSync(join(tmpdir(), 'blocked-rules-'));
for (const [id, name] of [
  ['BLK', 'HMP Blocked'],
  ['BLO', 'HMP Other'],
]) {
  writeFileSync(
    join(ruleDir, `${id.toLowerCase()}.yaml`),
    stringify({
      id,
      name,
      phone: '0300 060 6098',
      calendar: {
        lead_days: 2,
        booking_window: 14,
        recurring: Object.fromEntries(
          ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((day) => [day, ['0900-1000', '1400-1500']]),
        ),
      },
    }),
  );
}
const rules = new RuleBook(ruleDir);
const prisoners = {
  BLK: { ...samplePrisoner, number: 'B1111BK', prisonId: 'BLK' },
  BLO: { ...samplePrisoner, number: 'B2222BO', prisonId: 'BLO' },
};

let service: TestService;
let staff: string;
let otherStaff: string;

/** The bookable dates at HMP Blocked today; each test takes dates of its own. */
const dates = () => {
  const prison = rules.get('BLK');
  if (!prison) throw new Error('HMP Blocked’s rule file was refused');
  return [...new Set(bookableSlots(prison, londonClock(new Date()).date).map((slot) => slot.slice(0, 10)))];
};

beforeAll(async () => {
  service = await startTestService('blocked_dates', { rules });
  staff = await service.staffToken('staff', ['BLK']);
  otherStaff = await service.staffToken('staff', ['BLO']);
  for (const record of Object.values(prisoners)) fakePrisonerService.records.set(record.number, record);
});
afterAll(async () => {
  rmSync(ruleDir, { recursive: true, force: true });
  await service?.close();
});

/** A request at a prison for these slots, left waiting for staff; its reference. */
async function requested(prisonId: 'BLK' | 'BLO', slotOptions: string[]): Promise<string> {
  const { firstName, lastName, dateOfBirth, number } = prisoners[prisonId];
  const body = visitRequestBody({ prisonId, prisoner: { firstName, lastName, dateOfBirth, number }, slotOptions });
  const sent = await service.call('POST', '/api/visits', { body });
  expect(sent.status, JSON.stringify(sent.body)).toBe(201);
  return sent.body.reference as string;
}

/** A visit booked by staff into `slot`; its reference. */
async function bookedIn(prisonId: 'BLK' | 'BLO', slot: string): Promise<string> {
  const reference = await requested(prisonId, [slot]);
  const accepted = await service.call('POST', `/api/staff/visits/${reference}/decision`, {
    token: prisonId === 'BLK' ? staff : otherStaff,
    body: { outcome: 'accept', slot, referenceNo: `${prisonId}-1` },
  });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  return reference;
}

const visitDocument = async (reference: string) => visitsCollection(service.db).findOne({ _id: reference });

/** The visit's review flags once its read model shows a review; undefined until then. */
const flaggedBy = async (reference: string) => {
  const visit = await visitDocument(reference);
  return visit?.needsReview ? visit.reviews?.[0]?.changes : undefined;
};

const offered = async (prisonId: string) =>
  (await service.call('GET', `/api/prisons/${prisonId}/slots`)).body.slots as string[];

const block = (body: unknown, token = staff, prisonId = 'BLK') =>
  service.call('POST', `/api/staff/prisons/${prisonId}/blocked-dates`, { token, body });

const unblock = (date: string, session?: string, token = staff) =>
  service.call(
    'DELETE',
    `/api/staff/prisons/BLK/blocked-dates/${date}${session ? `?session=${encodeURIComponent(session)}` : ''}`,
    { token },
  );

describe('a date blocked by staff', () => {
  it('flags its booked visits and the requests asking for it, and removes its slots', async () => {
    const [day, nextDay] = dates();
    const [first, second] = [await bookedIn('BLK', `${day}T${MORNING}`), await bookedIn('BLK', `${day}T${AFTERNOON}`)];
    const [otherDay, otherPrison] = [
      await bookedIn('BLK', `${nextDay}T${MORNING}`),
      await bookedIn('BLO', `${day}T${MORNING}`),
    ];
    const asking = await requested('BLK', [`${day}T${AFTERNOON}`, `${nextDay}T${AFTERNOON}`]);
    const notAsking = await requested('BLK', [`${nextDay}T${MORNING}`]);
    expect(await offered('BLK')).toContain(`${day}T${MORNING}`);

    const blocked = await block({ date: day, reason: 'Staff training' });
    expect(blocked.status, JSON.stringify(blocked.body)).toBe(201);
    expect(blocked.body).toMatchObject({
      blockedDate: { prisonId: 'BLK', date: day, reason: 'Staff training', by: 'staff1@test.example' },
      created: true,
      flagged: 3,
    });

    // Flagged, in the read model the staff's "needs review" list reads.
    for (const reference of [first, second, asking]) {
      const changes = await eventually(() => flaggedBy(reference));
      expect(changes[0]).toMatchObject({ kind: 'date_blocked', source: 'staff' });
      expect(changes[0].detail).toMatch(/^The prison blocked \w+day \d+ \w+ \d{4}: Staff training\.$/);
    }
    for (const reference of [otherDay, otherPrison, notAsking]) {
      expect((await visitDocument(reference))?.needsReview, reference).toBe(false);
    }

    // Its times are offered no more, at once, but the prison's other days and the other prison's are.
    const slots = await offered('BLK');
    expect(slots.filter((slot) => slot.startsWith(day))).toEqual([]);
    expect(slots).toContain(`${nextDay}T${MORNING}`);
    expect(await offered('BLO')).toContain(`${day}T${MORNING}`);
    const { body: list } = await service.call('GET', '/api/staff/prisons/BLK/blocked-dates', { token: staff });
    expect(list.blockedDates).toEqual([expect.objectContaining({ date: day, reason: 'Staff training' })]);

    // A request for it is refused, naming the field.
    const { firstName, lastName, dateOfBirth, number } = prisoners.BLK;
    const refused = await service.call('POST', '/api/visits', {
      body: visitRequestBody({
        prisonId: 'BLK',
        prisoner: { firstName, lastName, dateOfBirth, number },
        slotOptions: [`${nextDay}T${MORNING}`, `${day}T${AFTERNOON}`],
      }),
    });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'slotOptions.1', code: 'slot_unavailable' })]);

    // The same block again changes nothing, and flags nothing twice.
    const again = await block({ date: day, reason: 'Another reason' });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ created: false, blockedDate: { reason: 'Staff training' } });
    expect((await visitDocument(first))?.reviews?.[0]?.changes).toHaveLength(1);

    const entry = await auditCollection(service.db).findOne({ action: 'block_date', prisonId: 'BLK' });
    expect(entry).toMatchObject({ actor: 'staff1@test.example', outcome: 'ok', subject: `${day} day` });

    // Unblocked, its times are offered again.
    const unblocked = await unblock(day);
    expect(unblocked.status, JSON.stringify(unblocked.body)).toBe(200);
    expect(await offered('BLK')).toContain(`${day}T${MORNING}`);
    expect(await auditCollection(service.db).findOne({ action: 'unblock_date', prisonId: 'BLK' })).toMatchObject({
      actor: 'staff1@test.example',
      subject: `${day} day`,
    });
    expect((await unblock(day)).status).toBe(404);
  });

  it('leaves the day’s other sessions when only one session is blocked', async () => {
    const day = dates()[2];
    const morning = await bookedIn('BLK', `${day}T${MORNING}`);
    const afternoon = await bookedIn('BLK', `${day}T${AFTERNOON}`);
    const blocked = await block({ date: day, session: MORNING, reason: 'Search of the visits hall' });
    expect(blocked.status, JSON.stringify(blocked.body)).toBe(201);
    expect(blocked.body.flagged).toBe(1);
    const changes = await eventually(() => flaggedBy(morning));
    expect(changes[0].detail).toMatch(/\(9am to 10am\): Search of the visits hall\.$/);
    expect((await visitDocument(afternoon))?.needsReview).toBe(false);

    const slots = await offered('BLK');
    expect(slots).not.toContain(`${day}T${MORNING}`);
    expect(slots).toContain(`${day}T${AFTERNOON}`);

    expect((await unblock(day)).status).toBe(404); // the whole day was never blocked
    expect((await unblock(day, MORNING)).status).toBe(200);
    expect(await offered('BLK')).toContain(`${day}T${MORNING}`);
  });

  it('is refused when staff accept a request or move a visit into it', async () => {
    const [day, nextDay] = [dates()[8], dates()[9]];
    const waiting = await requested('BLK', [`${day}T${MORNING}`, `${nextDay}T${MORNING}`]);
    const booked = await bookedIn('BLK', `${nextDay}T${AFTERNOON}`);
    expect((await block({ date: day, reason: 'Fire drill' })).status).toBe(201);
    const accepted = await service.call('POST', `/api/staff/visits/${waiting}/decision`, {
      token: staff,
      body: { outcome: 'accept', slot: `${day}T${MORNING}`, referenceNo: 'BLK-2' },
    });
    expect(accepted.status).toBe(422);
    expect(accepted.body.errors).toEqual([expect.objectContaining({ path: 'slot', code: 'slot_unavailable' })]);
    const moved = await service.call('POST', `/api/staff/visits/${booked}/change`, {
      token: staff,
      body: { slot: `${day}T${AFTERNOON}` },
    });
    expect(moved.status).toBe(422);
    expect(moved.body.errors).toEqual([expect.objectContaining({ path: 'slot', code: 'slot_unavailable' })]);
    // Another of the request's times is still the staff's to give.
    const other = await service.call('POST', `/api/staff/visits/${waiting}/decision`, {
      token: staff,
      body: { outcome: 'accept', slot: `${nextDay}T${MORNING}`, referenceNo: 'BLK-2' },
    });
    expect(other.status, JSON.stringify(other.body)).toBe(200);
    expect((await unblock(day)).status).toBe(200);
  });

  it('refuses a session the prison has no visits in on that date, a past date and a missing reason, naming each', async () => {
    const day = dates()[3];
    const wrong = await block({ date: day, session: '11:00/12:00', reason: 'x' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors).toEqual([expect.objectContaining({ path: 'session', code: 'session_not_on_date' })]);
    const past = await block({ date: '2020-01-01', reason: 'x' });
    expect(past.body.errors).toEqual([expect.objectContaining({ path: 'date', code: 'date_in_past' })]);
    const blank = await block({ date: day, reason: '  ' });
    expect(blank.body.errors).toEqual([expect.objectContaining({ path: 'reason', code: 'required' })]);
    const long = await block({ date: day, reason: 'x'.repeat(301) });
    expect(long.body.errors).toEqual([expect.objectContaining({ path: 'reason', code: 'too_long' })]);
    expect(await offered('BLK')).toContain(`${day}T${MORNING}`);
  });

  it('is only for the staff of its prison', async () => {
    const day = dates()[4];
    expect((await block({ date: day, reason: 'Not mine' }, otherStaff)).status).toBe(403);
    expect((await service.call('GET', '/api/staff/prisons/BLK/blocked-dates', { token: otherStaff })).status).toBe(403);
    const policy = await service.staffToken('policy', []);
    expect((await block({ date: day, reason: 'Not mine' }, policy)).status).toBe(403);
    expect((await block({ date: day, reason: 'No one' }, '')).status).toBe(401);
    expect(await offered('BLK')).toContain(`${day}T${MORNING}`);
    // Blocked by its own staff, it is not another prison's staff's to unblock.
    expect((await block({ date: day, reason: 'Mine' })).status).toBe(201);
    expect((await unblock(day, undefined, otherStaff)).status).toBe(403);
    expect(await offered('BLK')).not.toContain(`${day}T${MORNING}`);
    expect((await unblock(day)).status).toBe(200);
    const admin = await service.staffToken('admin', []);
    expect((await block({ date: day, reason: 'x' }, admin, 'NOPE')).status).toBe(404);
  });
});

describe('the staff page of blocked dates', () => {
  /** A browser's session for a member of staff: its cookie, signed in through the API. */
  async function cookieOf(email: string, prisons: string[]): Promise<string> {
    await saveStaffAccount(service.db, { email, role: 'staff', prisons, password: PASSWORD });
    const response = await service.app.request('/api/staff/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    const cookie = /pvb_session=[^;]+/.exec(response.headers.get('set-cookie') ?? '')?.[0];
    if (!cookie?.startsWith(SESSION_COOKIE)) throw new Error('no session cookie');
    return cookie;
  }

  const get = (path: string, cookie: string) => service.app.request(path, { headers: { Cookie: cookie } });
  const post = (path: string, cookie: string, fields: Record<string, string>) =>
    service.app.request(path, {
      method: 'POST',
      headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const dateFields = (date: string, name = 'date') => ({
    [`${name}-day`]: String(Number(date.slice(8, 10))),
    [`${name}-month`]: String(Number(date.slice(5, 7))),
    [`${name}-year`]: date.slice(0, 4),
  });

  it('blocks a date without JavaScript, lists it with its reason, and unblocks it; the times leave the forms', async () => {
    const cookie = await cookieOf('pages@staff.test', ['BLK']);
    const page = await get('/staff/blocked-dates', cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('href="/staff/blocked-dates"'); // in the navigation
    const csrf = csrfOf(html);
    const day = dates()[5];
    const booked = await bookedIn('BLK', `${day}T${AFTERNOON}`);

    const blocked = await post('/staff/blocked-dates?prisonId=BLK', cookie, {
      _csrf: csrf,
      ...dateFields(day),
      session: AFTERNOON,
      reason: 'Roof repairs',
    });
    expect(blocked.status).toBe(200);
    const after = await blocked.text();
    expect(after).toContain('1 visit on it flagged for review');
    expect(after).toContain('Roof repairs');
    expect(after).toContain('pages@staff.test');
    expect((await eventually(() => flaggedBy(booked)))[0].kind).toBe('date_blocked');
    expect(await offered('BLK')).not.toContain(`${day}T${AFTERNOON}`);
    // The helper's form offers it no more either.
    const assisted = await (await get('/staff/assisted?prisonId=BLK', cookie)).text();
    expect(assisted).toContain(`value="${day}T${MORNING}"`);
    expect(assisted).not.toContain(`value="${day}T${AFTERNOON}"`);
    // Nor does it take it, sent all the same.
    const { firstName, lastName, dateOfBirth, number } = prisoners.BLK;
    const entered = await post('/staff/assisted?prisonId=BLK', cookie, {
      _csrf: csrf,
      key: 'a'.repeat(32),
      channel: 'phone',
      minutes: '5',
      organisation: 'Visits line',
      'prisoner-firstName': firstName,
      'prisoner-lastName': lastName,
      'prisoner-number': number,
      ...dateFields(dateOfBirth, 'prisoner-dob'),
      'visitor-0-firstName': 'Ada',
      'visitor-0-lastName': 'Wilde',
      ...dateFields('1985-01-01', 'visitor-0-dob'),
      slotOptions: `${day}T${AFTERNOON}`,
      email: 'ada@example.com',
      phone: '07700 900123',
    });
    expect(entered.status).toBe(400);
    expect(await entered.text()).toContain('This visit time cannot be booked');

    const unblocked = await post('/staff/blocked-dates/unblock?prisonId=BLK', cookie, {
      _csrf: csrf,
      date: day,
      session: AFTERNOON,
    });
    expect(unblocked.status).toBe(200);
    expect(await unblocked.text()).toContain('Unblocked');
    expect(await offered('BLK')).toContain(`${day}T${AFTERNOON}`);
  });

  it('leaves a blocked date out of the visitor’s times, and refuses it if sent all the same', async () => {
    const day = dates()[dates().length - 1];
    expect((await block({ date: day, session: MORNING, reason: 'Visits hall closed' })).status).toBe(201);
    // The visitor's journey, without JavaScript: each step's form posted, its cookie carried on.
    let cookie = '';
    const step = async (path: string, fields?: Record<string, string>) => {
      const response = await service.app.request(path, {
        ...(fields
          ? {
              method: 'POST',
              headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams(fields).toString(),
            }
          : { headers: { Cookie: cookie } }),
      });
      cookie = /pvb_journey=[^;]+/.exec(response.headers.get('Set-Cookie') ?? '')?.[0] ?? cookie;
      return response;
    };
    const csrf = csrfOf(await (await step('/request/prison')).text());
    const { firstName, lastName, dateOfBirth, number } = prisoners.BLK;
    const dob = (name: string, date: string) => ({
      [`${name}-day`]: String(Number(date.slice(8, 10))),
      [`${name}-month`]: String(Number(date.slice(5, 7))),
      [`${name}-year`]: date.slice(0, 4),
    });
    expect((await step('/request/prison', { _csrf: csrf, prisonId: 'BLK' })).status).toBe(302);
    const prisoner = await step('/request/prisoner', {
      _csrf: csrf,
      firstName,
      lastName,
      number,
      ...dob('dob', dateOfBirth),
    });
    expect(prisoner.status).toBe(302);
    const visitors = await step('/request/visitors', {
      _csrf: csrf,
      'visitor-0-firstName': 'Ada',
      'visitor-0-lastName': 'Wilde',
      ...dob('visitor-0-dob', '1985-01-01'),
    });
    expect(visitors.status).toBe(302);
    const times = await (await step('/request/slots')).text();
    expect(times).toContain(`value="${day}T${AFTERNOON}"`);
    expect(times).not.toContain(`value="${day}T${MORNING}"`);
    const sent = await step('/request/slots', { _csrf: csrf, slotOptions: `${day}T${MORNING}` });
    const refused = await sent.text();
    expect(refused).toContain('govuk-error-summary');
    expect(refused).toContain('href="#slotOptions"');
    expect((await unblock(day, MORNING)).status).toBe(200);
  });

  it('names each field with a problem in the error summary, and refuses a form without its token', async () => {
    const cookie = await cookieOf('errors@staff.test', ['BLK']);
    const csrf = csrfOf(await (await get('/staff/blocked-dates', cookie)).text());
    const day = dates()[6];
    const refused = await post('/staff/blocked-dates?prisonId=BLK', cookie, {
      _csrf: csrf,
      'date-day': '31',
      'date-month': '2',
      'date-year': '2027',
      session: '',
      reason: '',
    });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toContain('There is a problem');
    expect(html).toContain('href="#date-day"');
    expect(html).toContain('The date to block must be a real date');
    expect(html).toContain('href="#reason"');
    expect(html).toContain('Enter why the date is blocked');

    const forged = await post('/staff/blocked-dates?prisonId=BLK', cookie, { ...dateFields(day), reason: 'Forged' });
    expect(forged.status).toBe(403);
    expect(await offered('BLK')).toContain(`${day}T${MORNING}`);
  });

  it('is refused for a prison the member of staff does not work at', async () => {
    const cookie = await cookieOf('elsewhere@staff.test', ['BLO']);
    const csrf = csrfOf(await (await get('/staff/blocked-dates', cookie)).text());
    expect((await get('/staff/blocked-dates?prisonId=BLK', cookie)).status).toBe(403);
    const day = dates()[7];
    const refused = await post('/staff/blocked-dates?prisonId=BLK', cookie, {
      _csrf: csrf,
      ...dateFields(day),
      reason: 'Not mine',
    });
    expect(refused.status).toBe(403);
    expect(await offered('BLK')).toContain(`${day}T${MORNING}`);
  });
});

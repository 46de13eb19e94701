// Staff move a booked visit to another time, through the API and the staff page, on the real servers: the new place
// is held before the old one is given back (docs/decisions/0016), a full time is refused with the visit left where it
// was, and the visitor is told once. The prison is the test's own, in a rule folder of its own, with one open place a
// time (two at 14:00) so that the slots' own counts show where the visit is held.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { outbox } from '../activities/emails/outbox';
import { bookableSlots } from '../rules/calendar';
import { londonClock } from '../rules/londonTime';
import { RuleBook } from '../rules/ruleBook';
import { placesHeld, slotWorkflowId } from '../workflows/slotCapacity';
import { fakePrisonerService, samplePrisoner } from './fakePrisonerService';
import { saveStaffAccount } from '../api/staffAccounts';
import { checkPage, openSite } from './browser';
import { eventually, PASSWORD, startTestService, visitRequestBody, type TestService } from './harness';

const ruleDir = mkdtempSync(join(tmpdir(), 'change-rules-'));
writeFileSync(
  join(ruleDir, 'changes.yaml'),
  stringify({
    id: 'CHG',
    name: 'HMP Changes',
    phone: '0300 060 6098',
    calendar: {
      lead_days: 2,
      booking_window: 14,
      recurring: Object.fromEntries(
        ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((day) => [day, ['0900-1000', '1100-1200', '1400-1500']]),
      ),
      capacity: { open: 1, closed: 1, times: { '1400-1500': { open: 2 } } },
    },
  }),
);
const rules = new RuleBook(ruleDir);
const prisoner = { ...samplePrisoner, number: 'C4321HG', prisonId: 'CHG' };

let service: TestService;
let staff: string;

beforeAll(async () => {
  service = await startTestService('change_visit', { rules });
  staff = await service.staffToken('staff', ['CHG']);
  fakePrisonerService.records.set(prisoner.number, prisoner);
});
afterAll(async () => {
  rmSync(ruleDir, { recursive: true, force: true });
  await service?.close();
});

/** The `nth` bookable slot at HMP Changes at these times (`HH:MM/HH:MM`): each test has slots of its own. */
function slotAt(times: string, nth: number): string {
  const prison = rules.get('CHG');
  if (!prison) throw new Error('HMP Changes’ rule file was refused');
  const slot = bookableSlots(prison, londonClock(new Date()).date).filter((s) => s.endsWith(times))[nth];
  if (!slot) throw new Error(`no bookable slot at ${times}`);
  return slot;
}

/** A visit booked by staff into `slot`; its reference. */
async function bookedIn(slot: string): Promise<string> {
  const { firstName, lastName, dateOfBirth, number } = prisoner;
  const body = visitRequestBody({
    prisonId: 'CHG',
    prisoner: { firstName, lastName, dateOfBirth, number },
    slotOptions: [slot],
  });
  const sent = await service.call('POST', '/api/visits', { body });
  expect(sent.status, JSON.stringify(sent.body)).toBe(201);
  const reference = sent.body.reference as string;
  const accepted = await service.call('POST', `/api/staff/visits/${reference}/decision`, {
    token: staff,
    body: { outcome: 'accept', slot, referenceNo: 'CHG-1' },
  });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  return reference;
}

const change = (reference: string, slot: string, headers: Record<string, string> = {}) =>
  service.call('POST', `/api/staff/visits/${reference}/change`, { token: staff, body: { slot }, headers });

const visitOf = async (reference: string) =>
  (await service.call('GET', `/api/staff/visits/${reference}`, { token: staff })).body;

/** Open places held in a slot, as its own workflow counts them (none before its workflow starts). */
async function openHeld(slot: string): Promise<number> {
  try {
    const handle = service.client.workflow.getHandle(slotWorkflowId(service.taskQueue, 'CHG', slot));
    return (await handle.query(placesHeld)).open;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 0;
    throw error;
  }
}

/**
 * Runs a change while looking, again and again until it answers, at how many places the old slot and then the new one
 * hold. Old first: a look that finds the old place given back then finds the new one held, if it was held first.
 */
async function watchChange(reference: string, from: string, to: string) {
  const looks: { from: number; to: number }[] = [];
  let answered = false;
  const watching = (async () => {
    do {
      const atFrom = await openHeld(from);
      looks.push({ from: atFrom, to: await openHeld(to) });
    } while (!answered);
  })();
  await eventually(async () => (looks.length > 0 ? true : undefined)); // looking before the change is sent
  const response = await change(reference, to);
  answered = true;
  await watching;
  return { response, looks };
}

describe('a staff change of a booked visit’s time', () => {
  it('moves capacity with no moment where neither place is held, and both only until the change answers', async () => {
    const [early, late] = [slotAt('09:00/10:00', 0), slotAt('14:00/15:00', 0)];
    const other = await bookedIn(late); // someone else's visit, already in the later time
    const moved = await bookedIn(early);
    expect([await openHeld(early), await openHeld(late)]).toEqual([1, 1]);

    // There and back and there again: every look, all through each change, finds the visit holding a place.
    const others = { [early]: 0, [late]: 1 };
    for (const [from, to] of [
      [early, late],
      [late, early],
      [early, late],
    ]) {
      const { response, looks } = await watchChange(moved, from, to);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body).toMatchObject({ status: 'booked', slotGranted: to });
      expect(looks.length).toBeGreaterThan(1);
      const heldByVisit = looks.map((look) => look.from - others[from] + (look.to - others[to]));
      expect(
        heldByVisit.filter((places) => places < 1),
        'looks where the visit held no place',
      ).toEqual([]);
      expect(
        heldByVisit.filter((places) => places > 2),
        'looks where the visit held more than two',
      ).toEqual([]);
      // Answered, the change has given the old place back: one place, the new one.
      expect([await openHeld(from), await openHeld(to)]).toEqual([others[from], others[to] + 1]);
    }

    // The old time has one place less, the new one more; the other visit is where it was.
    expect([await openHeld(early), await openHeld(late)]).toEqual([0, 2]);
    const visit = await visitOf(moved);
    expect(visit.slotGranted).toBe(late);
    expect(visit.changes).toEqual([
      expect.objectContaining({ slot: { from: early, to: late }, by: expect.stringMatching(/@test\.example$/) }),
      expect.objectContaining({ slot: { from: late, to: early } }),
      expect.objectContaining({ slot: { from: early, to: late } }),
    ]);
    expect((await visitOf(other)).slotGranted).toBe(late);
  });

  it('is refused (409 slot_full) when the new time is full, and the visit keeps its place', async () => {
    const [own, full] = [slotAt('09:00/10:00', 1), slotAt('11:00/12:00', 1)];
    await bookedIn(full);
    const reference = await bookedIn(own);
    const refused = await change(reference, full);
    expect([refused.status, refused.body.code]).toEqual([409, 'slot_full']);
    const visit = await visitOf(reference);
    expect(visit).toMatchObject({ status: 'booked', slotGranted: own });
    expect(visit.changes).toBeUndefined();
    expect([await openHeld(own), await openHeld(full)]).toEqual([1, 1]);
    expect(await outbox(service.db).countDocuments({ _id: { $regex: `^${reference}\\.changed` } })).toBe(0);
  });

  it('tells the visitor by e-mail once, the same change sent again with its key changing nothing', async () => {
    const [from, to] = [slotAt('09:00/10:00', 2), slotAt('11:00/12:00', 2)];
    const reference = await bookedIn(from);
    const first = await change(reference, to, { 'Idempotency-Key': `change-${reference}` });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const again = await change(reference, to, { 'Idempotency-Key': `change-${reference}` });
    expect([again.status, again.body.slotGranted]).toEqual([200, to]);
    expect((await visitOf(reference)).changes).toHaveLength(1);

    const changedMails = () =>
      service.mail.messages.filter(
        (m) => /^Visit time changed/.test(m.subject ?? '') && (m.text ?? '').includes(reference),
      );
    await eventually(async () => {
      const sent = await outbox(service.db)
        .find({ _id: { $regex: `^${reference}\\.changed` } })
        .toArray();
      return sent.length === 1 && sent[0].status === 'sent' ? true : undefined;
    });
    const [mail] = await eventually(async () => (changedMails().length ? changedMails() : undefined));
    expect(changedMails()).toHaveLength(1);
    expect(mail.subject).toContain('HMP Changes');
    expect(mail.text).toMatch(/New time: \w+day \d+ \w+ \d{4}, 11am to midday/);
    expect(mail.text).toMatch(/It was: \w+day \d+ \w+ \d{4}, 9am to 10am/);
  });

  it('is refused naming the field for a time the prison does not offer or the same time, 409 when not booked, 404 for no visit', async () => {
    const own = slotAt('09:00/10:00', 3);
    const reference = await bookedIn(own);
    for (const [slot, code] of [
      ['2020-01-01T09:00/10:00', 'slot_unavailable'], // long past
      [`${own.slice(0, 10)}T10:00/11:00`, 'slot_unavailable'], // not one of the prison's times
      [own, 'slot_unchanged'],
      ['tomorrow at nine', 'invalid_slot'],
    ]) {
      const refused = await change(reference, slot);
      expect([refused.status, refused.body.errors?.[0]], slot).toEqual([
        422,
        expect.objectContaining({ path: 'slot', code }),
      ]);
    }
    const { firstName, lastName, dateOfBirth, number } = prisoner;
    const waiting = await service.call('POST', '/api/visits', {
      body: visitRequestBody({
        prisonId: 'CHG',
        prisoner: { firstName, lastName, dateOfBirth, number },
        slotOptions: [own],
      }),
    });
    const notBooked = await change(waiting.body.reference, slotAt('11:00/12:00', 3));
    expect([notBooked.status, notBooked.body.code]).toEqual([409, 'not_changeable']);
    expect((await change('ZZZZZZZZ', own)).status).toBe(404);
    expect((await visitOf(reference)).slotGranted).toBe(own);
  });

  it('works from the staff page without JavaScript: a form with its token, then post/redirect/get', async () => {
    const [from, to, full] = [slotAt('09:00/10:00', 4), slotAt('14:00/15:00', 4), slotAt('11:00/12:00', 4)];
    const reference = await bookedIn(from);
    const page = (path: string, init: RequestInit = {}) =>
      service.app.request(path, { ...init, headers: { Cookie: `pvb_session=${staff}`, ...init.headers } });
    const post = (fields: Record<string, string>) =>
      page(`/staff/visits/${reference}/change`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });

    const html = await (await page(`/staff/visits/${reference}`)).text();
    expect(html).toContain('Change the time');
    expect(html).toContain(`<option value="${to}"`);
    expect(html).not.toContain(`<option value="${from}"`); // the time it has already
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csrf).not.toBe('');

    expect((await post({ slot: to })).status).toBe(403); // no token
    const unchosen = await post({ _csrf: csrf, slot: '' });
    expect(unchosen.status).toBe(400);
    expect(await unchosen.text()).toContain('Choose the new time');

    await bookedIn(full);
    const refused = await post({ _csrf: csrf, slot: full });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('That time is full');
    expect((await visitOf(reference)).slotGranted).toBe(from);

    const moved = await post({ _csrf: csrf, slot: to });
    expect(moved.status).toBe(303);
    expect(moved.headers.get('Location')).toBe(`/staff/visits/${reference}?changed=1`);
    const after = await (await page(moved.headers.get('Location') ?? '')).text();
    expect(after).toMatch(/Visit moved to \w+day \d+ \w+ \d{4}, 2pm to 3pm\. The visitor has been told by email\./);
    expect(after).toMatch(/moved from \w+day \d+ \w+ \d{4}, 9am to 10am to/);
    expect((await visitOf(reference)).slotGranted).toBe(to);
    expect([await openHeld(from), await openHeld(to)]).toEqual([0, 1]);
  });
});

describe('the staff pages in a browser', () => {
  it(
    'move a visit to another time and change its visitors without JavaScript, axe clean',
    { timeout: 60_000 },
    async () => {
      const [from, to] = [slotAt('09:00/10:00', 7), slotAt('14:00/15:00', 7)];
      const reference = await bookedIn(from);
      await saveStaffAccount(service.db, {
        email: 'pages@chg.test',
        role: 'staff',
        prisons: ['CHG'],
        password: PASSWORD,
      });
      const site = await openSite(service.app.fetch);
      try {
        // axe runs in the page: with JavaScript.
        const checked = await site.signIn('pages@chg.test', PASSWORD);
        await checked.goto(`/staff/visits/${reference}`);
        await checkPage(checked, 'staff-visit-change');
        await checked.goto(`/staff/visits/${reference}/visitors`);
        await checkPage(checked, 'staff-visit-visitors');
        await checked.fill('#additionalVisitors-0-firstName', 'Kit');
        await checked.getByRole('button', { name: 'Change the visitors' }).click();
        await checkPage(checked, 'staff-visit-visitors-errors');
        await checked.context().close();

        const page = await site.page({ javaScriptEnabled: false });
        await page.goto('/staff/sign-in');
        await page.fill('#email', 'pages@chg.test');
        await page.fill('#password', PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.goto(`/staff/visits/${reference}`);
        await page.getByLabel('New time').selectOption(to);
        await page.getByRole('button', { name: 'Change the time' }).click();
        expect(page.url()).toMatch(new RegExp(`/staff/visits/${reference}\\?changed=1$`));
        expect(await page.textContent('.govuk-notification-banner')).toContain('Visit moved to');
        await page.getByRole('link', { name: 'Change who comes with the lead visitor' }).click();
        await page.fill('#additionalVisitors-0-firstName', 'Kit');
        await page.getByRole('button', { name: 'Change the visitors' }).click();
        expect(await page.locator('.govuk-error-summary a').first().getAttribute('href')).toBe(
          '#additionalVisitors-0-lastName',
        );
        await page.fill('#additionalVisitors-0-lastName', 'Wilde');
        await page.fill('#additionalVisitors-0-dateOfBirth-day', '1');
        await page.fill('#additionalVisitors-0-dateOfBirth-month', '6');
        await page.fill('#additionalVisitors-0-dateOfBirth-year', '2015');
        await page.getByRole('button', { name: 'Change the visitors' }).click();
        expect(await page.textContent('.govuk-notification-banner')).toContain('Visitors changed');
        expect(await visitOf(reference)).toMatchObject({ slotGranted: to, visitors: [{}, { firstName: 'Kit' }] });
      } finally {
        await site.close();
      }
    },
  );
});

describe('a staff change of a booked visit’s visitors', () => {
  const adult = (n: number) => ({ firstName: `Adult${'abcdef'[n]}`, lastName: 'Wilde', dateOfBirth: '1990-01-01' });
  const child = { firstName: 'Kit', lastName: 'Wilde', dateOfBirth: '2015-06-01' };
  const changeVisitors = (reference: string, additionalVisitors: unknown[]) =>
    service.call('POST', `/api/staff/visits/${reference}/visitors`, { token: staff, body: { additionalVisitors } });

  it('replaces those who come with the lead visitor, within the prison’s limits, and tells the visitor once', async () => {
    const slot = slotAt('09:00/10:00', 5);
    const reference = await bookedIn(slot);
    for (const [visitors, path, code] of [
      [[adult(1), adult(2), adult(3)], 'additionalVisitors', 'too_many_adults'], // four adults with the lead
      [[child, { ...child, dateOfBirth: '2999-01-01' }], 'additionalVisitors.1.dateOfBirth', 'date_of_birth_in_future'],
      [[{ ...child, firstName: '<b>Kit</b>' }], 'additionalVisitors.0.firstName', 'name_has_markup'],
      [[child, child, child, child, child, child], 'additionalVisitors', 'too_many_visitors'],
    ] as const) {
      const refused = await changeVisitors(reference, [...visitors]);
      expect([refused.status, refused.body.errors], code).toEqual([422, [expect.objectContaining({ path, code })]]);
    }
    expect((await visitOf(reference)).visitors).toHaveLength(1);

    const changed = await changeVisitors(reference, [child, adult(1)]);
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.visitors.map((v: { firstName: string }) => v.firstName)).toEqual(['Ada', 'Kit', 'Adultb']);
    expect(changed.body).toMatchObject({ slotGranted: slot, changes: [{ visitors: { from: 1, to: 3 } }] });
    expect(await openHeld(slot)).toBe(1); // who comes takes no other place

    const mails = () =>
      service.mail.messages.filter(
        (m) => /^Visitors changed/.test(m.subject ?? '') && (m.text ?? '').includes(reference),
      );
    await eventually(async () => {
      const sent = await outbox(service.db)
        .find({ _id: { $regex: `^${reference}\\.changed` } })
        .toArray();
      return sent.length === 1 && sent[0].status === 'sent' ? true : undefined;
    });
    const [mail] = await eventually(async () => (mails().length ? mails() : undefined));
    expect(mails()).toHaveLength(1);
    expect(mail.text).toMatch(/- Ada Wilde\n- Kit Wilde\n- Adultb Wilde/);
  });

  it('works from the staff page: the visitors there filled in, a row emptied to take one off, problems named', async () => {
    const slot = slotAt('11:00/12:00', 5);
    const reference = await bookedIn(slot);
    expect((await changeVisitors(reference, [child, adult(1)])).status).toBe(200);
    const page = (path: string, init: RequestInit = {}) =>
      service.app.request(path, { ...init, headers: { Cookie: `pvb_session=${staff}`, ...init.headers } });
    const visitPage = await (await page(`/staff/visits/${reference}`)).text();
    expect(visitPage).toContain(`href="/staff/visits/${reference}/visitors"`);
    const html = await (await page(`/staff/visits/${reference}/visitors`)).text();
    expect(html).toContain('value="Kit"');
    expect(html).toContain('value="Adultb"');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const post = (fields: Record<string, string>) =>
      page(`/staff/visits/${reference}/visitors`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
      });
    const row = (n: number, { firstName, lastName, dateOfBirth }: typeof child) => {
      const [year, month, day] = dateOfBirth.split('-');
      return {
        [`visitor-${n}-firstName`]: firstName,
        [`visitor-${n}-lastName`]: lastName,
        [`visitor-${n}-dob-day`]: day,
        [`visitor-${n}-dob-month`]: month,
        [`visitor-${n}-dob-year`]: year,
      };
    };

    // The first row empty, the third with no first name: its problem names visitor 4 (the lead is 1), the third row,
    // linking to its field.
    const refused = await post({ ...row(1, child), ...row(2, { ...adult(1), firstName: '' }) });
    expect(refused.status).toBe(400);
    const refusedPage = await refused.text();
    expect(refusedPage).toContain('Enter visitor 4’s first name');
    expect(refusedPage).toContain('href="#additionalVisitors-2-firstName"');

    // Kit alone, in the second row: the first row empty is no visitor.
    const changed = await post({ ...row(1, child) });
    expect(changed.status).toBe(303);
    expect(changed.headers.get('Location')).toBe(`/staff/visits/${reference}?visitorsChanged=1`);
    expect(await (await page(changed.headers.get('Location') ?? '')).text()).toContain(
      'Visitors changed. The visitor has been told by email.',
    );
    const visit = await visitOf(reference);
    expect(visit.visitors.map((v: { firstName: string }) => v.firstName)).toEqual(['Ada', 'Kit']);
    expect(visit.changes.map((c: { visitors: unknown }) => c.visitors)).toEqual([
      { from: 1, to: 3 },
      { from: 3, to: 2 },
    ]);
  });

  it('is refused (409 not_changeable) for a visit not booked', async () => {
    const { firstName, lastName, dateOfBirth, number } = prisoner;
    const waiting = await service.call('POST', '/api/visits', {
      body: visitRequestBody({
        prisonId: 'CHG',
        prisoner: { firstName, lastName, dateOfBirth, number },
        slotOptions: [slotAt('09:00/10:00', 6)],
      }),
    });
    const refused = await changeVisitors(waiting.body.reference, [child]);
    expect([refused.status, refused.body.code]).toEqual([409, 'not_changeable']);
  });
});

// Booker accounts with the real servers: a sign-in link e-mailed and used once, "Your visits" showing a booker's own
// visits and nobody else's, a prisoner linked only when the prisoner service knows them, and the signed-in journey
// in a real browser (pre-filled, booked at once, then in "Your visits"), in Welsh, by keyboard, with and without
// JavaScript. The prison books at once and is the test's own, in a rule folder of its own.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { sendOnce } from '../activities/emails/outbox';
import { createFolderProvider } from '../activities/emails/providers';
import { LINK_CODE_PLACEHOLDER, renderSignInEmail, withLinkCode } from '../activities/emails/render';
import { bookerFor, createSignInLink, useSignInLink } from '../activities/readModel/bookers';
import { bookableSlots } from '../rules/calendar';
import { addDays, londonClock } from '../rules/londonTime';
import { RuleBook } from '../rules/ruleBook';
import { signInWorkflowId } from '../workflows/signInLink';
import { checkPage, openSite, type Site } from './browser';
import { fakePrisonerService, samplePrisoner } from './fakePrisonerService';
import { eventually, PASSWORD, startTestService, visitRequestBody, type TestService } from './harness';
import { saveStaffAccount } from '../api/staffAccounts';
import { cookies as listedCookies } from '../ui/infoPages';

const ruleDir = mkdtempSync(join(tmpdir(), 'booker-rules-'));
// HMP Booking Instant: visits every day, three open places a time, booked at once when the checks pass.
writeFileSync(
  join(ruleDir, 'booking-instant.yaml'),
  stringify({
    id: 'BKI',
    name: 'HMP Booking Instant',
    phone: '0300 060 6098',
    booking: 'instant',
    calendar: {
      lead_days: 2,
      booking_window: 14,
      recurring: Object.fromEntries(
        ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((day) => [day, ['0900-1000', '1400-1500']]),
      ),
      capacity: { open: 3, closed: 1 },
    },
  }),
);
// HMP Booking Rules: the same, but a child may visit only with a week's notice.
writeFileSync(
  join(ruleDir, 'booking-rules.yaml'),
  stringify({
    id: 'BKR',
    name: 'HMP Booking Rules',
    phone: '0300 060 6097',
    calendar: {
      lead_days: 2,
      booking_window: 14,
      recurring: Object.fromEntries(
        ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((day) => [day, ['0900-1000', '1400-1500']]),
      ),
    },
    eligibility: [
      {
        name: 'children-with-notice',
        conditions: {
          all: [
            { fact: 'request', path: '$.childCount', operator: 'greaterThan', value: 0 },
            { fact: 'request', path: '$.daysUntilFirstSlot', operator: 'lessThan', value: 7 },
          ],
        },
        event: {
          type: 'reject',
          params: { reason: 'slot_unavailable', explanation: 'Children may visit with a week’s notice.' },
        },
      },
    ],
  }),
);
const rules = new RuleBook(ruleDir);

/** Prisoners at HMP Booking Instant, as the prisoner-information service knows them: one per test. */
const prisonerAt = (number: string) => ({ ...samplePrisoner, number, prisonId: 'BKI' });

let service: TestService;

beforeAll(async () => {
  prison('BKI');
  prison('BKR');
  service = await startTestService('bookers', { rules });
});
afterAll(async () => {
  rmSync(ruleDir, { recursive: true, force: true });
  await service?.close();
});

/** The sign-in e-mails sent to an address, oldest first. */
const signInEmails = (address: string) =>
  service.mail.messages.filter(
    (mail) =>
      JSON.stringify(mail.to ?? '')
        .toLowerCase()
        .includes(address.toLowerCase()) && /Sign in|Mewngofnodi/.test(mail.subject ?? ''),
  );

/** Asks for a sign-in link and returns its code, from the e-mail that arrives. */
async function signInCode(address: string): Promise<string> {
  const before = signInEmails(address).length;
  const asked = await service.call('POST', '/api/booker/sign-in', { body: { email: address } });
  expect(asked.status, JSON.stringify(asked.body)).toBe(202);
  const mail = await eventually(async () => signInEmails(address)[before]);
  const code = /\/account\/sign-in\/([\w-]+)/.exec(mail.text ?? '')?.[1];
  if (!code) throw new Error(`no sign-in link in: ${mail.text}`);
  return code;
}

/** Signs a booker in through the API and returns their session token. */
async function bookerToken(address: string): Promise<string> {
  const session = await service.call('POST', '/api/booker/session', { body: { code: await signInCode(address) } });
  expect(session.status, JSON.stringify(session.body)).toBe(201);
  return session.body.token as string;
}

/** A prison of the test's rule folder. */
function prison(id: string) {
  const found = rules.get(id);
  if (!found) throw new Error(`the rule file of ${id} was refused`);
  return found;
}

const slots = () => bookableSlots(prison('BKI'), londonClock(new Date()).date);

/** A request at HMP Booking Instant for a prisoner, in the nth bookable slot, sent with a token or none. */
async function request(number: string, nth: number, token?: string) {
  const { firstName, lastName, dateOfBirth } = samplePrisoner;
  const body = visitRequestBody({
    prisonId: 'BKI',
    prisoner: { firstName, lastName, dateOfBirth, number },
    slotOptions: [slots()[nth]],
  });
  const response = await service.call('POST', '/api/visits', { body, token });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { reference: string; accessToken: string };
}

describe('a booker signing in by an e-mailed link', () => {
  it('signs in with the link once; a second use, or a forged code, is refused', async () => {
    const code = await signInCode('once@test.example');
    const first = await service.call('POST', '/api/booker/session', { body: { code } });
    expect(first.status).toBe(201);
    expect(Date.parse(first.body.expiresAt)).toBeGreaterThan(Date.now());
    const account = await service.call('GET', '/api/booker/account', { token: first.body.token });
    expect(account.body).toMatchObject({ email: 'once@test.example', prisoners: [], visitors: [] });
    const again = await service.call('POST', '/api/booker/session', { body: { code } });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('link_not_valid');
    const forged = await service.call('POST', '/api/booker/session', { body: { code: code.replace(/^./, 'x') } });
    expect(forged.status).toBe(401);
  });

  it('lets exactly one of eight uses of a link at the same moment sign in', async () => {
    const code = await signInCode('race@test.example');
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => service.call('POST', '/api/booker/session', { body: { code } })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 401, 401, 401, 401, 401, 401, 401]);
  });

  it('refuses a link once its 20 minutes are over', async () => {
    const account = await service.db.collection('bookers').findOne({ _id: 'once@test.example' } as object);
    const code = await createSignInLink(service.db, account?.bookerId, new Date(Date.now() - 20 * 60_000 - 1000));
    expect(await useSignInLink(service.db, code)).toBeUndefined();
    const fresh = await createSignInLink(service.db, account?.bookerId, new Date(Date.now() - 19 * 60_000));
    expect(await useSignInLink(service.db, fresh)).toBe(account?.bookerId);
  });

  it('sends one e-mail for requests made again within a minute, whatever the case of the address', async () => {
    await signInCode('Twice@Test.Example');
    for (let i = 0; i < 3; i++) {
      const asked = await service.call('POST', '/api/booker/sign-in', { body: { email: 'twice@test.example' } });
      expect(asked.status).toBe(202);
    }
    // One account for the address in any case, and its one workflow still running: the repeats joined it, and it
    // has sent its e-mail already, so no other can come.
    const accounts = await service.db
      .collection('bookers')
      .find({ _id: 'twice@test.example' } as object)
      .toArray();
    expect(accounts).toHaveLength(1);
    const running = await service.client.workflow.getHandle(signInWorkflowId(accounts[0].bookerId)).describe();
    expect(running.status.name).toBe('RUNNING');
    const outbox = await service.db
      .collection('outbox')
      .countDocuments({ reference: `booker-${accounts[0].bookerId}` });
    expect(outbox).toBe(1);
    expect(signInEmails('twice@test.example')).toHaveLength(1);
  });

  it('names the field of an address that is not one, and ends a session at sign-out', async () => {
    const bad = await service.call('POST', '/api/booker/sign-in', { body: { email: 'not an address' } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'email', code: 'invalid_email' })]);
    const token = await bookerToken('leaving@test.example');
    expect((await service.call('DELETE', '/api/booker/session', { token })).status).toBe(204);
    expect((await service.call('GET', '/api/booker/visits', { token })).status).toBe(401);
    // A token that signs nobody in is refused, not ignored, when sending a request.
    const body = visitRequestBody({ prisonId: 'BKI', slotOptions: [slots()[0]] });
    expect((await service.call('POST', '/api/visits', { body, token })).status).toBe(401);
  });
});

describe('development’s mail folder', () => {
  it('holds each e-mail once as a file, with the sign-in link that works', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mail-folder-'));
    try {
      const booker = await bookerFor(service.db, 'folder@test.example', 'en');
      const rendered = renderSignInEmail('en', {
        signInUrl: `http://visits.test/account/sign-in/${LINK_CODE_PLACEHOLDER}`,
        minutes: 20,
      });
      const email = { ...rendered, to: booker._id, id: `booker-${booker.bookerId}.folder-test` };
      const withCode = async (outgoing: typeof email) =>
        withLinkCode(outgoing, await createSignInLink(service.db, booker.bookerId));
      const provider = createFolderProvider(folder);
      for (let i = 0; i < 2; i++) await sendOnce(service.db, provider, email.id, email, undefined, withCode);
      const files = readdirSync(folder);
      expect(files).toHaveLength(1);
      const written = readFileSync(join(folder, files[0]), 'utf8');
      expect(written).toMatch(/^To: folder@test\.example\nSubject: Sign in to Prison visits\n/);
      const code = /\/account\/sign-in\/([\w-]+)/.exec(written)?.[1] ?? '';
      expect(code).not.toContain('ONE-TIME');
      expect(await useSignInLink(service.db, code)).toBe(booker.bookerId);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('"Your visits"', () => {
  it('shows a booker their own visits, upcoming and cancelled, and nobody else’s', async () => {
    const [ada, bea] = [await bookerToken('ada@test.example'), await bookerToken('bea@test.example')];
    fakePrisonerService.records.set('B1000AA', prisonerAt('B1000AA'));
    fakePrisonerService.records.set('B1000BB', prisonerAt('B1000BB'));
    const adas = [await request('B1000AA', 0, ada), await request('B1000AA', 1, ada)];
    const beas = [await request('B1000BB', 2, bea)];
    const anonymous = await request('B1000BB', 3);
    // Ada withdraws or cancels her second visit.
    const cancelled = await service.call('DELETE', `/api/visits/${adas[1].reference}`, { token: adas[1].accessToken });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);

    const listed = async (token: string) => (await service.call('GET', '/api/booker/visits', { token })).body;
    const refs = (visits: { reference: string }[]) => visits.map((visit) => visit.reference).sort();
    const ofAda = await listed(ada);
    expect(refs(ofAda.upcoming)).toEqual([adas[0].reference]);
    expect(refs(ofAda.cancelled)).toEqual([adas[1].reference]);
    expect(ofAda.past).toEqual([]);
    const ofBea = await listed(bea);
    expect(refs([...ofBea.upcoming, ...ofBea.past, ...ofBea.cancelled])).toEqual([beas[0].reference]);
    for (const visits of [ofAda, ofBea]) {
      expect(JSON.stringify(visits)).not.toContain(anonymous.reference);
    }
  });
});

describe('the times offered for a visit', () => {
  it('leave out those the prison’s rules rule out for its visitors, and say why', { timeout: 60_000 }, async () => {
    const site: Site = await openSite(service.app.fetch);
    try {
      const offered: Record<string, string[]> = {};
      for (const [who, dateOfBirth] of [
        ['adults', '1985-01-01'],
        ['a child', '2020-01-01'],
      ] as const) {
        const page = await site.page({ javaScriptEnabled: false });
        await page.goto('/request/prison');
        await page.check('input[value="BKR"]');
        await page.getByRole('button', { name: 'Continue' }).click();
        const [year, month, day] = samplePrisoner.dateOfBirth.split('-');
        await page.fill('#prisoner-firstName', 'Oscar');
        await page.fill('#prisoner-lastName', 'Wilde');
        await page.fill('#prisoner-dateOfBirth-day', day);
        await page.fill('#prisoner-dateOfBirth-month', month);
        await page.fill('#prisoner-dateOfBirth-year', year);
        await page.fill('#prisoner-number', 'A1234BC');
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.fill('#visitors-0-firstName', 'Ada');
        await page.fill('#visitors-0-lastName', 'Wilde');
        await page.fill('#visitors-0-dateOfBirth-day', '1');
        await page.fill('#visitors-0-dateOfBirth-month', '1');
        await page.fill('#visitors-0-dateOfBirth-year', '1985');
        if (who === 'a child') {
          await page.getByRole('button', { name: 'Add another visitor' }).click();
          const [y, m, d] = dateOfBirth.split('-');
          await page.fill('#visitors-1-firstName', 'Cyril');
          await page.fill('#visitors-1-lastName', 'Wilde');
          await page.fill('#visitors-1-dateOfBirth-day', String(Number(d)));
          await page.fill('#visitors-1-dateOfBirth-month', String(Number(m)));
          await page.fill('#visitors-1-dateOfBirth-year', y);
        }
        await page.getByRole('button', { name: 'Continue' }).click();
        offered[who] = await page
          .locator('input[name="slotOptions"]')
          .evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value));
        if (who === 'a child') {
          expect(await page.textContent('main')).toContain('Children may visit with a week’s notice.');
        }
        await page.context().close();
      }
      const today = londonClock(new Date()).date;
      const soon = (slot: string) => slot.slice(0, 10) < addDays(today, 7);
      const all = bookableSlots(prison('BKR'), today);
      expect(offered.adults).toEqual(all);
      expect(all.some(soon)).toBe(true);
      expect(offered['a child']).toEqual(all.filter((slot) => !soon(slot)));
    } finally {
      await site.close();
    }
  });
});

describe('staff booking for a caller', () => {
  it('books at once at a prison that books at once, noting how the visitor asked', { timeout: 60_000 }, async () => {
    fakePrisonerService.records.set('P1234HN', prisonerAt('P1234HN'));
    const site: Site = await openSite(service.app.fetch);
    try {
      const email = 'caller-desk@test.example';
      await saveStaffAccount(service.db, { email, role: 'staff', prisons: ['BKI'], password: PASSWORD });
      const page = await site.signIn(email, PASSWORD);
      await page.goto('/staff/assisted?prisonId=BKI');
      await page.check('input[name="channel"][value="phone"]');
      await page.fill('#minutes', '9');
      await page.fill('#organisation', 'HMP Booking Instant booking line');
      await page.fill('#prisoner-firstName', 'Oscar');
      await page.fill('#prisoner-lastName', 'Wilde');
      const [year, month, day] = samplePrisoner.dateOfBirth.split('-');
      await page.fill('#prisoner-dateOfBirth-day', day);
      await page.fill('#prisoner-dateOfBirth-month', month);
      await page.fill('#prisoner-dateOfBirth-year', year);
      await page.fill('#prisoner-number', 'P1234HN');
      await page.fill('#visitors-0-firstName', 'Ada');
      await page.fill('#visitors-0-lastName', 'Wilde');
      await page.fill('#visitors-0-dateOfBirth-day', '1');
      await page.fill('#visitors-0-dateOfBirth-month', '1');
      await page.fill('#visitors-0-dateOfBirth-year', '1985');
      const slot = slots()[4];
      await page.check(`input[name="slotOptions"][value="${slot}"]`);
      await page.fill('#contact-email', 'ada@example.com');
      await page.fill('#contact-phone', '07700 900123');
      await page.getByRole('button', { name: 'Send request' }).click();
      expect(page.url()).toMatch(/\/staff\/visits\/[0-9A-Z]{8}$/);
      const reference = page.url().split('/').pop() ?? '';
      const staff = await service.staffToken('staff', ['BKI']);
      const visit = await eventually(async () => {
        const seen = (await service.call('GET', `/api/staff/visits/${reference}`, { token: staff })).body;
        return seen.status === 'booked' ? seen : undefined;
      });
      expect(visit).toMatchObject({ slotGranted: slot, channel: 'phone', assistedMinutes: 9 });
      await page.context().close();
    } finally {
      await site.close();
    }
  });
});

describe('additional support', () => {
  it('is kept with the request, and "something else" needs its words', async () => {
    fakePrisonerService.records.set('S1234PT', prisonerAt('S1234PT'));
    const { firstName, lastName, dateOfBirth } = samplePrisoner;
    const prisoner = { firstName, lastName, dateOfBirth, number: 'S1234PT' };
    const without = visitRequestBody({
      prisonId: 'BKI',
      prisoner,
      slotOptions: [slots()[0]],
      support: { needs: ['hearing_loop', 'other'] },
    });
    const refused = await service.call('POST', '/api/visits', { body: without });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'support.details', code: 'required' })]);
    const body = {
      ...without,
      support: { needs: ['hearing_loop', 'other'], details: 'A seat near the door' },
      contact: { email: 'ada@example.com', phone: '07700 900123', notifyBy: 'text' },
    };
    const sent = await service.call('POST', '/api/visits', { body });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const staff = await service.staffToken('staff', ['BKI']);
    const seen = await service.call('GET', `/api/staff/visits/${sent.body.reference}`, { token: staff });
    expect(seen.body.support).toEqual(body.support);
    // Staff read both on the visit's page: the support, and that the visitor hears by text.
    const email = 'support-desk@test.example';
    await saveStaffAccount(service.db, { email, role: 'staff', prisons: ['BKI'], password: PASSWORD });
    const site: Site = await openSite(service.app.fetch);
    try {
      const page = await site.signIn(email, PASSWORD);
      await page.goto(`/staff/visits/${sent.body.reference}`);
      const main = await page.textContent('main');
      expect(main).toContain('Hearing loop; Other (see the details); A seat near the door');
      expect(main).toContain('07700 900123 (told by text message)');
    } finally {
      await site.close();
    }
  });
});

describe('a prisoner linked to an account', () => {
  it('is linked only when the prisoner service knows the number with that date of birth', async () => {
    const token = await bookerToken('linker@test.example');
    fakePrisonerService.records.set('L1234KD', prisonerAt('L1234KD'));
    const wrong = await service.call('POST', '/api/booker/prisoners', {
      token,
      body: { number: 'L1234KD', dateOfBirth: '1981-10-16' },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors).toEqual([expect.objectContaining({ path: 'number', code: 'prisoner_not_matched' })]);
    const unknown = await service.call('POST', '/api/booker/prisoners', {
      token,
      body: { number: 'Z9999ZZ', dateOfBirth: samplePrisoner.dateOfBirth },
    });
    expect(unknown.status).toBe(422);
    fakePrisonerService.state = 'down';
    try {
      const down = await service.call('POST', '/api/booker/prisoners', {
        token,
        body: { number: 'L1234KD', dateOfBirth: samplePrisoner.dateOfBirth },
      });
      expect(down.status).toBe(503);
      expect(down.headers.get('Retry-After')).toBeTruthy();
    } finally {
      fakePrisonerService.state = 'up';
    }
    const linked = await service.call('POST', '/api/booker/prisoners', {
      token,
      body: { number: 'l1234 kd', dateOfBirth: samplePrisoner.dateOfBirth },
    });
    expect(linked.status, JSON.stringify(linked.body)).toBe(201);
    expect(linked.body.prisoners).toEqual([
      expect.objectContaining({ number: 'L1234KD', firstName: 'Oscar', lastName: 'Wilde', prisonId: 'BKI' }),
    ]);
  });
});

/** Presses Tab until the element `selector` has the focus (at most 80 presses): it is reachable by keyboard. */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let presses = 0; presses < 80; presses++) {
    if ((await page.locator(`${selector}:focus`).count()) > 0) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} never had the focus on ${page.url()}`);
}

/** Tabs into a group of radios and moves with the arrow keys to the one of `value`, which chooses it. */
async function chooseRadio(page: Page, name: string, value: string): Promise<void> {
  await tabTo(page, `input[name="${name}"]`);
  for (let presses = 0; presses < 100; presses++) {
    if ((await page.locator(`input[name="${name}"][value="${value}"]:focus`).count()) > 0) {
      if (!(await page.isChecked(`input[name="${name}"][value="${value}"]`))) await page.keyboard.press('Space');
      return;
    }
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`the radio ${name}=${value} was never reached on ${page.url()}`);
}

/** Tabs to a field and types into it, as someone with a keyboard alone would. */
async function typeInto(page: Page, selector: string, value: string): Promise<void> {
  await tabTo(page, selector);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(value);
}

/** Tabs to the page's main button (or `selector`) and presses Enter, waiting for the next page. */
async function press(page: Page, selector = 'main .govuk-button:not(.govuk-button--secondary)'): Promise<void> {
  await tabTo(page, selector);
  const navigated = page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame());
  await page.keyboard.press('Enter');
  await navigated;
  await page.waitForLoadState('load');
}

describe('the signed-in booker’s journey in a browser', () => {
  it(
    'signs in by link, finds the prisoner and visitors filled in, books at once and sees the visit in "Your visits", in Welsh, by keyboard, with and without JavaScript',
    { timeout: 120_000 },
    async () => {
      const address = 'journey@test.example';
      fakePrisonerService.records.set('J1234RN', prisonerAt('J1234RN'));
      const site: Site = await openSite(service.app.fetch);
      const staff = await service.staffToken('staff', ['BKI']);
      const booked: string[] = [];
      try {
        for (const [run, javaScriptEnabled] of [
          [1, true],
          [2, false],
        ] as const) {
          const page = await site.page({ javaScriptEnabled });
          const label = `booker-cy-${run}${javaScriptEnabled ? '' : '-no-js'}`;
          const check = async (name: string) => {
            if (javaScriptEnabled) await checkPage(page, `${label}-${name}`);
          };
          if (run === 2) {
            // Signing in again on another device, after the minute in which a repeated request sends nothing: the
            // test ends the first request's minute rather than wait for it.
            const account = await service.db.collection('bookers').findOne({ _id: address } as object);
            await service.client.workflow.getHandle(signInWorkflowId(account?.bookerId)).terminate('a minute on');
          }
          await page.goto('/account/sign-in?lang=cy');
          await check('sign-in');
          const before = signInEmails(address).length;
          await typeInto(page, '#email', address);
          await press(page);
          expect(await page.textContent('h1')).toContain('Gwiriwch eich e-bost');
          await check('sent');
          const mail = await eventually(async () => signInEmails(address)[before]);
          expect(mail.subject).toContain('Mewngofnodi');
          const path = /\/account\/sign-in\/[\w-]+/.exec(mail.text ?? '')?.[0] ?? '';
          await page.goto(path);
          await check('use-link');
          // The page names the account the link signs into, without giving the address away.
          expect(await page.textContent('#signing-in-as')).toContain('j•••@test.example');
          await press(page);
          expect(new URL(page.url()).pathname).toBe('/account');
          expect(await page.textContent('h1')).toContain('Eich ymweliadau');
          // Every cookie a signed-in booker holds is on the cookies page.
          const held = (await page.context().cookies()).map((cookie) => cookie.name);
          expect(listedCookies.map((cookie) => cookie.name)).toEqual(expect.arrayContaining(held));
          await check('your-visits');

          if (run === 1) {
            // The prisoner is linked once, and offered on every journey after.
            await press(page, 'a[href="/account/prisoners/add"]');
            await check('add-prisoner');
            const [year, month, day] = samplePrisoner.dateOfBirth.split('-');
            await typeInto(page, '#number', 'J1234RN');
            await typeInto(page, '#dateOfBirth-day', day);
            await typeInto(page, '#dateOfBirth-month', month);
            await typeInto(page, '#dateOfBirth-year', year);
            await press(page);
            expect(await page.textContent('main')).toContain('J1234RN');
          }

          await press(page, 'main a.govuk-button[href="/request/prison"]');
          await chooseRadio(page, 'prisonId', 'BKI');
          await press(page);
          await check('prisoner');
          expect(await page.inputValue('#prisoner-number')).toBe('J1234RN');
          expect(await page.inputValue('#prisoner-firstName')).toBe('Oscar');
          await press(page);
          await check('visitors');
          if (run === 1) {
            await typeInto(page, '#visitors-0-firstName', 'Ada');
            await typeInto(page, '#visitors-0-lastName', 'Wilde');
            await typeInto(page, '#visitors-0-dateOfBirth-day', '1');
            await typeInto(page, '#visitors-0-dateOfBirth-month', '1');
            await typeInto(page, '#visitors-0-dateOfBirth-year', '1985');
            // What the visitors need at the visit: a need ticked, and words of their own.
            await tabTo(page, 'input[name="support"][value="wheelchair"]');
            await page.keyboard.press('Space');
            await typeInto(page, '#support-details', 'Ada needs a seat near the door');
          } else {
            // The visitors of the last request, kept by the account.
            expect(await page.inputValue('#visitors-0-firstName')).toBe('Ada');
            expect(await page.inputValue('#visitors-0-dateOfBirth-year')).toBe('1985');
          }
          await press(page);
          await check('slots');
          const slot = slots()[run];
          const day = page.locator(`[data-calendar-date="${slot.slice(0, 10)}"]`);
          if (javaScriptEnabled && (await day.count())) {
            await tabTo(page, `[data-calendar-date="${slot.slice(0, 10)}"]`);
            await page.keyboard.press('Enter');
          }
          await chooseRadio(page, 'slotOptions', slot);
          await press(page);
          await check('contact');
          expect(await page.inputValue('#contact-email')).toBe(address);
          if (run === 1) await typeInto(page, '#contact-phone', '07700 900123');
          else expect(await page.inputValue('#contact-phone')).toBe('07700 900123');
          await press(page);
          await check('check');
          if (run === 1) {
            expect(await page.textContent('main')).toContain('Defnyddiwr cadair olwyn');
            expect(await page.textContent('main')).toContain('Ada needs a seat near the door');
          }
          await press(page);
          await check('confirmation');
          expect(await page.textContent('.govuk-panel__title')).toContain('Ymweliad wedi’i drefnu');
          booked.push((await page.locator('.govuk-panel__body strong').textContent())?.trim() ?? '');
          if (run === 1) {
            const seen = await service.call('GET', `/api/staff/visits/${booked[0]}`, { token: staff });
            expect(seen.body.support).toEqual({ needs: ['wheelchair'], details: 'Ada needs a seat near the door' });
          }
          await press(page, 'a[href="/account"]');
          const upcoming = await page.textContent('table[aria-labelledby="upcoming"]');
          for (const reference of booked) expect(upcoming).toContain(reference);
          await check('your-visits-booked');
          if (run === 2) {
            // Signing out ends the session, and the journey the account filled in goes with it.
            await press(page, 'form[action="/account/sign-out"] .govuk-button');
            expect(new URL(page.url()).pathname).toBe('/account/sign-in');
            const cookies = (await page.context().cookies()).map((cookie) => cookie.name);
            expect(cookies).not.toContain('pvb_booker');
            await page.goto('/account');
            expect(new URL(page.url()).pathname).toBe('/account/sign-in');
            // The answers are gone: the journey starts again from the choice of prison.
            await page.goto('/request/prisoner');
            expect(['/', '/request/prison']).toContain(new URL(page.url()).pathname);
          }
          await page.context().close();
        }
      } finally {
        await site.close();
      }
    },
  );
});

// What staff print for the visits hall, in Debian's Chromium (issue 18): the day's list of booked visits, a slot at a
// time, and a pass for each booked visit; who may print them; and what is left off the paper.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { findVisit } from '../activities/readModel/lookups';
import { visitsCollection } from '../activities/readModel/visits';
import { saveStaffAccount } from '../api/staffAccounts';
import { checkPage, openSite, type Site } from './browser';
import { fakePrisonerService, samplePrisoner } from './fakePrisonerService';
import { eventually, PASSWORD, slotsAt, startTestService, visitRequestBody, type TestService } from './harness';

let service: TestService;
let site: Site;
let adminToken = '';

/** A day with a morning and an afternoon visit at Northgate and a visit at Westmoor, and another Northgate day. */
function chooseDays() {
  const ngt = slotsAt('NGT');
  const wmr = slotsAt('WMR');
  const day = ngt
    .map((slot) => slot.slice(0, 10))
    .find(
      (date) => ngt.filter((slot) => slot.startsWith(date)).length >= 2 && wmr.some((slot) => slot.startsWith(date)),
    );
  if (!day) throw new Error('no Northgate day with two slots that Westmoor also visits');
  const [morning, afternoon] = ngt.filter((slot) => slot.startsWith(day)).sort();
  const otherDay = ngt.find((slot) => !slot.startsWith(day));
  const westmoor = wmr.find((slot) => slot.startsWith(day));
  if (!otherDay || !westmoor) throw new Error('no other day');
  return { day, morning, afternoon, otherDay, westmoor };
}
const { day, morning, afternoon, otherDay, westmoor } = chooseDays();

/** A visitor's age on the visit's day, for a birthday of 15 June. */
const ageOnDay = (year: number) => Number(day.slice(0, 4)) - year - (day.slice(5) < '06-15' ? 1 : 0);

const prisoner = (firstName: string, lastName: string, number: string, prisonId = 'NGT') => {
  fakePrisonerService.records.set(number, { ...samplePrisoner, firstName, lastName, number, prisonId });
  return { firstName, lastName, dateOfBirth: samplePrisoner.dateOfBirth, number };
};
const visitor = (firstName: string, lastName: string, dateOfBirth: string) => ({ firstName, lastName, dateOfBirth });

async function submit(overrides: Record<string, unknown>) {
  const response = await service.call('POST', '/api/visits', { body: visitRequestBody(overrides) });
  expect(response.status).toBe(201);
  const { reference } = response.body as { reference: string };
  await eventually(async () => (await findVisit(service.db, reference)) ?? undefined);
  return reference;
}

/** Books a request as staff, and waits for the read model to show it booked. */
async function book(reference: string, decision: Record<string, unknown>) {
  const response = await service.call('POST', `/api/staff/visits/${reference}/decision`, {
    token: adminToken,
    body: { outcome: 'accept', ...decision },
  });
  expect(response.status).toBe(200);
  await eventually(async () => ((await findVisit(service.db, reference))?.status === 'booked' ? true : undefined));
}

const visits = { afternoon: '', morning: '', otherDay: '', westmoor: '', requested: '', cancelled: '' };

beforeAll(async () => {
  service = await startTestService('printing');
  await saveStaffAccount(service.db, { email: 'ngt@print.test', role: 'staff', prisons: ['NGT'], password: PASSWORD });
  await saveStaffAccount(service.db, { email: 'wmr@print.test', role: 'staff', prisons: ['WMR'], password: PASSWORD });
  await saveStaffAccount(service.db, {
    email: 'policy@print.test',
    role: 'policy',
    prisons: ['NGT'],
    password: PASSWORD,
  });
  adminToken = await service.staffToken('admin', []);
  site = await openSite(service.app.fetch);

  // Booked in the opposite order to their times: the list is in the slots' order, not the bookings'.
  visits.afternoon = await submit({
    prisoner: prisoner('Oscar', 'Wilde', 'A1234BC'),
    visitors: [
      visitor('Ada', 'Wilde', '1985-06-15'),
      visitor('Kit', 'Wilde', '2015-06-15'),
      visitor('Bo', 'Wilde', '1990-06-15'),
    ],
    slotOptions: [afternoon],
  });
  await book(visits.afternoon, {
    slot: afternoon,
    referenceNo: 'NG-PM-1',
    closed: true,
    visitors: [{ index: 2, status: 'not_on_list' }],
  });
  visits.morning = await submit({
    prisoner: prisoner('Bram', 'Stoker', 'B2345CD'),
    visitors: [visitor('Florence', 'Stoker', '1960-06-15')],
    slotOptions: [morning],
  });
  await book(visits.morning, { slot: morning, referenceNo: 'NG-AM-1' });
  // The support the visitors asked for, as a visit will record it (the request's `support`): put in the read model
  // here, so that the paper's words for it are tested whatever the request form offers.
  await visitsCollection(service.db).updateOne(
    { _id: visits.morning },
    { $set: { support: { needs: ['wheelchair', 'other'], details: 'A seat near the door' } } },
  );
  visits.otherDay = await submit({
    prisoner: prisoner('Jane', 'Austen', 'J1111AA'),
    visitors: [visitor('Cassandra', 'Austen', '1973-06-15')],
    slotOptions: [otherDay],
  });
  await book(visits.otherDay, { slot: otherDay, referenceNo: 'NG-OTHER' });
  visits.westmoor = await submit({
    prisonId: 'WMR',
    prisoner: prisoner('Mary', 'Shelley', 'M2222BB', 'WMR'),
    visitors: [visitor('Percy', 'Shelley', '1972-06-15')],
    slotOptions: [westmoor],
  });
  await book(visits.westmoor, { slot: westmoor, referenceNo: 'WM-1' });
  visits.cancelled = await submit({
    prisoner: prisoner('Wilkie', 'Collins', 'W4444DD'),
    visitors: [visitor('Caroline', 'Collins', '1970-06-15')],
    slotOptions: [morning],
  });
  await book(visits.cancelled, { slot: morning, referenceNo: 'NG-CANCELLED' });
  const cancelled = await service.call('POST', `/api/staff/visits/${visits.cancelled}/cancel`, {
    token: adminToken,
    body: { reasons: ['prisoner_moved'] },
  });
  expect(cancelled.body).toMatchObject({ status: 'cancelled' });
  visits.requested = await submit({
    prisoner: prisoner('Emily', 'Bronte', 'E3333CC'),
    visitors: [visitor('Anne', 'Bronte', '1980-06-15')],
    slotOptions: [morning],
  });
}, 120_000);
afterAll(async () => {
  await site?.close();
  await service?.close();
});

const signIn = (email: string) => site.signIn(email, PASSWORD);
const printedList = `/staff/booked/print?prisonId=NGT&date=${day}`;

/** Each slot's table on the printed list: its caption and the text of its rows. */
const slotTables = (page: Page) =>
  page.locator('table').evaluateAll((tables) =>
    tables.map((table) => ({
      caption: table.querySelector('caption')?.textContent?.trim() ?? '',
      // As read: a line break or a cell's edge is a space.
      rows: Array.from(table.querySelectorAll<HTMLElement>('tbody tr')).map((row) =>
        row.innerText.replace(/\s+/g, ' ').trim(),
      ),
    })),
  );

describe('staff print', () => {
  it('the day’s list from the booked visits page: the day’s booked visits a slot at a time, with their visitors', async () => {
    const page = await signIn('ngt@print.test');
    await page.goto(`/staff/booked?prisonId=NGT&date=${day}`);
    await page.getByRole('link', { name: 'Print the day’s list' }).click();
    await page.waitForURL(`**${printedList}`);
    await checkPage(page, 'staff-booked-print');
    expect(await page.textContent('h1')).toContain('Visits on');
    expect(await page.textContent('main')).toContain('HMP Northgate');

    const tables = await slotTables(page);
    expect(tables.map((table) => table.caption)).toEqual([
      expect.stringMatching(/^9:30am to 11:30am \(1 visit\)/),
      expect.stringMatching(/^2pm to 4pm \(1 visit\)/),
    ]);
    const [[first], [second]] = tables.map((table) => table.rows);
    expect(first).toContain('Bram Stoker B2345CD');
    expect(first).toContain(`Florence Stoker born 15 June 1960, age ${ageOnDay(1960)}`);
    expect(first).toContain('Open NG-AM-1 Wheelchair user; A seat near the door');
    expect(second).toContain('Oscar Wilde A1234BC');
    expect(second).toContain(`Ada Wilde born 15 June 1985, age ${ageOnDay(1985)}`);
    expect(second).toContain(`Kit Wilde born 15 June 2015, age ${ageOnDay(2015)}`);
    expect(second).toContain('Closed NG-PM-1');
    // A visitor staff did not allow does not come.
    expect(second).not.toContain('Bo Wilde');

    // Nothing of another prison, another day, a request not yet booked or a visit cancelled.
    const main = (await page.textContent('main')) ?? '';
    for (const absent of ['Mary Shelley', 'Jane Austen', 'Emily Bronte', 'Wilkie Collins', 'WM-1', 'NG-OTHER']) {
      expect(main).not.toContain(absent);
    }
    await page.context().close();
  });

  it('a visit’s pass from the list: its prison, time, references, prisoner, visitors, hall and support', async () => {
    const page = await signIn('ngt@print.test');
    await page.goto(printedList);
    await page.getByRole('link', { name: /Pass for Bram Stoker/ }).click();
    await page.waitForURL(`**/staff/visits/${visits.morning}/pass`);
    await checkPage(page, 'staff-visit-pass');
    const rows = async () =>
      Object.fromEntries(
        await page
          .locator('.govuk-summary-list__row')
          .evaluateAll((all) =>
            all.map((row) => [
              row.querySelector('dt')?.textContent?.trim(),
              row.querySelector('dd')?.textContent?.replace(/\s+/g, ' ').trim(),
            ]),
          ),
      );
    expect(await page.textContent('main')).toContain(visits.morning);
    expect(await rows()).toEqual({
      Prison: 'HMP Northgate',
      Date: expect.stringMatching(new RegExp(` ${Number(day.slice(8))} \\w+ ${day.slice(0, 4)}$`)),
      Time: '9:30am to 11:30am',
      'Booking reference': 'NG-AM-1',
      Prisoner: 'Bram Stoker (B2345CD)',
      Visitors: `Florence Stoker, born 15 June 1960, age ${ageOnDay(1960)}`,
      Visit: 'Open',
      'Additional support': 'Wheelchair user; A seat near the door',
    });

    // From the booked visits page too; a visit without support has no row for it.
    await page.goto(`/staff/booked?prisonId=NGT&date=${day}`);
    await page.getByRole('link', { name: /Pass for Oscar Wilde/ }).click();
    await page.waitForURL(`**/staff/visits/${visits.afternoon}/pass`);
    const afternoonPass = await rows();
    expect(afternoonPass).toMatchObject({ Prisoner: 'Oscar Wilde (A1234BC)', Visit: 'Closed', Time: '2pm to 4pm' });
    expect(afternoonPass.Visitors).toContain('Ada Wilde');
    expect(afternoonPass.Visitors).toContain('Kit Wilde');
    expect(afternoonPass.Visitors).not.toContain('Bo Wilde');
    expect(afternoonPass).not.toHaveProperty('Additional support');
    await page.context().close();
  });

  it('no pass for a request not yet booked, nor for a visit cancelled', async () => {
    const page = await signIn('ngt@print.test');
    for (const reference of [visits.requested, visits.cancelled]) {
      const response = await page.goto(`/staff/visits/${reference}/pass`);
      expect(response?.status(), reference).toBe(409);
      expect(await page.textContent('h1')).toContain('This visit has no pass');
      expect(await page.textContent('main')).not.toMatch(/Anne Bronte|Caroline Collins/);
    }
    await page.context().close();
  });

  it('nothing of another prison: its list is refused, its visits’ passes are not found', async () => {
    const other = await signIn('wmr@print.test');
    expect((await other.goto(printedList))?.status()).toBe(403);
    expect(await other.textContent('main')).not.toContain('Oscar Wilde');
    expect((await other.goto(`/staff/visits/${visits.afternoon}/pass`))?.status()).toBe(404);
    expect(await other.textContent('main')).not.toContain('Oscar Wilde');
    // Their own prison's pass they print.
    expect((await other.goto(`/staff/visits/${visits.westmoor}/pass`))?.status()).toBe(200);
    await other.context().close();

    // The policy role sees no visit.
    const policy = await signIn('policy@print.test');
    expect((await policy.goto(printedList))?.status()).toBe(403);
    expect((await policy.goto(`/staff/visits/${visits.afternoon}/pass`))?.status()).toBe(403);
    await policy.context().close();
  });

  it('the paper without the navigation, header, footer or buttons', async () => {
    const page = await signIn('ngt@print.test');
    for (const path of [printedList, `/staff/visits/${visits.morning}/pass`]) {
      await page.goto(path);
      const onScreen = ['.govuk-header', '.govuk-service-navigation', '.govuk-footer'];
      for (const selector of onScreen) expect(await page.locator(selector).isVisible(), selector).toBe(true);
      expect(await page.getByRole('button', { name: 'Print' }).isVisible()).toBe(true);
      await page.emulateMedia({ media: 'print' });
      for (const selector of [...onScreen, '.govuk-button', '.app-screen-only']) {
        for (const shown of await page.locator(selector).all()) expect(await shown.isVisible(), selector).toBe(false);
      }
      expect(await page.locator('h1').isVisible()).toBe(true);
      expect(await page.getByText('Bram Stoker').first().isVisible()).toBe(true);
      await checkPage(page, path === printedList ? 'staff-booked-print-paper' : 'staff-visit-pass-paper');
      await page.emulateMedia({ media: 'screen' });
    }
    await page.context().close();
  });

  it('with the Print button, which prints with JavaScript and is not there without it', async () => {
    const page = await signIn('ngt@print.test');
    await page.addInitScript(() => {
      window.print = () => Object.assign(window, { printed: true });
    });
    await page.goto(printedList);
    await page.getByRole('button', { name: 'Print' }).click();
    await page.waitForFunction(() => (window as unknown as { printed?: boolean }).printed === true, undefined, {
      timeout: 5_000,
    });
    await page.context().close();

    const withoutScript = await site.page({ javaScriptEnabled: false });
    await withoutScript.goto('/staff/sign-in');
    await withoutScript.fill('#email', 'ngt@print.test');
    await withoutScript.fill('#password', PASSWORD);
    await withoutScript.getByRole('button', { name: 'Sign in' }).click();
    for (const path of [printedList, `/staff/visits/${visits.morning}/pass`]) {
      await withoutScript.goto(path);
      expect(await withoutScript.textContent('main')).toContain('Bram Stoker');
      expect(await withoutScript.getByRole('button', { name: 'Print' }).count()).toBe(0);
    }
    await withoutScript.context().close();
  });
});

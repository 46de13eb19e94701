// The first staff pages in Debian's Chromium: sign in, the queue, a visit, accept and reject; who may see what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { saveStaffAccount } from '../api/staffAccounts';
import { RuleBook } from '../rules/ruleBook';
import { channelChoices } from '../ui/staff/assisted';
import { londonTime, slotInWords, slotShort, slotStart } from '../ui/staff/words';
import type { Page } from 'playwright-core';
import { checkPage, openSite, type Site } from './browser';
import {
  eventually,
  PASSWORD,
  slotsAt,
  startTestService,
  testApp,
  visitRequestBody,
  type TestService,
} from './harness';

let service: TestService;
let site: Site;

beforeAll(async () => {
  service = await startTestService('staff_pages');
  await saveStaffAccount(service.db, { email: 'ngt@staff.test', role: 'staff', prisons: ['NGT'], password: PASSWORD });
  await saveStaffAccount(service.db, { email: 'wmr@staff.test', role: 'staff', prisons: ['WMR'], password: PASSWORD });
  site = await openSite(service.app.fetch);
}, 120_000);
afterAll(async () => {
  await site?.close();
  await service?.close();
});

async function submit(overrides: Record<string, unknown> = {}) {
  const response = await service.call('POST', '/api/visits', { body: visitRequestBody(overrides) });
  expect(response.status).toBe(201);
  return response.body as { reference: string; accessToken: string; statusUrl: string };
}

const signIn = (email: string) => site.signIn(email, PASSWORD);

/** On a request's page, answers the decision's first question: accept or reject. */
async function firstQuestion(page: Page, outcome: 'accept' | 'reject') {
  await page
    .getByRole('radio', { name: outcome === 'accept' ? 'Accept: book one of the times' : 'Reject the request' })
    .check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`**/decision?outcome=${outcome}`);
}

/** Opens a request's page and goes on to the fields of the outcome chosen. */
async function decide(page: Page, reference: string, outcome: 'accept' | 'reject') {
  await page.goto(`/staff/visits/${reference}`);
  await firstQuestion(page, outcome);
}

const visitorSees = async (submitted: { statusUrl: string; accessToken: string }) =>
  (await service.call('GET', submitted.statusUrl, { token: submitted.accessToken })).body;

describe('staff', () => {
  it('sign in, see a request in their queue, and accept it; the visitor sees it booked', async () => {
    const submitted = await submit();
    const page = await signIn('ngt@staff.test');
    expect(page.url()).toMatch(/\/staff\/queue$/);
    await checkPage(page, 'staff-queue');
    await page.getByRole('link', { name: submitted.reference }).click();
    await checkPage(page, 'staff-visit');
    await firstQuestion(page, 'accept');
    await checkPage(page, 'staff-decision-accept');
    const [slot] = visitRequestBody().slotOptions;
    await page.check(`input[name="slot"][value="${slot}"]`);
    await page.fill('#referenceNo', 'NG-500');
    await page.fill('#message', 'Please arrive 30 minutes early.');
    await page.getByRole('button', { name: 'Book the visit' }).click();
    expect(await page.textContent('.govuk-service-navigation')).toMatch(/Queue \(\d+\)/);
    expect(await page.textContent('.govuk-notification-banner')).toContain(`Visit ${submitted.reference} booked for`);
    expect(await visitorSees(submitted)).toMatchObject({ status: 'booked', slotGranted: slot });
    await page.goto(`/staff/visits/${submitted.reference}`);
    expect(await page.textContent('main')).toContain('Please arrive 30 minutes early.');
    const visitor = await site.page();
    await visitor.goto(`/visits/${submitted.reference}?token=${encodeURIComponent(submitted.accessToken)}`);
    expect(await visitor.textContent('main')).toContain('Your visit is booked for');
    await visitor.context().close();
    await page.goto('/staff/processed');
    await checkPage(page, 'staff-processed');
    expect(await page.textContent('table')).toContain(submitted.reference);
    await page.context().close();
  });

  it('see the queue refresh itself when a request arrives', async () => {
    const page = await signIn('ngt@staff.test');
    // Notes when the page's event stream says the server is watching the queue, from the page's next load on.
    await page.addInitScript(() => {
      window.EventSource = class extends window.EventSource {
        constructor(...args: ConstructorParameters<typeof EventSource>) {
          super(...args);
          this.addEventListener('watching', () => Object.assign(window, { queueWatched: true }));
        }
      };
    });
    await page.reload();
    // The server has taken the look at the queue that later looks are compared with: a request from now on is a
    // change.
    await page.waitForFunction(
      () => (window as unknown as { queueWatched?: boolean }).queueWatched === true,
      undefined,
      { timeout: 15_000 },
    );
    const submitted = await submit();
    await page.getByRole('link', { name: submitted.reference }).waitFor({ timeout: 15_000 });
    await page.context().close();
  });

  it('see the places left in a slot with a capacity, and record a visitor banned until a date', async () => {
    await saveStaffAccount(service.db, {
      email: 'slt@staff.test',
      role: 'staff',
      prisons: ['SLT'],
      password: PASSWORD,
    });
    const [slot] = slotsAt('SLT').filter((s) => s.endsWith('14:00/15:30'));
    const child = { firstName: 'Kit', lastName: 'Wilde', dateOfBirth: '2015-01-01' };
    const submitted = await submit({
      prisonId: 'SLT',
      slotOptions: [slot],
      visitors: [visitRequestBody().visitors[0], child],
    });
    const page = await signIn('slt@staff.test');
    await decide(page, submitted.reference, 'accept');
    expect(await page.textContent('main')).toContain('Places left: 2 open, 1 closed');
    await page.check(`input[name="slot"][value="${slot}"]`);
    await page.fill('#referenceNo', 'SL-1');
    await page.selectOption('#visitor-1', 'banned');
    // The ban's end is a GOV.UK date input: a date that is no real date is refused, naming its day field.
    await page.getByRole('group', { name: /Kit Wilde is banned, until when/ }).waitFor();
    await page.fill('#visitors-1-bannedUntil-day', '31');
    await page.fill('#visitors-1-bannedUntil-month', '6');
    await page.fill('#visitors-1-bannedUntil-year', '2027');
    await page.getByRole('button', { name: 'Book the visit' }).click();
    await checkPage(page, 'staff-visit-ban-error');
    expect(await page.locator('.govuk-error-summary a').getAttribute('href')).toBe('#visitors-1-bannedUntil-day');
    // What was typed is kept: only the wrong day needs typing again.
    expect(await page.isChecked(`input[name="slot"][value="${slot}"]`)).toBe(true);
    expect(await page.inputValue('#referenceNo')).toBe('SL-1');
    expect(await page.inputValue('#visitor-1')).toBe('banned');
    expect(await page.inputValue('#visitors-1-bannedUntil-year')).toBe('2027');
    await page.fill('#visitors-1-bannedUntil-day', '30');
    await page.getByRole('button', { name: 'Book the visit' }).click();
    const staffToken = await service.staffToken('staff', ['SLT']);
    const visit = await service.call('GET', `/api/staff/visits/${submitted.reference}`, { token: staffToken });
    expect(visit.body).toMatchObject({ status: 'booked' });
    expect(visit.body.visitors[1]).toMatchObject({ outcome: 'banned', bannedUntil: '2027-06-30' });
    await page.goto(`/staff/visits/${submitted.reference}`);
    await page.context().close();
  });

  it('reject a request with reasons, and are told what is missing first', async () => {
    const submitted = await submit();
    const page = await signIn('ngt@staff.test');
    await decide(page, submitted.reference, 'reject');
    await checkPage(page, 'staff-decision-reject');
    await page.getByRole('button', { name: 'Reject the request' }).click();
    await checkPage(page, 'staff-visit-error');
    expect(await page.locator('.govuk-error-summary a').getAttribute('href')).toBe('#reasons');
    await page.getByLabel('Prisoner has no visiting allowance').check();
    await page.getByRole('button', { name: 'Reject the request' }).click();
    expect(await visitorSees(submitted)).toMatchObject({
      status: 'rejected',
      rejection: { reasons: ['no_allowance'] },
    });
    expect(await page.textContent('.govuk-notification-banner')).toContain(`Request ${submitted.reference} rejected`);
    await page.goto(`/staff/visits/${submitted.reference}`);
    expect(await page.textContent('.govuk-summary-list')).toMatch(
      /Rejected because\s*Prisoner has no visiting allowance/,
    );
    expect(await page.textContent('main')).not.toContain('no_allowance');
    await page.context().close();
  });

  it('choosing none of the times rejects the request as slot unavailable', async () => {
    const submitted = await submit({ slotOptions: slotsAt('NGT').slice(3, 4) });
    const page = await signIn('ngt@staff.test');
    await decide(page, submitted.reference, 'accept');
    await page.check('input[name="slot"][value="none"]');
    await page.getByRole('button', { name: 'Book the visit' }).click();
    expect((await visitorSees(submitted)).rejection).toMatchObject({ reasons: ['slot_unavailable'] });
    await page.context().close();
  });

  it('of another prison cannot see the visit, and nobody signed out can', async () => {
    const submitted = await submit();
    const other = await signIn('wmr@staff.test');
    const response = await other.goto(`/staff/visits/${submitted.reference}`);
    expect(response?.status()).toBe(404);
    await other.context().close();
    const anonymous = await site.page();
    await anonymous.goto('/staff/queue');
    expect(anonymous.url()).toMatch(/\/staff\/sign-in$/);
    await checkPage(anonymous, 'staff-sign-in');
    await anonymous.context().close();
  });

  it('cannot post a decision without the form’s CSRF token', async () => {
    const submitted = await submit();
    const page = await signIn('ngt@staff.test');
    const status = await page.evaluate(async (reference) => {
      const response = await fetch(`/staff/visits/${reference}/decision`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'outcome=reject&reasons=no_allowance',
      });
      return response.status;
    }, submitted.reference);
    expect(status).toBe(403);
    expect((await visitorSees(submitted)).status).toBe('requested');
    await page.context().close();
  });

  it('are refused sign-in with a wrong password, and signed out on request', async () => {
    const page = await site.page();
    await page.goto('/staff/sign-in');
    await page.fill('#email', 'ngt@staff.test');
    await page.fill('#password', 'not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.textContent('.govuk-error-summary')).toContain('Enter the email address and password');
    await page.fill('#password', PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto('/staff/queue');
    expect(page.url()).toMatch(/\/staff\/sign-in$/);
    await page.context().close();
  });

  it('message a booked visit and cancel it with reasons; the visitor hears of both', async () => {
    const submitted = await submit({ slotOptions: slotsAt('NGT').slice(4, 5) });
    const [slot] = slotsAt('NGT').slice(4, 5);
    const staffToken = await service.staffToken('staff', ['NGT']);
    await service.call('POST', `/api/staff/visits/${submitted.reference}/decision`, {
      token: staffToken,
      body: { outcome: 'accept', slot, referenceNo: 'NG-9' },
    });
    const page = await signIn('ngt@staff.test');
    await page.goto(`/staff/visits/${submitted.reference}`);
    await checkPage(page, 'staff-visit-booked');
    await page.fill('#body', 'Please bring your visiting order.');
    await page.getByRole('button', { name: 'Send message' }).click();
    expect(await page.textContent('.govuk-notification-banner')).toContain('Message sent.');
    await page.getByRole('button', { name: 'Cancel the visit' }).click();
    expect(await page.locator('.govuk-error-summary a').getAttribute('href')).toBe('#cancelReasons');
    await page.check('input[name="cancelReasons"][value="prisoner_moved"]');
    await page.getByRole('button', { name: 'Cancel the visit' }).click();
    expect(await visitorSees(submitted)).toMatchObject({
      status: 'cancelled',
      cancellation: { by: 'staff', reasons: ['prisoner_moved'] },
    });
    const about = () => service.mail.messages.filter((m) => `${m.subject} ${m.text}`.includes(submitted.reference));
    await eventually(async () =>
      about().some((m) => /message/.test(m.subject ?? '')) && about().some((m) => /cancelled/.test(m.subject ?? ''))
        ? true
        : undefined,
    );
    await page.context().close();
  });

  it('search by prison number, and list and download the day’s booked visits', async () => {
    const [slot] = slotsAt('NGT').slice(5, 6);
    const submitted = await submit({
      slotOptions: [slot],
      prisoner: { ...visitRequestBody().prisoner, number: 'Z9876YX' },
    });
    const staffToken = await service.staffToken('staff', ['NGT']);
    await service.call('POST', `/api/staff/visits/${submitted.reference}/decision`, {
      token: staffToken,
      body: { outcome: 'accept', slot, referenceNo: '=CMD()' },
    });
    const page = await signIn('ngt@staff.test');
    await page.goto('/staff/search?q=z9876%20yx');
    await checkPage(page, 'staff-search');
    expect(await page.getByRole('link', { name: submitted.reference }).count()).toBe(1);
    await page.goto(`/staff/booked?prisonId=NGT&date=${slot.slice(0, 10)}`);
    await checkPage(page, 'staff-booked');
    expect(await page.textContent('table')).toContain('Oscar Wilde (Z9876YX)');
    const download = await page.evaluate(
      async (url) => {
        const response = await fetch(url);
        return { type: response.headers.get('Content-Type'), text: await response.text() };
      },
      `/staff/booked.csv?prisonId=NGT&date=${slot.slice(0, 10)}`,
    );
    expect(download.type).toMatch(/^text\/csv/);
    const [header, ...rows] = download.text.trim().split('\r\n');
    expect(header).toBe('"time","prisoner","prison number","visitors","closed","booking reference","reference"');
    const row = rows.find((line) => line.includes(submitted.reference));
    expect(row).toContain(`"${slot.slice(11)}","Oscar Wilde","Z9876YX","Ada Wilde","no","'=CMD()"`);
    await page.context().close();
  });

  it('see a booked visit’s time and booking reference, and its timeline in London time in words', async () => {
    const [slot] = slotsAt('NGT').slice(7, 8);
    const submitted = await submit({ slotOptions: [slot] });
    const page = await signIn('ngt@staff.test');
    await decide(page, submitted.reference, 'accept');
    await page.check(`input[name="slot"][value="${slot}"]`);
    await page.fill('#referenceNo', 'NG-701');
    await page.getByRole('button', { name: 'Book the visit' }).click();
    await page.goto(`/staff/visits/${submitted.reference}`);
    await checkPage(page, 'staff-visit-booked-summary');
    const summary = page.locator('.govuk-summary-list');
    const value = (key: string) =>
      summary.locator('.govuk-summary-list__row', { has: page.getByText(key, { exact: true }) }).locator('dd');
    expect(await value('Booked for').textContent()).toContain(slotInWords(slot));
    expect(await value('Booking reference').textContent()).toContain('NG-701');
    const staffToken = await service.staffToken('staff', ['NGT']);
    const { body } = await service.call('GET', `/api/staff/visits/${submitted.reference}`, { token: staffToken });
    const timeline = await page.locator('main ol li').allTextContents();
    expect(timeline).toEqual([
      `requested: ${londonTime(body.timeline[0].at)} by visitor`,
      `booked: ${londonTime(body.timeline[1].at)} by ngt@staff.test`,
    ]);
    expect(timeline.join(' ')).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    await page.context().close();
  });

  it('read an instant as London’s clock says it, in words, in winter and in summer', () => {
    expect(londonTime('2026-12-03T14:40:00.000Z')).toBe('Thursday 3 December 2026, 2:40pm');
    expect(londonTime('2026-07-03T23:05:00.000Z')).toBe('Saturday 4 July 2026, 12:05am');
    expect(londonTime('2026-07-03T11:00:00.000Z')).toBe('Friday 3 July 2026, midday');
    expect(slotShort('2026-12-12T14:00/15:30')).toBe('Sat 12 Dec, 2pm to 3:30pm');
    expect(slotStart('2026-12-12T09:30/11:00')).toBe('Saturday 12 December, 9:30am');
  });

  it('land on the queue with a banner after a decision, and reloading it sends nothing again', async () => {
    const [slot] = slotsAt('NGT').slice(8, 9);
    const submitted = await submit({ slotOptions: [slot] });
    const page = await signIn('ngt@staff.test');
    await decide(page, submitted.reference, 'accept');
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request.url());
    });
    await page.check(`input[name="slot"][value="${slot}"]`);
    await page.fill('#referenceNo', 'NG-801');
    const [posted] = await Promise.all([
      page.waitForResponse((response) => response.request().method() === 'POST'),
      page.getByRole('button', { name: 'Book the visit' }).click(),
    ]);
    expect(posted.status()).toBe(303);
    await page.waitForURL('**/staff/queue?**');
    const url = new URL(page.url());
    expect(url.pathname).toBe('/staff/queue');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      prisonId: 'NGT',
      decided: submitted.reference,
      outcome: 'booked',
    });
    expect(page.url()).not.toMatch(/Oscar|Wilde|Ada|A1234BC|NG-801/);
    await checkPage(page, 'staff-queue-after-decision');
    const banner = page.locator('.govuk-notification-banner--success');
    expect(await banner.textContent()).toContain(`Visit ${submitted.reference} booked for ${slotStart(slot)}`);
    expect(posts).toHaveLength(1);

    const reloaded = await page.reload();
    expect(reloaded?.request().method()).toBe('GET');
    expect(reloaded?.status()).toBe(200);
    expect(posts).toHaveLength(1);
    expect(await banner.textContent()).toContain(`Visit ${submitted.reference} booked for`);
    const staffToken = await service.staffToken('staff', ['NGT']);
    const { body } = await service.call('GET', `/api/staff/visits/${submitted.reference}`, { token: staffToken });
    expect(body.timeline.map((entry: { status: string }) => entry.status)).toEqual(['requested', 'booked']);

    // A banner is only what the visit says: another outcome, or another prison's visit, shows none.
    await page.goto(`/staff/queue?prisonId=NGT&decided=${submitted.reference}&outcome=rejected`);
    expect(await page.locator('.govuk-notification-banner').count()).toBe(0);
    await page.context().close();
  });

  it('see, in the queue, the times each request asks for and how many visitors come', async () => {
    const slots = slotsAt('NGT').slice(9, 11);
    const child = { firstName: 'Kit', lastName: 'Wilde', dateOfBirth: '2015-01-01' };
    const submitted = await submit({ slotOptions: slots, visitors: [visitRequestBody().visitors[0], child] });
    const page = await signIn('ngt@staff.test');
    await page.goto('/staff/queue?prisonId=NGT');
    await checkPage(page, 'staff-queue-times');
    const headers = await page.locator('table').first().locator('th[scope="col"]').allTextContents();
    expect(headers.map((h) => h.trim())).toEqual([
      'Reference',
      'Prisoner',
      'Times asked for',
      'Visitors',
      'Confirm by',
      'Notes',
    ]);
    const cells = await page
      .locator('tr', { has: page.getByRole('link', { name: submitted.reference }) })
      .locator('td')
      .allTextContents();
    expect(cells[2]).toBe(slots.map(slotShort).join(''));
    expect(cells[2]).toMatch(/^\w{3} \d{1,2} \w{3}, /);
    expect(cells[3].trim()).toBe('2');
    await page.context().close();
  });
});

describe('staff deciding and finding their way', () => {
  it('answer “accept or reject?” first, then see only that outcome’s fields', async () => {
    const submitted = await submit();
    const page = await signIn('ngt@staff.test');
    await page.goto(`/staff/visits/${submitted.reference}`);
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await page.locator('.govuk-error-summary a').getAttribute('href')).toBe('#outcome');
    expect(await page.textContent('.govuk-error-summary')).toContain('Choose whether to accept or reject the request');
    await firstQuestion(page, 'reject');
    expect(await page.locator('input[name="reasons"]').count()).toBeGreaterThan(5);
    expect(await page.locator('input[name="slot"], #referenceNo').count()).toBe(0);
    await page.getByRole('link', { name: 'Back' }).click();
    await firstQuestion(page, 'accept');
    expect(await page.locator(`input[name="slot"]`).count()).toBe(3); // the two times asked for, and none
    expect(await page.locator('input[name="reasons"]').count()).toBe(0);
    expect((await service.call('GET', submitted.statusUrl, { token: submitted.accessToken })).body.status).toBe(
      'requested',
    );
    await page.context().close();
  });

  it('are told a refused page is refused, inside the staff layout, and so is a page not found', async () => {
    const page = await signIn('ngt@staff.test');
    const refused = await page.goto('/staff/queue?prisonId=WMR');
    expect(refused?.status()).toBe(403);
    await checkPage(page, 'staff-refused');
    expect(await page.textContent('h1')).toBe('You cannot see this prison’s visits');
    expect(await page.textContent('main')).not.toMatch(/expired/i);
    expect(await page.title()).toMatch(/Prison visits staff – GOV\.UK$/);
    expect(await page.textContent('.govuk-service-navigation')).toMatch(/Queue[\s\S]*Sign out/);
    expect(await page.textContent('body')).not.toContain('Visit someone in prison');

    const missing = await page.goto('/staff/no-such-page');
    expect(missing?.status()).toBe(404);
    await checkPage(page, 'staff-not-found');
    expect(await page.textContent('h1')).toBe('Page not found');
    expect(await page.textContent('body')).not.toContain('Visit someone in prison');
    await page.getByRole('link', { name: 'Go to the queue' }).click();
    expect(new URL(page.url()).pathname).toBe('/staff/queue');
    await page.context().close();

    const anonymous = await site.page();
    await anonymous.goto('/staff/no-such-page');
    expect(new URL(anonymous.url()).pathname).toBe('/staff/sign-in');
    await anonymous.context().close();
  });

  it('sign out from a link in the header’s navigation, not a button under it', async () => {
    const page = await signIn('ngt@staff.test');
    for (const width of [1280, 320]) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto('/staff/queue');
      // On a narrow screen the navigation folds under its Menu button, sign-out with it.
      const menu = page.getByRole('button', { name: 'Menu' });
      if (await menu.isVisible()) await menu.click();
      const signOut = page.locator('.govuk-service-navigation__list li').getByRole('button', { name: 'Sign out' });
      expect(await signOut.count()).toBe(1);
      // It looks like the navigation's links beside it: their colour and underline, no button's grey.
      const look = (element: Element) => {
        const style = getComputedStyle(element);
        return { colour: style.color, underline: style.textDecorationLine, font: style.fontSize };
      };
      const link = page.locator('.govuk-service-navigation__list a', { hasText: 'Processed' });
      expect(await signOut.evaluate(look)).toEqual(await link.evaluate(look));
      expect(await signOut.evaluate((button) => getComputedStyle(button).backgroundColor)).toBe('rgba(0, 0, 0, 0)');
      expect(await signOut.getAttribute('class')).not.toContain('govuk-button');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    }
    await page.locator('.govuk-service-navigation__list').getByRole('button', { name: 'Sign out' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL('**/staff/sign-in');
    await page.goto('/staff/queue');
    expect(new URL(page.url()).pathname).toBe('/staff/sign-in');
    await page.context().close();
  });
});

describe('who may use the staff pages', () => {
  it('sends anyone signed out to sign in, shows another prison’s visit to nobody, and lets no policy user decide', async () => {
    const submitted = await submit();
    const anonymous = await site.page();
    for (const path of [
      '/staff/queue',
      '/staff/search',
      '/staff/booked',
      '/staff/booked.csv',
      `/staff/visits/${submitted.reference}`,
    ]) {
      await anonymous.goto(path);
      expect(anonymous.url(), path).toMatch(/\/staff\/sign-in$/);
    }
    await anonymous.context().close();

    const other = await signIn('wmr@staff.test');
    for (const path of [`/staff/visits/${submitted.reference}`]) {
      expect((await other.goto(path))?.status(), path).toBe(404);
    }
    for (const path of ['/staff/queue?prisonId=NGT', '/staff/booked?prisonId=NGT', '/staff/booked.csv?prisonId=NGT']) {
      expect((await other.goto(path))?.status(), path).toBe(403);
    }
    await other.goto('/staff/search?q=A1234BC');
    expect(await other.textContent('main')).toContain('No visits found at your prisons.');
    await other.context().close();

    await saveStaffAccount(service.db, {
      email: 'policy@staff.test',
      role: 'policy',
      prisons: ['NGT'],
      password: PASSWORD,
    });
    // A policy user sees no visit, and a decision posted with their session's own form token is refused.
    const policy = await signIn('policy@staff.test');
    expect((await policy.goto(`/staff/visits/${submitted.reference}`))?.status()).toBe(403);
    await policy.goto('/staff/policy-preview');
    const csrf = (await policy.getAttribute('input[name="_csrf"]', 'value')) ?? '';
    expect(csrf).not.toBe('');
    const posted = await policy.request.post(`/staff/visits/${submitted.reference}/decision`, {
      form: { _csrf: csrf, outcome: 'reject', reasons: 'no_allowance' },
      maxRedirects: 0,
    });
    expect(posted.status()).toBe(403);
    expect((await visitorSees(submitted)).status).toBe('requested');
    await policy.context().close();
  });
});

/** Fills the assisted request form for Northgate, its channel, minutes and organisation as given. */
async function fillAssistedRequest(page: Page, helper: { channel: string; minutes: string; organisation: string }) {
  await page.check(`input[name="channel"][value="${helper.channel}"]`);
  await page.fill('#minutes', helper.minutes);
  await page.fill('#organisation', helper.organisation);
  await page.fill('#prisoner-firstName', 'Oscar');
  await page.fill('#prisoner-lastName', 'Wilde');
  for (const [part, value] of [
    ['day', '16'],
    ['month', '10'],
    ['year', '1980'],
  ])
    await page.fill(`#prisoner-dateOfBirth-${part}`, value);
  await page.fill('#prisoner-number', 'A1234BC');
  await page.fill('#visitors-0-firstName', 'Ada');
  await page.fill('#visitors-0-lastName', 'Wilde');
  for (const [part, value] of [
    ['day', '1'],
    ['month', '1'],
    ['year', '1985'],
  ])
    await page.fill(`#visitors-0-dateOfBirth-${part}`, value);
  await page.check(`input[name="slotOptions"][value="${slotsAt('NGT')[0]}"]`);
  await page.fill('#contact-email', 'ada@example.com');
  await page.fill('#contact-phone', '07700 900123');
}

/** The channels the assisted request form offers, by their labels. */
const channelLabels = async (page: Page) =>
  (await page.locator('input[name="channel"] + label').allTextContents()).map((label) => label.trim());

describe('a helper', () => {
  it('enters a request for a visitor who phoned, recording the channel and the minutes spent', async () => {
    const page = await signIn('ngt@staff.test');
    await page.goto('/staff/assisted');
    await checkPage(page, 'staff-assisted-prison');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Send request' }).click();
    await checkPage(page, 'staff-assisted-errors');
    const messages = (await page.locator('.govuk-error-summary__list a').allTextContents()).map((m) => m.trim());
    expect(messages).toEqual(
      expect.arrayContaining([
        'Enter the organisation you are helping from',
        'Enter the prisoner’s first name',
        'Enter the prisoner’s date of birth',
        'Enter the lead visitor’s last name',
        'Enter the lead visitor’s date of birth',
        'Enter the visitor’s email address',
        'Choose at least one time',
      ]),
    );
    expect(messages.join(' ')).not.toMatch(/Enter a value|YYYY/);
    // A date that is no real date names whose it is, and marks only the box that is wrong.
    for (const [part, value] of [
      ['day', '31'],
      ['month', '2'],
      ['year', '1980'],
    ])
      await page.fill(`#prisoner-dateOfBirth-${part}`, value);
    await page.getByRole('button', { name: 'Send request' }).click();
    expect(await page.locator('.govuk-error-summary__list').textContent()).toContain(
      'Prisoner’s date of birth must be a real date',
    );
    expect(
      await page
        .locator('.govuk-error-summary__list a', { hasText: 'date of birth must be a real date' })
        .getAttribute('href'),
    ).toBe('#prisoner-dateOfBirth-day');
    const marked = await page
      .locator('#prisoner-dateOfBirth input.govuk-input--error')
      .evaluateAll((inputs) => inputs.map((input) => input.id));
    expect(marked).toEqual(['prisoner-dateOfBirth-day']);
    // The times read as people say them, not as a 24-hour clock.
    expect(await page.locator('label[for^="slotOptions"]').first().textContent()).toMatch(/\d(am|pm) to \d/);
    const hrefs = await page
      .locator('.govuk-error-summary__list a')
      .evaluateAll((all) => all.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual(
      expect.arrayContaining([
        '#channel',
        '#minutes',
        '#prisoner-firstName',
        '#visitors-0-firstName',
        '#contact-email',
      ]),
    );
    await fillAssistedRequest(page, {
      channel: 'phone',
      minutes: '12',
      organisation: 'Pact at the Northgate visitor centre',
    });
    await page.getByRole('button', { name: 'Send request' }).click();
    expect(page.url()).toMatch(/\/staff\/visits\/[0-9A-Z]{8}$/);
    expect(await page.textContent('main')).toContain(
      'Phone line, with help from Pact at the Northgate visitor centre (12 minutes)',
    );
    const reference = page.url().split('/').pop() ?? '';
    const staffToken = await service.staffToken('staff', ['NGT']);
    const visit = await service.call('GET', `/api/staff/visits/${reference}`, { token: staffToken });
    expect(visit.body).toMatchObject({
      status: 'requested',
      channel: 'phone',
      assistedMinutes: 12,
      assistedOrganisation: 'Pact at the Northgate visitor centre',
    });
    const stored = await service.db.collection('visits').findOne({ reference });
    expect(stored).toMatchObject({ assistedOrganisation: 'Pact at the Northgate visitor centre' });
    await page.context().close();
  });
});

describe('a helper choosing how the visitor asked', () => {
  it('is offered the assisted-digital settings’ channels, by name, but not the helper organisations’ web form', async () => {
    const page = await signIn('ngt@staff.test');
    await page.goto('/staff/assisted?prisonId=NGT');
    expect(await channelLabels(page)).toEqual(['Phone line', 'Visitor centre, in person', 'Email', 'Post']);
    // A channel the form does not offer is refused, even when the page is altered to send it.
    await page.locator('input[name="channel"][value="post"]').evaluate((input) => {
      (input as HTMLInputElement).value = 'web_helper';
    });
    await fillAssistedRequest(page, { channel: 'web_helper', minutes: '5', organisation: 'Pact' });
    await page.getByRole('button', { name: 'Send request' }).click();
    expect(page.url()).toMatch(/\/staff\/assisted\?prisonId=NGT$/);
    expect(await page.locator('.govuk-error-summary__list').textContent()).toContain('Choose how the visitor asked');
    await page.context().close();
  });

  it('is offered the standard four channels when there are no assisted-digital settings', () => {
    expect(channelChoices(undefined)).toEqual([
      { value: 'phone', text: 'Phone' },
      { value: 'in_person', text: 'In person' },
      { value: 'email', text: 'Email' },
      { value: 'post', text: 'Post' },
    ]);
  });

  it('can choose a channel the operator adds to the settings, and the visit names it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pvb-assisted-channels-'));
    cpSync('rules/prisons', join(root, 'prisons'), { recursive: true });
    const settings = parse(readFileSync('rules/assisted-digital.yaml', 'utf8')) as {
      channels: Record<string, object>;
    };
    settings.channels.text_relay = { ...settings.channels.email, name: 'Text relay', name_cy: 'Cyfnewid testun' };
    writeFileSync(join(root, 'assisted-digital.yaml'), stringify(settings));
    const app = testApp({
      db: service.db,
      temporal: service.client,
      taskQueue: service.taskQueue,
      rules: new RuleBook(join(root, 'prisons')),
    });
    const operatorSite = await openSite(app.fetch);
    try {
      const page = await operatorSite.signIn('ngt@staff.test', PASSWORD);
      await page.goto('/staff/assisted?prisonId=NGT');
      expect(await channelLabels(page)).toEqual([
        'Phone line',
        'Visitor centre, in person',
        'Email',
        'Post',
        'Text relay',
      ]);
      await fillAssistedRequest(page, { channel: 'text_relay', minutes: '7', organisation: 'Northgate visits line' });
      await page.getByRole('button', { name: 'Send request' }).click();
      expect(page.url()).toMatch(/\/staff\/visits\/[0-9A-Z]{8}$/);
      expect(await page.textContent('main')).toContain('Text relay, with help from Northgate visits line (7 minutes)');
      const reference = page.url().split('/').pop() ?? '';
      const staffToken = await service.staffToken('staff', ['NGT']);
      const visit = await service.call('GET', `/api/staff/visits/${reference}`, { token: staffToken });
      expect(visit.body).toMatchObject({ status: 'requested', channel: 'text_relay', assistedMinutes: 7 });
    } finally {
      await operatorSite.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('a policy officer', () => {
  it('tries a prison’s rules, and an edited copy, on a sample request, seeing which rules fire', async () => {
    await saveStaffAccount(service.db, {
      email: 'rules@staff.test',
      role: 'policy',
      prisons: ['NGT'],
      password: PASSWORD,
    });
    const page = await signIn('rules@staff.test');
    // They see no visits: signed in, they land on the preview, with no queue, lists or search to go to.
    await page.waitForURL('**/staff/policy-preview');
    const navigation = await page.getByRole('navigation', { name: 'Menu' }).textContent();
    expect(navigation).toContain('Try rules');
    expect(navigation).not.toMatch(/Queue|Processed|Booked|Search/);
    expect((await page.goto('/staff/queue'))?.status()).toBe(403);
    await page.goto('/staff/policy-preview');
    await checkPage(page, 'staff-preview');
    await page.fill('#visitBalance', '0');
    await page.getByRole('button', { name: 'Try it' }).click();
    await checkPage(page, 'staff-preview-outcome');
    expect(await page.textContent('main')).toContain('no_allowance: The prisoner has used all their visits');
    expect(await page.textContent('table')).toContain('✓ prisoner.visitBalance lessThanInclusive 0 (is 0)');

    const edited = readFileSync('rules/prisons/northgate.yaml', 'utf8').replace('value: A }', 'value: C }');
    await page.fill('#ruleFile', edited);
    await page.fill('#visitBalance', '3');
    await page.fill('#category', 'C');
    await page.getByRole('button', { name: 'Try it' }).click();
    expect(await page.textContent('main')).toContain('Closed visit');
    expect(await page.textContent('main')).toMatch(/Yes: The prisoner is category A/);

    await page.fill('#ruleFile', edited.replace('booking_window', 'booking_windw'));
    await page.getByRole('button', { name: 'Try it' }).click();
    expect(await page.textContent('.govuk-error-summary')).toMatch(/Line \d+: calendar\.booking_windw: unknown key/);

    // An edited copy of another prison's file is that prison's preview: not theirs to try, as in the API.
    await page.fill('#ruleFile', readFileSync('rules/prisons/saltmarsh.yaml', 'utf8'));
    const [answer] = await Promise.all([
      page.waitForResponse((response) => response.request().method() === 'POST'),
      page.getByRole('button', { name: 'Try it' }).click(),
    ]);
    expect(answer.status()).toBe(404);
    expect(await page.textContent('main')).not.toContain('Closed visit');
    await page.context().close();
  });

  it('is the only one (with admins) who can, and only for their prisons', async () => {
    const staffPage = await signIn('ngt@staff.test');
    expect((await staffPage.goto('/staff/policy-preview'))?.status()).toBe(403);
    await staffPage.context().close();
  });
});

describe.runIf(process.env.ISSUE16_SCREENSHOTS)('screenshots for issue 16', () => {
  it('takes screenshots of the staff visit page and the queue', async () => {
    const { mkdirSync } = await import('node:fs');
    const dir = 'docs/screenshots/issue-16';
    mkdirSync(dir, { recursive: true });
    const when = process.env.ISSUE16_SCREENSHOTS;
    const [slot] = slotsAt('NGT').slice(6, 7);
    const submitted = await submit({ slotOptions: [slot] });
    await submit({ slotOptions: slotsAt('NGT').slice(6, 9) });
    const staffToken = await service.staffToken('staff', ['NGT']);
    await service.call('POST', `/api/staff/visits/${submitted.reference}/decision`, {
      token: staffToken,
      body: { outcome: 'accept', slot, referenceNo: 'NG-77' },
    });
    for (const width of [1280, 320]) {
      const page = await signIn('ngt@staff.test');
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`/staff/visits/${submitted.reference}`);
      await page.screenshot({ path: `${dir}/staff-visit-${width}-${when}.png`, fullPage: true });
      await page.goto('/staff/queue?prisonId=NGT');
      await page.screenshot({ path: `${dir}/staff-queue-${width}-${when}.png`, fullPage: true });
      await page.context().close();
    }
  });
});

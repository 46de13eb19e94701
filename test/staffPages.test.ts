// The first staff pages in Debian's Chromium: sign in, the queue, a visit, accept and reject; who may see what.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveStaffAccount } from '../api/staffAccounts';
import { checkPage, launchBrowser, serve } from './browser';
import { PASSWORD, slotsAt, startTestService, visitRequestBody, type TestService } from './harness';

let service: TestService;
let browser: Browser;
let site: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  service = await startTestService('staff_pages');
  await saveStaffAccount(service.db, { email: 'ngt@staff.test', role: 'staff', prisons: ['NGT'], password: PASSWORD });
  await saveStaffAccount(service.db, { email: 'wmr@staff.test', role: 'staff', prisons: ['WMR'], password: PASSWORD });
  site = await serve(service.app.fetch);
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await service?.close();
});

async function submit(overrides: Record<string, unknown> = {}) {
  const response = await service.call('POST', '/api/visits', { body: visitRequestBody(overrides) });
  expect(response.status).toBe(201);
  return response.body as { reference: string; accessToken: string; statusUrl: string };
}

async function signIn(email: string): Promise<Page> {
  const page = await (await browser.newContext({ baseURL: site.base })).newPage();
  await page.goto('/staff/sign-in');
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
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
    const [slot] = visitRequestBody().slotOptions;
    await page.check(`input[name="slot"][value="${slot}"]`);
    await page.fill('#referenceNo', 'NG-500');
    await page.getByRole('button', { name: 'Accept' }).click();
    expect(await page.textContent('.govuk-notification-banner')).toContain('Request processed');
    expect(await visitorSees(submitted)).toMatchObject({ status: 'booked', slotGranted: slot });
    await page.context().close();
  });

  it('reject a request with reasons, and are told what is missing first', async () => {
    const submitted = await submit();
    const page = await signIn('ngt@staff.test');
    await page.goto(`/staff/visits/${submitted.reference}`);
    await page.getByRole('button', { name: 'Reject' }).click();
    await checkPage(page, 'staff-visit-error');
    expect(await page.locator('.govuk-error-summary a').getAttribute('href')).toBe('#reasons');
    await page.check('input[name="reasons"][value="no_allowance"]');
    await page.getByRole('button', { name: 'Reject' }).click();
    expect(await visitorSees(submitted)).toMatchObject({
      status: 'rejected',
      rejection: { reasons: ['no_allowance'] },
    });
    await page.context().close();
  });

  it('choosing none of the times rejects the request as slot unavailable', async () => {
    const submitted = await submit({ slotOptions: slotsAt('NGT').slice(3, 4) });
    const page = await signIn('ngt@staff.test');
    await page.goto(`/staff/visits/${submitted.reference}`);
    await page.check('input[name="slot"][value="none"]');
    await page.getByRole('button', { name: 'Accept' }).click();
    expect((await visitorSees(submitted)).rejection).toMatchObject({ reasons: ['slot_unavailable'] });
    await page.context().close();
  });

  it('of another prison cannot see the visit, and nobody signed out can', async () => {
    const submitted = await submit();
    const other = await signIn('wmr@staff.test');
    const response = await other.goto(`/staff/visits/${submitted.reference}`);
    expect(response?.status()).toBe(404);
    await other.context().close();
    const anonymous = await (await browser.newContext({ baseURL: site.base })).newPage();
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
    const page = await (await browser.newContext({ baseURL: site.base })).newPage();
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
});

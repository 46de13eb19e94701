// Screenshots of the pages issue 16 changed, at 1280 px and 320 px, taken only when asked for:
// ISSUE16_SCREENSHOTS=before (or after) npx vitest run test/screenshots.test.ts. They go to docs/screenshots/issue-16.
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { saveStaffAccount } from '../api/staffAccounts';
import { openSite, type Site } from './browser';
import { PASSWORD, slotsAt, startTestService, visitRequestBody, type TestService } from './harness';

const when = process.env.ISSUE16_SCREENSHOTS;
const dir = 'docs/screenshots/issue-16';

describe.runIf(when)('screenshots for issue 16', () => {
  let service: TestService;
  let site: Site;

  beforeAll(async () => {
    service = await startTestService('screenshots');
    await saveStaffAccount(service.db, {
      email: 'ngt@staff.test',
      role: 'staff',
      prisons: ['NGT'],
      password: PASSWORD,
    });
    site = await openSite(service.app.fetch);
    mkdirSync(dir, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await site?.close();
    await service?.close();
  });

  /** The page as it is now, at both widths. */
  async function shoot(page: Page, name: string) {
    for (const width of [1280, 320]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: `${dir}/${name}-${width}-${when}.png`, fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  it('of the visiting times, in English and Welsh', async () => {
    for (const [lang, prison, prisonId] of [
      ['en', 'HMP Northgate', 'NGT'],
      ['cy', 'CEM Afon Las', 'AFL'],
    ] as const) {
      const page = await site.page();
      await page.goto(`/request/prison?lang=${lang}`);
      await page.getByLabel(prison).check();
      await page.getByRole('button', { name: /Continue|Parhau/ }).click();
      await page.fill('#prisoner-firstName', 'Oscar');
      await page.fill('#prisoner-lastName', 'Wilde');
      for (const [part, value] of Object.entries({ day: '16', month: '10', year: '1980' }))
        await page.fill(`#prisoner-dateOfBirth-${part}`, value);
      await page.fill('#prisoner-number', 'A1234BC');
      await page.getByRole('button', { name: /Continue|Parhau/ }).click();
      await page.fill('#visitors-0-firstName', 'Ada');
      await page.fill('#visitors-0-lastName', 'Wilde');
      for (const [part, value] of Object.entries({ day: '1', month: '1', year: '1985' }))
        await page.fill(`#visitors-0-dateOfBirth-${part}`, value);
      await page.getByRole('button', { name: /Continue|Parhau/ }).click();
      await page.waitForURL('**/request/slots');
      const [slot] = slotsAt(prisonId).slice(1, 2);
      const day = page.locator(`[data-calendar-date="${slot.slice(0, 10)}"]`);
      if (await day.count()) await day.click();
      await page.check(`input[value="${slot}"]`);
      await shoot(page, `slots-${lang}`);
      await page.context().close();
    }
  });

  it('of the staff pages: deciding, refused, not found, the assisted form’s errors', async () => {
    const response = await service.call('POST', '/api/visits', { body: visitRequestBody() });
    const { reference } = response.body as { reference: string };
    const page = await site.signIn('ngt@staff.test', PASSWORD);
    await page.goto(`/staff/visits/${reference}`);
    await shoot(page, 'staff-decide');
    for (const outcome of ['accept', 'reject']) {
      if ((await page.goto(`/staff/visits/${reference}/decision?outcome=${outcome}`))?.ok()) {
        await shoot(page, `staff-decide-${outcome}`);
      }
    }
    await page.goto('/staff/queue?prisonId=WMR');
    await shoot(page, 'staff-refused');
    await page.goto('/staff/no-such-page');
    await shoot(page, 'staff-not-found');
    await page.goto('/staff/assisted');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.fill('#prisoner-dateOfBirth-day', '31');
    await page.fill('#prisoner-dateOfBirth-month', '2');
    await page.fill('#prisoner-dateOfBirth-year', '1980');
    await page.getByRole('button', { name: 'Send request' }).click();
    await shoot(page, 'staff-assisted-errors');
    await page.context().close();
  });
});

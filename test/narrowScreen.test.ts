// The visitor's journey on a screen 320 CSS pixels wide (a small phone, or a 1280 pixel screen at 400% zoom): no page
// scrolls sideways, in English or in Welsh, with JavaScript or without (WCAG 1.4.10); and the visiting-times calendar
// fits, shows which date is on screen and which dates have a chosen time, and is one Tab stop moved by arrow keys.
import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, openSite, type Site } from './browser';
import { slotsAt, startTestService, type TestService } from './harness';

let service: TestService;
let site: Site;

beforeAll(async () => {
  service = await startTestService('narrow');
  site = await openSite(service.app.fetch);
}, 120_000);
afterAll(async () => {
  await site?.close();
  await service?.close();
});

const NARROW = { width: 320, height: 640 };

const open = async (options: BrowserContextOptions = {}) => {
  const context = await site.browser.newContext({ baseURL: site.base, viewport: NARROW, ...options });
  return { context, page: await context.newPage() };
};

/** Checks that the page is no wider than the window, and (where scripts run, as axe is one) passes axe. */
async function fits(page: Page, name: string, { axe = true } = {}) {
  const { scrollWidth, innerWidth, beyond } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    // The innermost elements reaching past the window's right edge, to name the culprit when there is one.
    beyond: Array.from(document.body.querySelectorAll('*'))
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
      .filter((e) => !Array.from(e.children).some((c) => c.getBoundingClientRect().right > window.innerWidth + 0.5))
      .slice(0, 5)
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}.${Array.from(e.classList).join('.')} ${Math.round(e.getBoundingClientRect().right)}px`,
      ),
  }));
  expect(innerWidth).toBe(NARROW.width);
  expect(scrollWidth, `${name} (${page.url()}) is ${scrollWidth}px wide: ${beyond.join(', ')}`).toBeLessThanOrEqual(
    innerWidth,
  );
  if (axe) await checkPage(page, `narrow-${name}`);
}

const language = {
  en: { start: 'Start now', next: 'Continue', send: 'Send request' },
  cy: { start: 'Dechrau nawr', next: 'Parhau', send: 'Anfon cais' },
};
type Language = keyof typeof language;

async function fillDate(page: Page, id: string, [day, month, year]: [string, string, string]) {
  await page.fill(`#${id}-day`, day);
  await page.fill(`#${id}-month`, month);
  await page.fill(`#${id}-year`, year);
}

/** Walks from the start page to the visiting times, checking each page on the way with `each`. */
async function toSlots(page: Page, lang: Language, prison: string, each: (name: string) => Promise<void>) {
  const words = language[lang];
  await page.goto(`/?lang=${lang}`);
  await each('start');
  await page.getByRole('button', { name: words.start }).click();
  await each('prison');
  await page.getByLabel(prison).check();
  await page.getByRole('button', { name: words.next }).click();
  await each('prisoner');
  await page.getByRole('button', { name: words.next }).click(); // nothing filled in: every field in error
  expect(await page.locator('.govuk-error-summary').count()).toBe(1);
  await each('prisoner-errors');
  await page.fill('#prisoner-firstName', 'Oscar');
  await page.fill('#prisoner-lastName', 'Wilde');
  await fillDate(page, 'prisoner-dateOfBirth', ['16', '10', '1980']);
  await page.fill('#prisoner-number', 'A1234BC');
  await page.getByRole('button', { name: words.next }).click();
  await each('visitors');
  await page.fill('#visitors-0-firstName', 'Ada');
  await page.fill('#visitors-0-lastName', 'Wilde');
  await fillDate(page, 'visitors-0-dateOfBirth', ['1', '1', '1985']);
  await page.getByRole('button', { name: words.next }).click();
  await page.locator('input[name="slotOptions"]').first().waitFor({ state: 'attached' });
}

/** The calendar's day buttons, once the page's script has built them. */
async function dayButtons(page: Page) {
  await page.locator('[data-calendar-date]').first().waitFor();
  return page.locator('[data-calendar-date]');
}

const focusedDate = (page: Page) =>
  page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.calendarDate);

describe('at 320 pixels wide', () => {
  const journeys: { lang: Language; prison: string; javaScriptEnabled: boolean }[] = [
    { lang: 'en', prison: 'HMP Northgate', javaScriptEnabled: true },
    { lang: 'cy', prison: 'CEM Afon Las', javaScriptEnabled: true },
    { lang: 'en', prison: 'HMP Northgate', javaScriptEnabled: false },
    { lang: 'cy', prison: 'CEM Afon Las', javaScriptEnabled: false },
  ];
  for (const { lang, prison, javaScriptEnabled } of journeys) {
    const how = javaScriptEnabled ? 'js' : 'nojs';
    it(`no page of the journey scrolls sideways, in ${lang}, ${javaScriptEnabled ? 'with' : 'without'} JavaScript`, async () => {
      const { context, page } = await open({ javaScriptEnabled });
      const each = (name: string) => fits(page, `${lang}-${how}-${name}`, { axe: javaScriptEnabled });
      await toSlots(page, lang, prison, each);
      const days = page.locator('[data-calendar-date]');
      if (javaScriptEnabled) await dayButtons(page);
      else expect(await days.count()).toBe(0);
      await each('slots');
      // Every day's button is a target of at least 24 by 24 pixels (WCAG 2.5.8), inside the window.
      for (const box of await days.evaluateAll((all) => all.map((b) => b.getBoundingClientRect().toJSON()))) {
        expect(box.width).toBeGreaterThanOrEqual(24);
        expect(box.height).toBeGreaterThanOrEqual(24);
        expect(box.right).toBeLessThanOrEqual(NARROW.width);
      }
      const slot = slotsAt(prison.endsWith('Afon Las') ? 'AFL' : 'NGT')[0];
      if (javaScriptEnabled) await page.click(`[data-calendar-date="${slot.slice(0, 10)}"]`);
      await page.check(`input[value="${slot}"]`);
      await page.getByRole('button', { name: language[lang].next }).click();
      await each('contact');
      await page.fill('#contact-email', 'ada@example.com');
      await page.fill('#contact-phone', '07700 900123');
      await page.getByRole('button', { name: language[lang].next }).click();
      await each('check');
      await page.getByRole('button', { name: language[lang].send }).click();
      await page.locator('.govuk-panel').waitFor();
      await each('confirmation');
      await context.close();
    });
  }
});

describe('the visiting-times calendar', () => {
  it('marks the date shown and the dates with a chosen time, to the eye and to a screen reader', async () => {
    const { context, page } = await open();
    await toSlots(page, 'en', 'HMP Northgate', async () => {});
    const days = await dayButtons(page);
    const [first, second] = [days.nth(0), days.nth(1)];
    const background = (day: typeof first) => day.evaluate((b) => getComputedStyle(b).backgroundColor);
    expect(await first.getAttribute('aria-pressed')).toBe('true');
    expect(await second.getAttribute('aria-pressed')).toBe('false');
    expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true); // no focus style
    expect(await background(first)).not.toBe(await background(second));

    const marker = (day: typeof first) => day.evaluate((b) => getComputedStyle(b, '::after').content);
    expect(await marker(first)).toBe('none');
    const [slot] = slotsAt('NGT');
    await page.check(`input[value="${slot}"]`);
    expect(await marker(first)).toMatch(/✓/);
    expect(await first.getAttribute('aria-label')).toMatch(/, 1 chosen$/);
    expect(await marker(second)).toBe('none');
    await checkPage(page, 'narrow-calendar-chosen');
    await page.uncheck(`input[value="${slot}"]`);
    expect(await marker(first)).toBe('none');
    expect(await first.getAttribute('aria-label')).not.toMatch(/chosen/);
    await context.close();
  });

  it('is one Tab stop: the arrow keys move between dates and show their times, and Tab goes to the times', async () => {
    const { context, page } = await open();
    await toSlots(page, 'en', 'HMP Northgate', async () => {});
    const days = await dayButtons(page);
    const dates = await days.evaluateAll((all) => all.map((b) => (b as HTMLElement).dataset.calendarDate ?? ''));
    expect(dates.length).toBeGreaterThan(2);
    const timesShown = (date: string) => page.locator(`[data-slot-date="${date}"] input`).first().isVisible();

    await days.first().focus();
    await page.keyboard.press('ArrowRight');
    expect(await focusedDate(page)).toBe(dates[1]);
    expect(await page.getAttribute(`[data-calendar-date="${dates[1]}"]`, 'aria-pressed')).toBe('true');
    expect(await timesShown(dates[1])).toBe(true);
    expect(await timesShown(dates[0])).toBe(false);
    await page.keyboard.press('ArrowLeft');
    expect(await focusedDate(page)).toBe(dates[0]);
    await page.keyboard.press('End');
    expect(await focusedDate(page)).toBe(dates[dates.length - 1]);
    expect(await timesShown(dates[dates.length - 1])).toBe(true);
    await page.keyboard.press('Home');
    expect(await focusedDate(page)).toBe(dates[0]);
    // Down goes a week on, to that date or the next one with times.
    const weekOn = new Date(Date.parse(`${dates[0]}T00:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10);
    await page.keyboard.press('ArrowDown');
    expect(await focusedDate(page)).toBe(dates.find((date) => date >= weekOn));
    await page.keyboard.press('ArrowUp');
    expect(await focusedDate(page)).toBe(dates[0]);

    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLInputElement;
      return { name: element.name, date: element.closest<HTMLElement>('[data-slot-date]')?.dataset.slotDate };
    });
    expect(focused).toEqual({ name: 'slotOptions', date: dates[1] });
    const firstTime = await page.locator(`[data-slot-date="${dates[1]}"] input`).first().getAttribute('value');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe(firstTime);
    // Back from the times, Shift+Tab returns to the date shown, not to the calendar's first or last date.
    await page.keyboard.press('Shift+Tab');
    expect(await focusedDate(page)).toBe(dates[1]);
    // The arrow keys are explained to screen-reader users on each date.
    const hint = await days.first().evaluate((b) => document.getElementById(b.getAttribute('aria-describedby') ?? ''));
    expect(hint).not.toBeNull();
    expect(await page.locator(`#${await days.first().getAttribute('aria-describedby')}`).textContent()).toMatch(
      /arrow keys/,
    );
    await context.close();
  });

  for (const { lang, prison, one, many, monday } of [
    { lang: 'en' as const, prison: 'HMP Afon Las', one: /, 1 time$/, many: /, 2 times$/, monday: 'Monday' },
    { lang: 'cy' as const, prison: 'CEM Afon Las', one: /, 1 amser$/, many: /, 2 amser$/, monday: 'Dydd Llun' },
  ]) {
    it(`names its months and days, and counts a date's times in words that agree with the number, in ${lang}`, async () => {
      const { context, page } = await open();
      await toSlots(page, lang, prison, async () => {});
      const labels = await (
        await dayButtons(page)
      ).evaluateAll((all) =>
        all.map((b) => ({
          times: document.querySelectorAll(`[data-slot-date="${(b as HTMLElement).dataset.calendarDate}"] input`)
            .length,
          label: b.getAttribute('aria-label') ?? '',
        })),
      );
      // Afon Las has one time on Mondays and Thursdays and two on Sundays.
      const single = labels.filter((day) => day.times === 1);
      const double = labels.filter((day) => day.times === 2);
      expect(single.length).toBeGreaterThan(0);
      expect(double.length).toBeGreaterThan(0);
      for (const { label } of single) expect(label).toMatch(one);
      for (const { label } of double) expect(label).toMatch(many);
      expect(labels.some(({ label }) => /1 times/.test(label))).toBe(false);
      // In the page's language, whatever the browser's own calendar knows.
      const month = new Intl.DateTimeFormat(`${lang}-GB`, { month: 'long', year: 'numeric', timeZone: 'UTC' });
      const firstDate = slotsAt('AFL')[0].slice(0, 10);
      expect(await page.locator('[data-slot-calendar] caption').first().textContent()).toBe(
        month.format(new Date(`${firstDate}T00:00:00Z`)),
      );
      expect(await page.locator('[data-slot-calendar] th .govuk-visually-hidden').first().textContent()).toBe(monday);
      await context.close();
    });
  }
});

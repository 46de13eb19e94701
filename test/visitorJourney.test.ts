// The visitor's web journey in Debian's Chromium: booking in English and in Welsh, without JavaScript, by keyboard
// alone; withdrawing and cancelling; every page checked with axe-core; errors in the GOV.UK pattern; cookies.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookies as listedCookies } from '../ui/infoPages';
import { checkPage, openSite, serve, type Site } from './browser';
import { createLog } from '../api/log';
import { eventually, slotsAt, startTestService, testApp, type TestService } from './harness';
import { BOOKER_COOKIE } from '../api/bookers';
import { ONE_LOGIN_COOKIE } from '../ui/oneLogin';

let service: TestService;
let site: Site;
let staff: string;

beforeAll(async () => {
  service = await startTestService('journey');
  staff = await service.staffToken('staff', ['NGT', 'AFL']);
  site = await openSite(service.app.fetch);
}, 120_000);
afterAll(async () => {
  await site?.close();
  await service?.close();
});

const open = async (options: Parameters<Browser['newContext']>[0] = {}) => {
  const context = await site.browser.newContext({ baseURL: site.base, ...options });
  return { context, page: await context.newPage() };
};

interface Answers {
  prison: string;
  prisoner: [string, string, [string, string, string], string];
  visitors: [string, string, [string, string, string]][];
  slots: string[];
  email: string;
  phone: string;
  organisation?: string;
}

const english: Answers = {
  prison: 'HMP Northgate',
  prisoner: ['Oscar', 'Wilde', ['16', '10', '1980'], 'a1234bc'],
  visitors: [
    ['Ada', 'Wilde', ['1', '1', '1985']],
    ['Cyril', 'Wilde', ['5', '6', '2015']],
  ],
  slots: [],
  email: 'ada@example.com',
  phone: '07700 900123',
};

async function fillDate(page: Page, id: string, [day, month, year]: [string, string, string]) {
  await page.fill(`#${id}-day`, day);
  await page.fill(`#${id}-month`, month);
  await page.fill(`#${id}-year`, year);
}

/** Ticks a visiting time; where JavaScript runs, first picks its date on the calendar. */
async function chooseSlot(page: Page, slot: string) {
  const day = page.locator(`[data-calendar-date="${slot.slice(0, 10)}"]`);
  if (await day.count()) await day.click();
  await page.check(`input[value="${slot}"]`);
}

/** Goes through the whole request with the mouse and keyboard as most visitors do, checking each page. */
async function request(page: Page, answers: Answers, label: string, { check = true } = {}) {
  const pageCheck = (name: string) => (check ? checkPage(page, `${label}-${name}`) : undefined);
  await page.goto('/');
  await pageCheck('start');
  await page.getByRole('button', { name: /Start now|Dechrau nawr/ }).click();
  await pageCheck('prison');
  await page.getByLabel(answers.prison).check();
  await page.getByRole('button', { name: /Continue|Parhau/ }).click();
  await pageCheck('prisoner');
  await page.fill('#prisoner-firstName', answers.prisoner[0]);
  await page.fill('#prisoner-lastName', answers.prisoner[1]);
  await fillDate(page, 'prisoner-dateOfBirth', answers.prisoner[2]);
  await page.fill('#prisoner-number', answers.prisoner[3]);
  await page.getByRole('button', { name: /Continue|Parhau/ }).click();
  await pageCheck('visitors');
  for (const [index, [first, last, dob]] of answers.visitors.entries()) {
    if (index > 0) await page.getByRole('button', { name: /Add another visitor|Ychwanegu ymwelydd arall/ }).click();
    await page.fill(`#visitors-${index}-firstName`, first);
    await page.fill(`#visitors-${index}-lastName`, last);
    await fillDate(page, `visitors-${index}-dateOfBirth`, dob);
  }
  if (answers.organisation) await page.fill('#visitors-0-organisation', answers.organisation);
  await page.getByRole('button', { name: /Continue|Parhau/ }).click();
  await pageCheck('slots');
  for (const slot of answers.slots) await chooseSlot(page, slot);
  await page.getByRole('button', { name: /Continue|Parhau/ }).click();
  await pageCheck('contact');
  await page.fill('#contact-email', answers.email);
  await page.fill('#contact-phone', answers.phone);
  await page.getByRole('button', { name: /Continue|Parhau/ }).click();
  await pageCheck('check');
  await page.getByRole('button', { name: /Send request|Anfon cais/ }).click();
  await pageCheck('confirmation');
  const reference = (await page.locator('.govuk-panel__body strong').textContent())?.trim() ?? '';
  expect(reference).toMatch(/^[0-9A-Z]{8}$/);
  return reference;
}

const statusOf = async (reference: string) => {
  const visit = await service.call('GET', `/api/staff/visits/${reference}`, { token: staff });
  return visit.body;
};

describe('a visitor', () => {
  it('books in English, and follows the request to its status page', async () => {
    const { context, page } = await open();
    const answers = { ...english, slots: slotsAt('NGT').slice(0, 2), organisation: 'Wilde & Co Solicitors' };
    const reference = await request(page, answers, 'en');
    expect(await page.textContent('.govuk-panel__title')).toContain('Visit request sent');
    expect(await page.textContent('main')).toContain('We have sent a confirmation to ada@example.com');
    expect(await page.textContent('main')).toMatch(/HMP Northgate will email you by \w+day \d+ \w+ \d{4}/);
    const staffView = await statusOf(reference);
    expect(staffView.prisoner).toMatchObject({ number: 'A1234BC', lastName: 'Wilde' });
    expect(staffView.visitors[0]).toMatchObject({ firstName: 'Ada', organisation: 'Wilde & Co Solicitors' });
    expect(await service.db.collection('journeyEvents').countDocuments({ step: 'submitted' })).toBeGreaterThan(0);
    const event = await service.db.collection('journeyEvents').findOne({ step: 'prisoner' });
    expect(Object.keys(event ?? {}).sort()).toEqual(['_id', 'at', 'day', 'journey', 'step']);
    await page.getByRole('link', { name: 'Check the status of your request' }).click();
    expect(new URL(page.url()).search).toBe(''); // the private token leaves the address bar
    await checkPage(page, 'en-status-requested');
    expect(await page.textContent('main')).toContain('Your request is waiting for the prison to reply');
    await context.close();
  });

  it('books in Welsh, at a Welsh prison, and the e-mail is in Welsh', async () => {
    const { context, page } = await open();
    await page.goto('/?lang=cy');
    const welsh: Answers = { ...english, prison: 'CEM Afon Las', slots: slotsAt('AFL').slice(0, 1) };
    const reference = await request(page, welsh, 'cy');
    expect(await page.textContent('h1')).toContain('Cais am ymweliad wedi’i anfon');
    expect(await page.getAttribute('html', 'lang')).toBe('cy');
    // The e-mail goes in the background, after the page has answered.
    const mail = await eventually(
      async () => service.mail.messages.find((m) => m.subject?.includes(reference) || m.text?.includes(reference)),
      30_000,
    );
    expect(mail.subject ?? '').toMatch(/^Cais am ymweliad/);
    await context.close();
  });

  it('withdraws a request, after confirming', async () => {
    const { context, page } = await open();
    const reference = await request(page, { ...english, slots: slotsAt('NGT').slice(0, 1) }, 'withdraw', {
      check: false,
    });
    await page.getByRole('link', { name: 'Check the status of your request' }).click();
    await page.getByRole('button', { name: 'Withdraw your request' }).click();
    await checkPage(page, 'withdraw-confirm');
    await page.getByRole('button', { name: 'Yes, withdraw my request' }).click();
    expect(await page.textContent('main')).toContain('You withdrew this request.');
    await checkPage(page, 'status-withdrawn');
    expect((await statusOf(reference)).status).toBe('withdrawn');
    await context.close();
  });

  it('sees the booking staff made, then cancels it', async () => {
    const { context, page } = await open();
    const [slot] = slotsAt('NGT');
    const reference = await request(page, { ...english, slots: [slot] }, 'cancel', { check: false });
    const accepted = await service.call('POST', `/api/staff/visits/${reference}/decision`, {
      token: staff,
      body: { outcome: 'accept', slot, referenceNo: 'NG-77' },
    });
    expect(accepted.status).toBe(200);
    await page.getByRole('link', { name: 'Check the status of your request' }).click();
    expect(await page.textContent('main')).toContain('Your visit is booked for');
    await checkPage(page, 'status-booked');
    await page.getByRole('button', { name: 'Cancel your visit' }).click();
    await page.getByRole('button', { name: 'Yes, cancel my visit' }).click();
    expect(await page.textContent('main')).toContain('This visit was cancelled.');
    expect((await statusOf(reference)).cancellation).toMatchObject({ by: 'visitor' });
    await context.close();
  });

  it('is warned, where JavaScript runs, two minutes before the answers are deleted', async () => {
    const { context, page } = await open();
    await page.clock.install();
    await page.goto('/request/prison');
    const warning = page.locator('[data-timeout-warning]');
    await expect(warning.isVisible()).resolves.toBe(false);
    await page.clock.fastForward('17:59');
    await expect(warning.isVisible()).resolves.toBe(false);
    await page.clock.fastForward('00:02');
    await expect(warning.isVisible()).resolves.toBe(true);
    expect(await warning.textContent()).toContain('We will delete your answers in 2 minutes');
    await checkPage(page, 'timeout-warning');
    await context.close();
  });

  it('chooses times from a calendar where JavaScript runs, one date at a time', async () => {
    const { context, page } = await open();
    await page.goto('/request/prison');
    await page.getByLabel('HMP Northgate').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.fill('#prisoner-firstName', 'Oscar');
    await page.fill('#prisoner-lastName', 'Wilde');
    await fillDate(page, 'prisoner-dateOfBirth', ['16', '10', '1980']);
    await page.fill('#prisoner-number', 'A1234BC');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.fill('#visitors-0-firstName', 'Ada');
    await page.fill('#visitors-0-lastName', 'Wilde');
    await fillDate(page, 'visitors-0-dateOfBirth', ['1', '1', '1985']);
    await page.getByRole('button', { name: 'Continue' }).click();
    const [first, , third] = slotsAt('NGT');
    // The calendar is built by the page's script, which may not have run yet when the page first shows.
    await page.locator('[data-calendar-date]').first().waitFor();
    const dates = await page
      .locator('[data-calendar-date]')
      .evaluateAll((all) => all.map((b) => b.getAttribute('data-calendar-date')));
    expect(dates).toEqual([...new Set(slotsAt('NGT').map((slot) => slot.slice(0, 10)))]);
    expect(await page.locator(`input[value="${first}"]`).isVisible()).toBe(true);
    expect(await page.locator(`input[value="${third}"]`).isVisible()).toBe(third.slice(0, 10) === first.slice(0, 10));
    await page.click(`[data-calendar-date="${third.slice(0, 10)}"]`);
    expect(await page.locator(`input[value="${third}"]`).isVisible()).toBe(true);
    expect(await page.getAttribute(`[data-calendar-date="${third.slice(0, 10)}"]`, 'aria-pressed')).toBe('true');
    await checkPage(page, 'slots-calendar');
    await context.close();
  });

  it('completes the journey with JavaScript switched off', async () => {
    const { context, page } = await open({ javaScriptEnabled: false });
    const reference = await request(page, { ...english, slots: slotsAt('NGT').slice(1, 2) }, 'nojs', { check: false });
    expect((await statusOf(reference)).status).toBe('requested');
    await context.close();
  });

  it('completes the journey by keyboard alone', async () => {
    const { context, page } = await open();
    /** Tabs until the element matching `selector` has focus. */
    const tabTo = async (selector: string) => {
      for (let presses = 0; presses < 80; presses++) {
        if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`could not reach ${selector} by Tab`);
    };
    const type = async (selector: string, text: string) => {
      await tabTo(selector);
      await page.keyboard.type(text);
    };
    /** Presses a key on an element reached by Tab; Enter on a link or button loads the next page. */
    const press = async (selector: string, key: 'Enter' | 'Space' = 'Enter') => {
      await tabTo(selector);
      if (key === 'Space') return page.keyboard.press(key);
      await Promise.all([page.waitForNavigation(), page.keyboard.press(key)]);
    };
    /** Tabs into a group of radios, then moves with the arrow keys to the one wanted, as keyboard users do. */
    const chooseRadio = async (name: string, value: string) => {
      await tabTo(`input[name="${name}"]`);
      for (let presses = 0; presses < 10; presses++) {
        if (await page.evaluate((v) => (document.activeElement as HTMLInputElement).value === v, value)) return;
        await page.keyboard.press('ArrowDown');
      }
      throw new Error(`could not reach ${value} with the arrow keys`);
    };
    await page.goto('/');
    await press('a.govuk-button--start');
    await chooseRadio('prisonId', 'NGT');
    await press('form button.govuk-button:not(.govuk-button--secondary)');
    await type('#prisoner-firstName', 'Oscar');
    await type('#prisoner-lastName', 'Wilde');
    await type('#prisoner-dateOfBirth-day', '16');
    await type('#prisoner-dateOfBirth-month', '10');
    await type('#prisoner-dateOfBirth-year', '1980');
    await type('#prisoner-number', 'A1234BC');
    await press('form button.govuk-button:not(.govuk-button--secondary)');
    await type('#visitors-0-firstName', 'Ada');
    await type('#visitors-0-lastName', 'Wilde');
    await type('#visitors-0-dateOfBirth-day', '1');
    await type('#visitors-0-dateOfBirth-month', '1');
    await type('#visitors-0-dateOfBirth-year', '1985');
    await press('form button.govuk-button:not(.govuk-button--secondary)');
    const [slot] = slotsAt('NGT').slice(2, 3);
    // The calendar is one Tab stop, the date shown; the arrow keys move to other dates and show their times.
    await tabTo('[data-calendar-date][aria-pressed="true"]');
    for (let presses = 0; presses < 40; presses++) {
      if (
        await page.evaluate((d) => document.activeElement?.getAttribute('data-calendar-date') === d, slot.slice(0, 10))
      )
        break;
      await page.keyboard.press('ArrowRight');
    }
    await press(`input[value="${slot}"]`, 'Space');
    await press('form button.govuk-button:not(.govuk-button--secondary)');
    await type('#contact-email', 'ada@example.com');
    await type('#contact-phone', '07700 900123');
    await press('form button.govuk-button:not(.govuk-button--secondary)');
    await press('form button.govuk-button');
    expect(await page.textContent('h1')).toContain('Visit request sent');
    await context.close();
  });
});

describe('errors', () => {
  it('show each validation code as an error summary linked to its field', async () => {
    const { context, page } = await open();
    await page.goto('/request/prison');
    await page.getByRole('button', { name: 'Continue' }).click();
    await checkPage(page, 'error-prison');
    expect(await page.title()).toMatch(/^Error: /);
    expect(await page.locator('.govuk-error-summary a').getAttribute('href')).toBe('#prisonId');

    await page.getByLabel('HMP Highbank').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await page.textContent('.govuk-error-summary')).toContain('HMP Highbank is closed');

    await page.getByLabel('HMP Westmoor').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.fill('#prisoner-firstName', '<b>');
    await fillDate(page, 'prisoner-dateOfBirth', ['31', '2', '1980']);
    await page.fill('#prisoner-number', '1234');
    await page.getByRole('button', { name: 'Continue' }).click();
    await checkPage(page, 'error-prisoner');
    const summary = page.locator('.govuk-error-summary__list a');
    expect(
      await summary.evaluateAll((links) => links.map((a) => `${a.getAttribute('href')} ${a.textContent?.trim()}`)),
    ).toEqual([
      '#prisoner-firstName Names must not include < or >',
      '#prisoner-lastName Enter the prisoner’s last name',
      '#prisoner-dateOfBirth-day Prisoner’s date of birth must be a real date',
      '#prisoner-number Enter a prison number like A1234BC',
    ]);
    await summary.first().click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('prisoner-firstName');

    await page.fill('#prisoner-firstName', 'Oscar');
    await page.fill('#prisoner-lastName', 'Wilde');
    await fillDate(page, 'prisoner-dateOfBirth', ['16', '10', '1980']);
    await page.fill('#prisoner-number', 'A1234BC');
    await page.getByRole('button', { name: 'Continue' }).click();
    // Westmoor counts children from 10 as adults and allows 2: a lead of 17 and three adults break both rules.
    await page.fill('#visitors-0-firstName', 'Young');
    await page.fill('#visitors-0-lastName', 'Lead');
    await fillDate(page, 'visitors-0-dateOfBirth', ['1', '1', String(new Date().getFullYear() - 17)]);
    for (const index of [1, 2]) {
      await page.getByRole('button', { name: 'Add another visitor' }).click();
      await page.fill(`#visitors-${index}-firstName`, 'Adult');
      await page.fill(`#visitors-${index}-lastName`, 'Visitor');
      await fillDate(page, `visitors-${index}-dateOfBirth`, ['1', '1', '1980']);
    }
    await page.getByRole('button', { name: 'Continue' }).click();
    await checkPage(page, 'error-visitors');
    const codes = await page
      .locator('.govuk-error-summary__list a')
      .evaluateAll((links) => links.map((a) => `${a.getAttribute('href')} ${a.textContent?.trim()}`));
    expect(codes).toEqual([
      '#visitors Only 2 visitors can be aged 10 or over',
      '#visitors-0-dateOfBirth-day The first visitor must be 18 or over',
    ]);

    await page.fill('#visitors-0-firstName', 'Ada');
    await fillDate(page, 'visitors-0-dateOfBirth', ['1', '1', '1985']);
    await page.getByRole('button', { name: 'Remove visitor 3' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await page.locator('.govuk-error-summary a').getAttribute('href')).toBe('#slotOptions');
    await checkPage(page, 'error-slots');
    await chooseSlot(page, slotsAt('WMR')[0]);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.fill('#contact-email', 'not an email');
    await page.fill('#contact-phone', '12');
    await page.getByRole('button', { name: 'Continue' }).click();
    await checkPage(page, 'error-contact');
    expect(
      await page
        .locator('.govuk-error-summary__list a')
        .evaluateAll((links) => links.map((a) => a.getAttribute('href'))),
    ).toEqual(['#contact-email', '#contact-phone']);
    await context.close();
  });

  it('name the other field limits too, and pass axe in Welsh', async () => {
    const { context, page } = await open();
    await page.goto('/request/prison?lang=cy');
    await page.getByRole('button', { name: 'Parhau' }).click();
    await checkPage(page, 'error-cy-prison');
    expect(await page.title()).toMatch(/^Gwall: /);
    await page.getByLabel('HMP Redgate').check();
    await page.getByRole('button', { name: 'Parhau' }).click();
    expect(await page.textContent('.govuk-error-summary')).toContain('Mae HMP Redgate yn trefnu ei ymweliadau ei hun');
    await page.getByLabel('HMP Northgate').check();
    await page.getByRole('button', { name: 'Parhau' }).click();
    await page.fill('#prisoner-firstName', 'O'.repeat(31));
    await page.fill('#prisoner-lastName', 'Wilde');
    await fillDate(page, 'prisoner-dateOfBirth', ['1', '1', String(new Date().getFullYear() + 1)]);
    await page.fill('#prisoner-number', 'A1234BC');
    await page.getByRole('button', { name: 'Parhau' }).click();
    await checkPage(page, 'error-cy-prisoner');
    const links = await page
      .locator('.govuk-error-summary__list a')
      .evaluateAll((all) => all.map((a) => `${a.getAttribute('href')} ${a.textContent?.trim()}`));
    expect(links).toEqual([
      '#prisoner-firstName Rhaid i enwau fod yn 30 nod neu lai',
      '#prisoner-dateOfBirth-day Rhaid i ddyddiad geni’r carcharor fod yn y gorffennol',
    ]);
    await context.close();
  });

  it('name the date of birth, and mark only its wrong parts, in English and in Welsh', async () => {
    const languages = [
      {
        lang: 'en',
        continue: 'Continue',
        prefix: 'Error:',
        labels: ['Day', 'Month', 'Year'],
        blank: 'Enter the prisoner’s date of birth',
        notReal: 'Prisoner’s date of birth must be a real date',
        noYear: 'Prisoner’s date of birth must include a year',
        add: 'Add another visitor',
        leadNoMonth: 'Your date of birth must include a month',
        secondInFuture: 'Visitor 2’s date of birth must be in the past',
      },
      {
        lang: 'cy',
        continue: 'Parhau',
        prefix: 'Gwall:',
        labels: ['Diwrnod', 'Mis', 'Blwyddyn'],
        blank: 'Rhowch ddyddiad geni’r carcharor',
        notReal: 'Rhaid i ddyddiad geni’r carcharor fod yn ddyddiad go iawn',
        noYear: 'Rhaid i ddyddiad geni’r carcharor gynnwys blwyddyn',
        add: 'Ychwanegu ymwelydd arall',
        leadNoMonth: 'Rhaid i’ch dyddiad geni gynnwys mis',
        secondInFuture: 'Rhaid i ddyddiad geni ymwelydd 2 fod yn y gorffennol',
      },
    ];
    for (const words of languages) {
      const { context, page } = await open();
      await page.goto(`/request/prison?lang=${words.lang}`);
      await page.getByLabel('HMP Northgate').check();
      await page.getByRole('button', { name: words.continue }).click();
      await page.fill('#prisoner-firstName', 'Oscar');
      await page.fill('#prisoner-lastName', 'Wilde');
      await page.fill('#prisoner-number', 'A1234BC');
      const date = 'prisoner-dateOfBirth';
      /** Submits a date; gives the summary's links, the field's message and the parts marked wrong. */
      const submit = async (dob: [string, string, string], name: string) => {
        await fillDate(page, date, dob);
        await page.getByRole('button', { name: words.continue }).click();
        if (process.env.ISSUE16_SCREENSHOTS && name === 'not-real') {
          for (const width of [1280, 320]) {
            await page.setViewportSize({ width, height: 900 });
            await page.screenshot({
              path: `docs/screenshots/issue-16/prisoner-errors-${words.lang}-${width}-${process.env.ISSUE16_SCREENSHOTS}.png`,
              fullPage: true,
            });
          }
          await page.setViewportSize({ width: 1280, height: 720 });
        }
        await checkPage(page, `error-dob-${words.lang}-${name}`);
        return {
          summary: await page
            .locator('.govuk-error-summary__list a')
            .evaluateAll((all) => all.map((a) => `${a.getAttribute('href')} ${a.textContent?.trim()}`)),
          message: (await page.textContent(`#${date}-error`))?.replace(/\s+/g, ' ').trim(),
          hidden: (await page.textContent(`#${date}-error .govuk-visually-hidden`))?.trim(),
          marked: await page
            .locator(`#${date} input.govuk-input--error`)
            .evaluateAll((all) => all.map((input) => input.id)),
        };
      };
      const labels = await page.locator(`#${date} .govuk-date-input__label`).allTextContents();
      expect(labels.map((label) => label.trim())).toEqual(words.labels);

      expect(await submit(['', '', ''], 'blank')).toEqual({
        summary: [`#${date}-day ${words.blank}`],
        message: `${words.prefix} ${words.blank}`,
        hidden: words.prefix,
        marked: [`${date}-day`, `${date}-month`, `${date}-year`],
      });
      expect(await submit(['31', '02', '1980'], 'not-real')).toEqual({
        summary: [`#${date}-day ${words.notReal}`],
        message: `${words.prefix} ${words.notReal}`,
        hidden: words.prefix,
        marked: [`${date}-day`],
      });
      expect(await submit(['16', '10', ''], 'no-year')).toEqual({
        summary: [`#${date}-year ${words.noYear}`],
        message: `${words.prefix} ${words.noYear}`,
        hidden: words.prefix,
        marked: [`${date}-year`],
      });
      await page.locator('.govuk-error-summary__list a').first().click();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe(`${date}-year`);

      // The visitors' dates say whose they are: yours, then visitor 2's.
      await fillDate(page, date, ['16', '10', '1980']);
      await page.getByRole('button', { name: words.continue }).click();
      await page.fill('#visitors-0-firstName', 'Ada');
      await page.fill('#visitors-0-lastName', 'Wilde');
      await fillDate(page, 'visitors-0-dateOfBirth', ['1', '', '1985']);
      await page.getByRole('button', { name: words.add }).click();
      await page.fill('#visitors-1-firstName', 'Cyril');
      await page.fill('#visitors-1-lastName', 'Wilde');
      await fillDate(page, 'visitors-1-dateOfBirth', ['1', '1', String(new Date().getFullYear() + 1)]);
      await page.getByRole('button', { name: words.continue }).click();
      await checkPage(page, `error-dob-${words.lang}-visitors`);
      expect(
        await page
          .locator('.govuk-error-summary__list a')
          .evaluateAll((all) => all.map((a) => `${a.getAttribute('href')} ${a.textContent?.trim()}`)),
      ).toEqual([
        `#visitors-0-dateOfBirth-month ${words.leadNoMonth}`,
        `#visitors-1-dateOfBirth-day ${words.secondInFuture}`,
      ]);
      expect(await page.locator('input.govuk-input--error').evaluateAll((all) => all.map((input) => input.id))).toEqual(
        [
          'visitors-0-dateOfBirth-month',
          'visitors-1-dateOfBirth-day',
          'visitors-1-dateOfBirth-month',
          'visitors-1-dateOfBirth-year',
        ],
      );
      await context.close();
    }
  });

  it('keep personal data out of the logs', async () => {
    const lines: string[] = [];
    const app = testApp({
      db: service.db,
      temporal: service.client,
      taskQueue: service.taskQueue,
      log: createLog('debug', (line) => lines.push(line)),
    });
    const logged = await serve(app.fetch);
    const context = await site.browser.newContext({ baseURL: logged.base });
    const page = await context.newPage();
    await request(page, { ...english, slots: slotsAt('NGT').slice(0, 1) }, 'logs', { check: false });
    await context.close();
    await logged.close();
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(line).not.toMatch(/Wilde|A1234BC|ada@example|07700|\/visits\/[0-9A-Z]{8}/i);
  });

  it('refuse a form posted without its CSRF token', async () => {
    const response = await fetch(`${site.base}/request/prison`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'prisonId=NGT',
    });
    expect(response.status).toBe(403);
  });
});

describe('the service’s own pages', () => {
  it('pass axe in both languages: help, cookies, accessibility, privacy, feedback', async () => {
    const { context, page } = await open();
    for (const lang of ['en', 'cy']) {
      for (const path of ['/help', '/cookies', '/accessibility', '/privacy', '/feedback', '/nowhere']) {
        await page.goto(`${path}?lang=${lang}`);
        await checkPage(page, `info-${lang}${path.replace('/', '-')}`);
        expect(await page.getAttribute('html', 'lang')).toBe(lang);
      }
    }
    await context.close();
  });

  it('take feedback, a rating and a comment', async () => {
    const { context, page } = await open();
    await page.goto('/feedback');
    await page.getByRole('button', { name: 'Send feedback' }).click();
    expect(await page.locator('.govuk-error-summary a').getAttribute('href')).toBe('#rating');
    await page.getByLabel('Very satisfied').check();
    await page.fill('#comment', 'Quick and clear');
    await page.getByRole('button', { name: 'Send feedback' }).click();
    expect(await page.textContent('h1')).toContain('Thank you for your feedback');
    expect(await service.db.collection('feedback').findOne({ comment: 'Quick and clear' })).toMatchObject({
      rating: 5,
    });
    await context.close();
  });

  it('list on the cookies page exactly the cookies the browser holds during the journey', async () => {
    const { context, page } = await open();
    await request(page, { ...english, slots: slotsAt('NGT').slice(0, 1) }, 'cookies', { check: false });
    // Opening the visit from the confirmation page gives this browser access to it, in a cookie of its own.
    await page.getByRole('link', { name: 'Check the status of your request' }).click();
    await page.waitForURL(/\/visits\/[0-9A-Z]{8}$/);
    await page.goto('/cookies?lang=cy');
    await page.goto('/cookies?lang=en');
    const held = (await context.cookies()).map((cookie) => cookie.name).sort();
    const listed = (await page.locator('table tbody tr td:first-child').allTextContents()).map((t) => t.trim()).sort();
    // A booker's cookies are held only once they sign in (test/bookers.test.ts checks those are listed).
    const signedInOnly = [BOOKER_COOKIE, ONE_LOGIN_COOKIE];
    expect(held).toEqual(listed.filter((name) => !signedInOnly.includes(name)));
    expect(listed).toEqual(listedCookies.map((c) => c.name).sort());
    expect(listed).toEqual(expect.arrayContaining(signedInOnly));
    await context.close();
  });

  it('keep personal data out of URLs', async () => {
    const { context, page } = await open();
    const urls: string[] = [];
    page.on('request', (req) => urls.push(req.url()));
    await request(page, { ...english, slots: slotsAt('NGT').slice(0, 1) }, 'urls', { check: false });
    // The browser that sent the request opens its visit without the visit's token in any address.
    await page.getByRole('link', { name: 'Check the status of your request' }).click();
    await page.waitForURL(/\/visits\/[0-9A-Z]{8}$/);
    expect(await page.textContent('main')).toContain('Requested');
    for (const url of urls) expect(url).not.toMatch(/Wilde|A1234BC|ada@example|07700|token=/i);
    await context.close();
  });
});

// Every page a visitor can reach, in Welsh, in Debian's Chromium: none shows words from the English catalogue, nor an
// English day or month name (dates and opening hours are worded too), and each passes axe-core.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findVisit } from '../activities/readModel/lookups';
import { catalogues } from '../ui/i18n';
import { checkPage, openSite, type Site } from './browser';
import { fakePrisonerService, samplePrisoner } from './fakePrisonerService';
import type { PrisonerRecord } from '../rules/eligibility';
import { eventually, slotsAt, startTestService, visitRequestBody, type TestService } from './harness';

let service: TestService;
let site: Site;
let staff: string;

beforeAll(async () => {
  service = await startTestService('welsh');
  staff = await service.staffToken('staff', ['NGT', 'AFL']);
  site = await openSite(service.app.fetch);
}, 120_000);
afterAll(async () => {
  await site?.close();
  await service?.close();
});

/**
 * The English catalogue's words that a Welsh page must not show: for each key whose Welsh differs, the literal pieces
 * of its English between `{placeholders}` (and HTML tags), each at least three letters long. A piece is looked for as
 * whole words, case and all, so "Back" is found but not inside "Backlog", and the names a page quotes (HMP Northgate,
 * Oscar Wilde, an e-mail address) cannot match: no piece of the catalogue is a name. The language switch's own
 * "English" is meant to be there, so `lang.*` is left out.
 */
const englishPieces = Object.entries(catalogues.en)
  .filter(([key, english]) => !key.startsWith('lang.') && english !== catalogues.cy[key])
  .flatMap(([key, english]) =>
    english
      .split(/\{\w+\}|<[^>]*>/)
      .map((piece) => piece.replace(/^[\s.,:;!?()–-]+|[\s.,:;!?()–-]+$/g, ''))
      .filter((piece) => (piece.match(/[A-Za-z]/g) ?? []).length >= 3)
      .map((piece) => ({ key, piece })),
  );

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const wholeWords = (piece: string) => new RegExp(`(?<![A-Za-z])${escape(piece)}(?![A-Za-z])`);

/** English names of days and months, whole and short, as a date worded in English shows them. */
const englishNames = new RegExp(
  `(?<![A-Za-z])(${[
    ...['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
    ...['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October'],
    ...['November', 'December'],
    ...['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
    ...['Jan', 'Feb', 'Mar', 'Apr', 'Jun', 'Jul', 'Aug', 'Sep', 'Sept', 'Oct', 'Nov', 'Dec'],
  ].join('|')})(?![A-Za-z])`,
  'g',
);

/** GOV.UK Frontend's own English, which its macros show unless the page passes its words. */
const frontendDefaults = [
  'Skip to main content',
  'Service information',
  'Menu',
  'Support links',
  'Open Government Licence',
  'Crown copyright',
  'There is a problem',
  'Warning',
  'You can enter up to',
  'characters remaining',
];

/**
 * Everything a visitor can read or hear on the page: its title, every text node (the visually hidden ones and those
 * shown by JavaScript later, like the time-out warning, too) and the words in attributes that assistive technology
 * reads or scripts show.
 */
function pageWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const words = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.parentElement?.closest('script, style')) words.push(node.nodeValue ?? '');
    }
    for (const element of Array.from(document.body.querySelectorAll('*'))) {
      for (const { name, value } of Array.from(element.attributes)) {
        if (/^(aria-label|aria-description|title|alt|placeholder)$|^data-(i18n|label|slot-label)/.test(name)) {
          words.push(value);
        }
      }
    }
    return words.map((text) => text.replace(/\s+/g, ' ').trim()).filter(Boolean);
  });
}

/** The English in a text, each with the catalogue key it comes from, `day/month name` or `GOV.UK Frontend`. */
function englishIn(text: string): string[] {
  const found = englishPieces.filter(({ piece }) => wholeWords(piece).test(text)).map((f) => `${f.key}: ${f.piece}`);
  const names = [...new Set(text.match(englishNames) ?? [])].map((name) => `day/month name: ${name}`);
  const defaults = frontendDefaults.filter((words) => wholeWords(words).test(text));
  return [...found, ...names, ...defaults.map((words) => `GOV.UK Frontend: ${words}`)];
}

/** The English on a page. */
const englishOn = async (page: Page): Promise<string[]> => englishIn((await pageWords(page)).join('\n'));

/** The page is in Welsh: `lang="cy"`, no English from the catalogue, no English dates; and it passes axe. */
async function expectWelsh(page: Page, name: string): Promise<void> {
  expect.soft(await page.getAttribute('html', 'lang'), name).toBe('cy');
  expect.soft(await englishOn(page), `${name}: ${page.url()}`).toEqual([]);
  await checkPage(page, `welsh-${name}`);
}

async function fillDate(page: Page, id: string, [day, month, year]: [string, string, string]) {
  await page.fill(`#${id}-day`, day);
  await page.fill(`#${id}-month`, month);
  await page.fill(`#${id}-year`, year);
}

const parhau = (page: Page) => page.getByRole('button', { name: 'Parhau' }).click();

/** A Welsh visitor's browser. */
async function welshPage(): Promise<Page> {
  const page = await site.page();
  await page.goto('/?lang=cy');
  return page;
}

describe('the pages in Welsh', () => {
  it('catch English: the test knows the catalogue’s English when it sees it', async () => {
    expect(englishPieces.length).toBeGreaterThan(150);
    const page = await site.page();
    await page.goto('/?lang=en');
    const found = await englishOn(page);
    expect(found).toContain('start.button: Start now');
    expect(found).toContain('help.heading: Get help');
    await page.goto('/?lang=cy');
    await page.evaluate(() => document.querySelector('main')?.append(' Continue, on Monday '));
    expect(await englishOn(page)).toEqual(['common.continue: Continue', 'day/month name: Monday']);
    expect(englishIn('CEM Afon Las, HMP Northgate, Oscar Wilde, ada@example.com, Mawrth, Backlog')).toEqual([]);
    await page.context().close();
  });

  it('ask for a visit without a word of English, errors included', async () => {
    const page = await welshPage();
    await expectWelsh(page, 'start');
    await page.getByRole('button', { name: 'Dechrau nawr' }).click();
    await expectWelsh(page, 'prison');
    await parhau(page);
    await expectWelsh(page, 'prison-error');
    await page.getByLabel('CEM Afon Las').check();
    await parhau(page);
    await expectWelsh(page, 'prisoner');
    await parhau(page);
    await expectWelsh(page, 'prisoner-blank');
    await page.fill('#prisoner-firstName', 'Oscar');
    await page.fill('#prisoner-lastName', 'Wilde');
    await fillDate(page, 'prisoner-dateOfBirth', ['31', '2', '1980']);
    await page.fill('#prisoner-number', 'A1234BC');
    await parhau(page);
    await expectWelsh(page, 'prisoner-impossible-date');
    await fillDate(page, 'prisoner-dateOfBirth', ['16', '10', '1980']);
    await parhau(page);
    await expectWelsh(page, 'visitors');
    await parhau(page);
    await expectWelsh(page, 'visitors-blank');
    await page.fill('#visitors-0-firstName', 'Ada');
    await page.fill('#visitors-0-lastName', 'Wilde');
    await fillDate(page, 'visitors-0-dateOfBirth', ['1', '1', String(new Date().getFullYear() - 17)]);
    await page.getByRole('button', { name: 'Ychwanegu ymwelydd arall' }).click();
    await page.fill('#visitors-1-firstName', 'Cyril');
    await page.fill('#visitors-1-lastName', 'Wilde');
    await fillDate(page, 'visitors-1-dateOfBirth', ['5', '6', '2015']);
    await parhau(page);
    await expectWelsh(page, 'visitors-lead-too-young');
    await fillDate(page, 'visitors-0-dateOfBirth', ['1', '1', '1985']);
    await parhau(page);
    await expectWelsh(page, 'slots');
    await parhau(page);
    await expectWelsh(page, 'slots-error');
    const [slot] = slotsAt('AFL');
    const day = page.locator(`[data-calendar-date="${slot.slice(0, 10)}"]`);
    if (await day.count()) await day.click();
    await page.check(`input[value="${slot}"]`);
    await parhau(page);
    await expectWelsh(page, 'contact');
    await parhau(page);
    await expectWelsh(page, 'contact-blank');
    await page.fill('#contact-email', 'not an email');
    await page.fill('#contact-phone', '12');
    await parhau(page);
    await expectWelsh(page, 'contact-invalid');
    await page.fill('#contact-email', 'ada@example.com');
    await page.fill('#contact-phone', '07700 900123');
    await parhau(page);
    await expectWelsh(page, 'check');
    await page.getByRole('button', { name: 'Anfon cais' }).click();
    await expectWelsh(page, 'confirmation');
    const reference = (await page.locator('.govuk-panel__body strong').textContent())?.trim() ?? '';
    const mail = await eventually(async () => service.mail.messages.find((m) => m.text?.includes(reference)), 30_000);
    // The e-mail's words are not the pages' catalogue; its dates and the prison's opening hours are worded, though.
    expect(mail.text).toContain('dydd Llun i ddydd Gwener, 10am i 3pm');
    expect(englishIn(`${mail.subject}\n${mail.text}`).filter((found) => found.startsWith('day/month'))).toEqual([]);
    await page.getByRole('link', { name: 'Gwirio statws eich cais' }).click();
    await expectWelsh(page, 'status-requested');
    await page.getByRole('button', { name: 'Tynnu eich cais yn ôl' }).click();
    await expectWelsh(page, 'withdraw');
    await page.getByRole('button', { name: 'Ydw, tynnu fy nghais yn ôl' }).click();
    await expectWelsh(page, 'status-withdrawn');
    await page.context().close();
  });

  it('show a booked visit, its cancellation and a refused one in Welsh', async () => {
    const submit = async () => {
      const response = await service.call('POST', '/api/visits', {
        body: visitRequestBody({ prisonId: 'AFL', slotOptions: slotsAt('AFL').slice(0, 2), locale: 'cy' }),
      });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      const { reference, accessToken } = response.body as { reference: string; accessToken: string };
      await eventually(async () => (await findVisit(service.db, reference)) ?? undefined);
      return { reference, accessToken };
    };
    const decide = async (reference: string, body: Record<string, unknown>, status: string) => {
      const decided = await service.call('POST', `/api/staff/visits/${reference}/decision`, { token: staff, body });
      expect(decided.status, JSON.stringify(decided.body)).toBe(200);
      await eventually(async () => ((await findVisit(service.db, reference))?.status === status ? true : undefined));
    };
    const booked = await submit();
    await decide(booked.reference, { outcome: 'accept', slot: slotsAt('AFL')[0], referenceNo: 'AF-16' }, 'booked');
    const refused = await submit();
    await decide(refused.reference, { outcome: 'reject', reasons: ['slot_unavailable'] }, 'rejected');

    const page = await welshPage();
    await page.goto(`/visits/${booked.reference}?token=${encodeURIComponent(booked.accessToken)}`);
    await expectWelsh(page, 'status-booked');
    await page.getByRole('button', { name: 'Canslo eich ymweliad' }).click();
    await expectWelsh(page, 'cancel');
    await page.getByRole('button', { name: 'Ydw, canslo fy ymweliad' }).click();
    await expectWelsh(page, 'status-cancelled');
    await page.goto(`/visits/${refused.reference}?token=${encodeURIComponent(refused.accessToken)}`);
    await expectWelsh(page, 'status-rejected');
    await page.context().close();
  });

  it('give a rule’s reason for refusing in the rule file’s own Welsh', async () => {
    const refusedBy = async (prisonId: string, number: string, record: Partial<PrisonerRecord>) => {
      fakePrisonerService.records.set(number, { ...samplePrisoner, number, prisonId, ...record });
      const prisoner = { ...visitRequestBody().prisoner, number };
      const body = visitRequestBody({ prisonId, prisoner, slotOptions: slotsAt(prisonId).slice(0, 1), locale: 'cy' });
      const response = await service.call('POST', '/api/visits', { body });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      const { reference, accessToken } = response.body as { reference: string; accessToken: string };
      await eventually(async () =>
        (await findVisit(service.db, reference))?.status === 'rejected' ? true : undefined,
      );
      const page = await welshPage();
      await page.goto(`/visits/${reference}?token=${encodeURIComponent(accessToken)}`);
      await expectWelsh(page, `status-rejected-by-${prisonId}`);
      const reasons = await page.locator('main ul.govuk-list--bullet li').allTextContents();
      await page.context().close();
      return reasons.map((reason) => reason.trim());
    };
    // Northgate's rule gives its explanation in Welsh as well.
    expect(await refusedBy('NGT', 'C3333DE', { visitBalance: 0 })).toEqual([
      'Mae’r carcharor wedi defnyddio pob un o’i ymweliadau am y tro. Gall anfon gorchymyn ymweld newydd pan fydd ei lwfans yn adnewyddu.',
    ]);
  });

  it('show the service’s own pages, the visit-link pages and the error pages in Welsh', async () => {
    const page = await welshPage();
    for (const path of ['/help', '/cookies', '/accessibility', '/privacy', '/feedback']) {
      await page.goto(path);
      await expectWelsh(page, path.slice(1));
    }
    await page.getByRole('button', { name: 'Anfon adborth' }).click();
    await expectWelsh(page, 'feedback-error');
    await page.getByLabel('Bodlon iawn').check();
    await page.getByRole('button', { name: 'Anfon adborth' }).click();
    await expectWelsh(page, 'feedback-thanks');
    await page.goto('/feedback');
    await page.locator('input[name="_csrf"]').evaluate((input) => input.setAttribute('value', 'not-the-token'));
    await page.getByRole('button', { name: 'Anfon adborth' }).click();
    expect(await page.textContent('main')).toContain('Roedd eich ffurflen wedi dod i ben');
    await expectWelsh(page, 'form-expired');

    await page.goto('/nowhere');
    await expectWelsh(page, 'not-found');
    await page.goto('/visits/ABCD2345');
    await expectWelsh(page, 'visit-link-none');
    await page.goto('/visits/ABCD2345?token=not-a-code');
    await expectWelsh(page, 'visit-link-used');
    await page.fill('#email', 'not an email');
    await page.getByRole('button', { name: 'Anfon dolen newydd ataf' }).click();
    await expectWelsh(page, 'visit-link-error');
    await page.fill('#email', 'ada@example.com');
    await page.getByRole('button', { name: 'Anfon dolen newydd ataf' }).click();
    await expectWelsh(page, 'visit-link-sent');
    await page.context().close();
  });
});

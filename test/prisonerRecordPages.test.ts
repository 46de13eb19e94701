// The staff pages that follow the prisoner's record, on the real servers: the decision page suggests each visitor's
// outcome from the contact check (and says what differs for a near match), the "needs review" list and "no change
// needed", and the prisoner's visiting orders with their adjustment form; who may see each; and the review list and
// the visiting-order page in Welsh, in Chromium, by keyboard alone, passing axe.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findVisit } from '../activities/readModel/lookups';
import { ledgerOf } from '../activities/readModel/visitingOrders';
import { saveStaffAccount } from '../api/staffAccounts';
import { addDays, londonClock } from '../rules/londonTime';
import type { PrisonerRecord } from '../rules/prisonerRecord';
import { catalogues } from '../ui/i18n';
import { checkPage, openSite, type Site } from './browser';
import { contactFor, fakePrisonerService, samplePrisoner } from './fakePrisonerService';
import { eventually, PASSWORD, startTestService, visitRequestBody, type TestService } from './harness';

const EVENTS_TOKEN = 'r'.repeat(40);
let service: TestService;
let site: Site;
let apiStaff: string;
const sessions: Record<string, string> = {};

beforeAll(async () => {
  service = await startTestService('prisoner_record_pages', { prisonerEventsToken: EVENTS_TOKEN });
  for (const [email, prisons] of [
    ['ngt@records.test', ['NGT']],
    ['wmr@records.test', ['WMR']],
  ] as const) {
    await saveStaffAccount(service.db, { email, role: 'staff', prisons: [...prisons], password: PASSWORD });
    const { body } = await service.call('POST', '/api/staff/session', { body: { email, password: PASSWORD } });
    sessions[email] = body.token as string;
  }
  apiStaff = sessions['ngt@records.test'];
  site = await openSite(service.app.fetch);
}, 120_000);
afterAll(async () => {
  await site?.close();
  await service?.close();
});

const ada = { firstName: 'Ada', lastName: 'Wilde', dateOfBirth: '1985-01-01' };

/** A prisoner of the test's own at HMP Northgate, known to the prisoner service with this record. */
function prisonerWith(number: string, record: Partial<PrisonerRecord> = {}): PrisonerRecord {
  const prisoner: PrisonerRecord = { ...samplePrisoner, number, ...record };
  fakePrisonerService.records.set(number, prisoner);
  return prisoner;
}

/** A request for the prisoner with these visitors, once its eligibility check is done. */
async function checkedRequest(prisoner: PrisonerRecord, visitors = [ada]) {
  const { firstName, lastName, dateOfBirth, number } = prisoner;
  const sent = await service.call('POST', '/api/visits', {
    body: visitRequestBody({ prisoner: { firstName, lastName, dateOfBirth, number }, visitors }),
  });
  expect(sent.status, JSON.stringify(sent.body)).toBe(201);
  const reference = sent.body.reference as string;
  return eventually(async () => {
    const visit = await findVisit(service.db, reference);
    return visit?.eligibility ? visit : undefined;
  });
}

/** A booked visit of the prisoner, then flagged for review: the prisoner service says they moved prison. */
async function flaggedVisit(prisoner: PrisonerRecord): Promise<string> {
  const visit = await checkedRequest(prisoner);
  const accepted = await service.call('POST', `/api/staff/visits/${visit.reference}/decision`, {
    token: apiStaff,
    body: { outcome: 'accept', slot: visit.slotOptions[0], referenceNo: 'NG-1' },
  });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  const told = await service.call('POST', '/api/prisoner-events', {
    token: EVENTS_TOKEN,
    body: {
      kind: 'transferred',
      prisonerNumber: prisoner.number,
      toPrisonId: 'WMR',
      occurredAt: new Date().toISOString(),
    },
  });
  expect(told.status, JSON.stringify(told.body)).toBe(202);
  await eventually(async () => ((await findVisit(service.db, visit.reference))?.needsReview ? true : undefined));
  return visit.reference;
}

/** A page as a signed-in member of staff gets it (GET, or POST of a form with the page's CSRF token). */
async function asStaff(email: string, path: string, form?: Record<string, string>) {
  const headers: Record<string, string> = { Cookie: `pvb_session=${sessions[email]}` };
  const response = await service.app.request(path, {
    method: form ? 'POST' : 'GET',
    headers: form ? { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' } : headers,
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  return { status: response.status, location: response.headers.get('Location') ?? '', html: await response.text() };
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const keyOf = (html: string) => /name="key" value="([0-9a-f]{32})"/.exec(html)?.[1] ?? '';
/** The page's text without its tags, spaces run together: what a reader sees. */
const textOf = (html: string) =>
  html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replaceAll('&#39;', '’')
    .replace(/\s+/g, ' ');
/** The option chosen in a select, by the select's name. */
function selectedIn(html: string, name: string): string | undefined {
  const select = new RegExp(`<select[^>]*name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1] ?? '';
  return /<option value="([^"]*)"\s+selected/.exec(select)?.[1];
}
/** The error summary's links: where each goes, and what it says. */
const errorLinks = (html: string) =>
  [...html.matchAll(/<a href="(#[\w-]+)"[^>]*>([\s\S]*?)<\/a>/g)]
    .filter(([, href]) => href !== '#main-content')
    .map(([, href, text]) => `${href} ${text.trim()}`);
const inputValue = (html: string, id: string) => new RegExp(`id="${id}"[^>]*value="([^"]*)"`).exec(html)?.[1];

describe('the decision page and the contact check', () => {
  it('shows a near match with what differs, and suggests "allowed" for staff to confirm', async () => {
    const bob = { firstName: 'Bob', lastName: 'Smith', dateOfBirth: '1985-03-12' };
    const prisoner = prisonerWith('N1001AA', {
      contacts: [contactFor(ada, { relationship: 'Sister' }), contactFor({ ...bob, dateOfBirth: '1985-12-03' })],
    });
    const visit = await checkedRequest(prisoner, [ada, bob]);
    expect(visit.eligibility?.visitors?.map((check) => check.match)).toEqual(['exact', 'near']);
    const page = await asStaff('ngt@records.test', `/staff/visits/${visit.reference}/decision?outcome=accept`);
    expect(page.status).toBe(200);
    const text = textOf(page.html);
    expect(text).toContain('Exact match (Sister).');
    expect(text).toContain('Near match (Friend): date of birth 12 March 1985 given, 3 December 1985 on record.');
    expect(selectedIn(page.html, 'visitor-0')).toBe('allowed');
    expect(selectedIn(page.html, 'visitor-1')).toBe('allowed');

    // What staff chose, sent back with an error, wins over the suggestion.
    const sent = await asStaff('ngt@records.test', `/staff/visits/${visit.reference}/decision`, {
      _csrf: csrfOf(page.html),
      key: keyOf(page.html),
      outcome: 'accept',
      'visitor-0': 'allowed',
      'visitor-1': 'other',
    });
    expect(sent.status).toBe(400);
    expect(selectedIn(sent.html, 'visitor-1')).toBe('other');
  });

  it('suggests "banned" with the ban’s end for a banned contact, and "not on the list" for a stranger', async () => {
    const until = addDays(londonClock(new Date()).date, 200);
    const bob = { firstName: 'Bob', lastName: 'Smith', dateOfBirth: '1985-03-12' };
    const cara = { firstName: 'Cara', lastName: 'Jones', dateOfBirth: '1990-07-01' };
    const prisoner = prisonerWith('N1002AA', {
      contacts: [contactFor(ada), contactFor(bob, { restrictions: [{ type: 'banned', until }] })],
    });
    const visit = await checkedRequest(prisoner, [ada, bob, cara]);
    expect(visit.status).toBe('requested');
    const page = await asStaff('ngt@records.test', `/staff/visits/${visit.reference}/decision?outcome=accept`);
    expect(selectedIn(page.html, 'visitor-0')).toBe('allowed');
    expect(selectedIn(page.html, 'visitor-1')).toBe('banned');
    const [year, month, day] = until.split('-').map((part) => String(Number(part)));
    expect(inputValue(page.html, 'visitors-1-bannedUntil-day')).toBe(day);
    expect(inputValue(page.html, 'visitors-1-bannedUntil-month')).toBe(month);
    expect(inputValue(page.html, 'visitors-1-bannedUntil-year')).toBe(year);
    expect(selectedIn(page.html, 'visitor-2')).toBe('not_on_list');
    expect(textOf(page.html)).toContain('Not on the contact list.');
  });
});

describe('the "needs review" list', () => {
  it('lists a booked visit flagged by a change to the record, until "no change needed", which the visit then shows', async () => {
    const prisoner = prisonerWith('N2001AA');
    const reference = await flaggedVisit(prisoner);
    const list = await asStaff('ngt@records.test', '/staff/review');
    expect(list.status).toBe(200);
    expect(list.html).toContain(`href="/staff/visits/${reference}"`);
    expect(list.html).toContain(`href="/staff/prisoners/${prisoner.number}/visiting-orders"`);
    expect(textOf(list.html)).toMatch(/Moved to another prison ?: The prisoner has moved to another prison\./);
    expect(textOf(list.html)).toMatch(/Needs review \(\d+\)/);

    // Staff of another prison see neither the visit in their list nor this prison's list.
    expect(textOf((await asStaff('wmr@records.test', '/staff/review')).html)).not.toContain(reference);
    expect((await asStaff('wmr@records.test', '/staff/review?prisonId=NGT')).status).toBe(403);

    const visitPage = await asStaff('ngt@records.test', `/staff/visits/${reference}`);
    expect(textOf(visitPage.html)).toContain('This visit needs review');
    expect(textOf(visitPage.html)).toContain('The prisoner has moved to another prison.');
    const form = { _csrf: csrfOf(visitPage.html), key: keyOf(visitPage.html) };
    const done = await asStaff('ngt@records.test', `/staff/visits/${reference}/no-change-needed`, form);
    expect(done.status).toBe(303);
    expect(done.location).toBe(`/staff/visits/${reference}?reviewed=done`);
    const after = await asStaff('ngt@records.test', done.location);
    expect(textOf(after.html)).toContain('Recorded: no change needed.');
    expect(textOf(after.html)).not.toContain('This visit needs review');
    expect(textOf(after.html)).toMatch(
      /review closed: no change needed: \w+day \d+ \w+ \d{4}, [\d:]+[ap]m by ngt@records\.test/,
    );
    expect((await asStaff('ngt@records.test', '/staff/review')).html).not.toContain(`/staff/visits/${reference}"`);

    // The same form again (a second press, or another tab): nothing to review, and the page says so.
    const again = await asStaff('ngt@records.test', `/staff/visits/${reference}/no-change-needed`, {
      ...form,
      key: 'f'.repeat(32),
    });
    expect(again.location).toBe(`/staff/visits/${reference}?reviewed=gone`);
    expect(textOf((await asStaff('ngt@records.test', again.location)).html)).toContain('no longer under review');
  });

  it('says when there is nothing to review', async () => {
    const list = await asStaff('wmr@records.test', '/staff/review');
    expect(list.status).toBe(200);
    expect(textOf(list.html)).toContain('There are no visits to review.');
  });
});

describe('the visiting-order page', () => {
  const renewsOn = addDays(londonClock(new Date()).date, 20);

  it('shows the balance, when new ones come and the history; an adjustment posted twice is made once', async () => {
    const prisoner = prisonerWith('V1001AA', { visitingOrders: { balance: 4, renewsOn } });
    const path = `/staff/prisoners/${prisoner.number}/visiting-orders`;
    const page = await asStaff('ngt@records.test', path);
    expect(page.status).toBe(200);
    const [, month] = renewsOn.split('-');
    expect(textOf(page.html)).toContain('Visiting orders left 4');
    expect(textOf(page.html)).toMatch(
      new RegExp(`New visiting orders issued on \\w+day ${Number(renewsOn.slice(8))} \\w+ ${renewsOn.slice(0, 4)}`),
    );
    expect(month).toBeTruthy();
    expect(textOf(page.html)).toContain('Nothing has been recorded yet.');

    const form = { _csrf: csrfOf(page.html), key: keyOf(page.html), amount: '2', reason: 'Extra for the holidays' };
    const [first, second] = [
      await asStaff('ngt@records.test', path, form),
      await asStaff('ngt@records.test', path, form),
    ];
    expect([first.status, second.status]).toEqual([303, 303]);
    const shown = await asStaff('ngt@records.test', first.location);
    expect(textOf(shown.html)).toContain('Visiting orders adjusted. The prisoner has 6 left.');
    expect(textOf(shown.html)).toContain('Adjusted by ngt@records.test: Extra for the holidays +2 6');
    expect(textOf(shown.html)).toContain(`Issued for the period to`);
    const adjustments = (await ledgerOf(service.db, prisoner.number)).filter((entry) => entry.kind === 'adjusted');
    expect(adjustments).toHaveLength(1);
    expect(textOf(shown.html).match(/Adjusted by/g)).toHaveLength(1);
  });

  it('names the field that is wrong, in the error summary and beside the field', async () => {
    const prisoner = prisonerWith('V1002AA', { visitingOrders: { balance: 1, renewsOn } });
    const path = `/staff/prisoners/${prisoner.number}/visiting-orders`;
    const page = await asStaff('ngt@records.test', path);
    const post = (amount: string, reason = 'A reason') =>
      asStaff('ngt@records.test', path, { _csrf: csrfOf(page.html), key: keyOf(page.html), amount, reason });
    for (const [amount, words] of [
      ['two', 'Number of visiting orders must be a number, like 2 or -1'],
      ['1.5', 'Number of visiting orders must be a whole number'],
      ['0', 'Number of visiting orders cannot be 0'],
      ['-21', 'Number of visiting orders must be -20 or more'],
      ['', 'Enter the number of visiting orders to add or take away'],
    ]) {
      const refused = await post(amount);
      expect(refused.status, amount).toBe(400);
      expect(errorLinks(refused.html), amount).toEqual([`#amount ${words}`]);
      expect(textOf(refused.html), amount).toContain(`Error: ${words}`);
    }
    const noReason = await post('1', ' ');
    expect(errorLinks(noReason.html)).toEqual(['#reason Enter the reason for the adjustment']);
    const tooMany = await post('-2');
    expect(tooMany.status).toBe(409);
    expect(errorLinks(tooMany.html)).toEqual([
      '#amount That would leave fewer than no visiting orders: the prisoner has 1 left',
    ]);
    expect((await ledgerOf(service.db, prisoner.number)).filter((e) => e.kind === 'adjusted')).toEqual([]);
  });

  it('says a prisoner on remand is limited to visits a week', async () => {
    const prisoner = prisonerWith('V1003AA', { legalStatus: 'remand' });
    const page = await asStaff('ngt@records.test', `/staff/prisoners/${prisoner.number}/visiting-orders`);
    expect(textOf(page.html)).toContain(
      'On remand: visiting orders are not used. The prisoner may have up to 3 visits a week.',
    );
  });

  it('is not found for staff of another prison, nor can they adjust', async () => {
    const prisoner = prisonerWith('V1004AA', { visitingOrders: { balance: 3, renewsOn } });
    const path = `/staff/prisoners/${prisoner.number}/visiting-orders`;
    expect((await asStaff('wmr@records.test', path)).status).toBe(404);
    const other = await asStaff('wmr@records.test', '/staff/review');
    const posted = await asStaff('wmr@records.test', path, {
      _csrf: csrfOf(other.html),
      key: 'a'.repeat(32),
      amount: '5',
      reason: 'Not mine',
    });
    expect(posted.status).toBe(404);
    expect(await ledgerOf(service.db, prisoner.number)).toEqual([]);
  });
});

// --- In Welsh, in a browser, by keyboard alone ---

/** Presses Tab until the element `selector` has the focus (at most 120 presses): it is reachable by keyboard. */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let presses = 0; presses < 120; presses++) {
    if ((await page.locator(`${selector}:focus`).count()) > 0) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} never had the focus on ${page.url()}`);
}

async function typeInto(page: Page, selector: string, value: string): Promise<void> {
  await tabTo(page, selector);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(value);
}

/** Tabs to `selector` and presses `key` on it, waiting for the page it leads to. */
async function press(page: Page, selector: string, key: 'Enter' | 'Space' = 'Enter'): Promise<void> {
  await tabTo(page, selector);
  const navigated = page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame());
  await page.keyboard.press(key);
  await navigated;
  await page.waitForLoadState('load');
}

/**
 * The English of the pages' own words that a Welsh page must not show: for each key of the staff layout, the review
 * list and the visiting-order page whose Welsh differs, its literal pieces of three letters or more. Text marked
 * `lang="en"` (a change's details, as the prison's records word them) is left out, as is the language switch.
 */
const englishPieces = Object.entries(catalogues.en)
  .filter(([key, english]) => /^(staff|review|orders)\./.test(key) && english !== catalogues.cy[key])
  .flatMap(([key, english]) =>
    english
      .split(/\{\w+\}/)
      .map((piece) => piece.replace(/^[\s.,:;()–-]+|[\s.,:;()–-]+$/g, ''))
      .filter((piece) => (piece.match(/[A-Za-z]/g) ?? []).length >= 3)
      .map((piece) => `${key}: ${piece}`),
  );

async function englishOn(page: Page): Promise<string[]> {
  const text = await page.evaluate(() => {
    const words = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (parent && !parent.closest('script, style, [lang="en"]')) words.push(node.nodeValue ?? '');
    }
    for (const element of Array.from(document.body.querySelectorAll('[aria-label]'))) {
      words.push(element.getAttribute('aria-label') ?? '');
    }
    return words.join('\n').replace(/\s+/g, ' ');
  });
  const escape = (piece: string) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const frontend = [
    'Skip to main content',
    'Service information',
    'Menu',
    'There is a problem',
    'Important',
    'Success',
  ];
  return [
    ...englishPieces.filter((entry) =>
      new RegExp(`(?<![A-Za-z])${escape(entry.slice(entry.indexOf(': ') + 2))}(?![A-Za-z])`).test(text),
    ),
    ...frontend.filter((words) => new RegExp(`(?<![A-Za-z])${escape(words)}(?![A-Za-z])`).test(text)),
    ...[
      ...new Set(
        text.match(
          /(?<![A-Za-z])(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|June|July|August|September|October|November|December)(?![A-Za-z])/g,
        ) ?? [],
      ),
    ],
  ];
}

describe('the review list and the visiting-order page in Welsh', () => {
  it('knows the pages’ English when it sees it', () => {
    expect(englishPieces).toContain('review.empty: There are no visits to review');
    expect(englishPieces).toContain('orders.amountLabel: Number of visiting orders to add or take away');
  });

  it('are used by keyboard alone, with and without JavaScript, and pass axe', { timeout: 180_000 }, async () => {
    await saveStaffAccount(service.db, {
      email: 'keyboard@records.test',
      role: 'staff',
      prisons: ['NGT'],
      password: PASSWORD,
    });
    for (const javaScriptEnabled of [true, false]) {
      const label = javaScriptEnabled ? 'records-cy' : 'records-cy-no-js';
      const check = async (name: string) => {
        expect(await page.getAttribute('html', 'lang'), name).toBe('cy');
        expect(await englishOn(page), `${name}: ${page.url()}`).toEqual([]);
        if (javaScriptEnabled) await checkPage(page, `${label}-${name}`);
      };
      const prisoner = prisonerWith(javaScriptEnabled ? 'K1001AA' : 'K1002AA', {
        visitingOrders: { balance: 2, renewsOn: addDays(londonClock(new Date()).date, 20) },
      });
      const reference = await flaggedVisit(prisoner);
      const page = await site.page({ javaScriptEnabled });
      await page.goto('/staff/sign-in');
      await typeInto(page, '#email', 'keyboard@records.test');
      await typeInto(page, '#password', PASSWORD);
      await press(page, 'main .govuk-button:not(.govuk-button--secondary)');
      await page.goto('/staff/review?lang=cy');
      expect(await page.textContent('h1')).toContain('Angen adolygiad');
      expect(await page.textContent('main')).toContain(reference);
      await check('review');

      // To the prisoner's visiting orders from the list, and an adjustment: first wrong, then right.
      await press(page, `main a[href="/staff/prisoners/${prisoner.number}/visiting-orders"]`);
      expect(await page.textContent('h1')).toContain('Gorchmynion ymweld');
      await check('orders');
      await typeInto(page, '#amount', '0');
      await typeInto(page, '#reason', 'Ymweliad ychwanegol');
      await press(page, 'main form .govuk-button', 'Space');
      expect(await page.textContent('.govuk-error-summary')).toContain('Ni all nifer y gorchmynion ymweld fod yn 0');
      await check('orders-error');
      await typeInto(page, '#amount', '1');
      await press(page, 'main form .govuk-button');
      expect(await page.textContent('.govuk-notification-banner')).toContain(
        'Mae’r gorchmynion ymweld wedi’u haddasu. Mae gan y carcharor 2 ar ôl.',
      );
      // Two issued, one used by the visit booked, one added.
      expect(await page.textContent('main table')).toContain(`Wedi’i ddefnyddio gan ymweliad ${reference}`);
      expect(await page.textContent('main table')).toContain('Ymweliad ychwanegol');
      await check('orders-adjusted');

      // Back to the list, to the visit (an English page), and "No change needed".
      await page.goto('/staff/review');
      await press(page, `main a[href="/staff/visits/${reference}"]`);
      if (javaScriptEnabled) await checkPage(page, `${label}-visit-review`);
      await press(page, `form[action="/staff/visits/${reference}/no-change-needed"] .govuk-button`);
      expect(await page.textContent('.govuk-notification-banner--success')).toContain('no change needed');
      await page.goto('/staff/review');
      expect(await page.textContent('main')).not.toContain(reference);
      await check('review-done');
      await page.context().close();
    }
  });
});

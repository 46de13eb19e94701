// Visitors' feedback: whether they knew they could get help to ask for a visit and whether they got it, asked in
// English and in Welsh and kept with their rating; comments kept and shown with e-mail addresses and phone numbers
// masked; the admin role reading them a month at a time, newest first; and the help awareness a month at a time that
// the dashboard will show, the same as worked out here from the answers sent.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  awarenessByMonth,
  feedback,
  HELP_ANSWERS,
  maskPersonalData,
  recordFeedback,
  type HelpAnswer,
} from '../activities/readModel/feedback';
import { auditCollection } from '../api/audit';
import { saveStaffAccount } from '../api/staffAccounts';
import { addDays, londonClock, londonInstant } from '../rules/londonTime';
import { FEEDBACK_PER_PAGE } from '../ui/staff/feedback';
import { checkPage, openSite, type Site } from './browser';
import { PASSWORD, startTestService, type TestService } from './harness';

let service: TestService;
let site: Site;

/** Every piece of feedback this file gives, as it was given: what the awareness figures are worked out from. */
const given: { day: string; aware?: boolean; helped?: HelpAnswer }[] = [];

const today = () => londonClock(new Date()).date;
/** The month (`YYYY-MM`) `back` months before this one. */
const monthsAgo = (back: number) => {
  let month = today().slice(0, 7);
  for (let i = 0; i < back; i++) month = addDays(`${month}-01`, -1).slice(0, 7);
  return month;
};

beforeAll(async () => {
  service = await startTestService('feedback');
  for (const [email, role, prisons] of [
    ['admin@feedback.test', 'admin', []],
    ['staff@feedback.test', 'staff', ['NGT']],
    ['policy@feedback.test', 'policy', ['NGT']],
  ] as const) {
    await saveStaffAccount(service.db, { email, role, prisons: [...prisons], password: PASSWORD });
  }
  site = await openSite(service.app.fetch);
}, 120_000);
afterAll(async () => {
  await site?.close();
  await service?.close();
});

/** The feedback form's token and journey cookie, for a post made without a browser. */
async function feedbackForm() {
  const response = await service.app.request('/feedback');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await response.text())?.[1];
  const cookie = /pvb_journey=[^;]+/.exec(response.headers.get('Set-Cookie') ?? '')?.[0];
  if (!csrf || !cookie) throw new Error('no form token or journey cookie');
  return { csrf, cookie };
}

async function postFeedback(fields: Record<string, string>) {
  const { csrf, cookie } = await feedbackForm();
  const response = await service.app.request('/feedback', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
    body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
  });
  return { status: response.status, html: await response.text() };
}

describe('a visitor giving feedback', () => {
  // What a visitor picks and writes in each language, and what the store should keep of it.
  const visitors = [
    {
      lang: 'en',
      story: 'knew help was there and got it by phone',
      rating: 'Very satisfied',
      knew: [/Before today, did you know you could get help to ask for a visit/, 'Yes'],
      got: [/Did you get help to ask for this visit/, 'Yes, by phone'],
      comment: 'The booking line helped me through it',
      send: 'Send feedback',
      thanks: 'Thank you for your feedback',
      kept: { rating: 5, aware: true, helped: 'phone' as const },
    },
    {
      lang: 'cy',
      story: 'did not know of help but had it at the visitor centre',
      rating: 'Bodlon',
      knew: [/Cyn heddiw, oeddech chi’n gwybod y gallech gael help i ofyn am ymweliad/, 'Nac oeddwn'],
      got: [/Gawsoch chi help i ofyn am yr ymweliad hwn/, 'Do, wyneb yn wyneb yn y ganolfan ymwelwyr'],
      comment: 'Roedd y ganolfan ymwelwyr yn help mawr',
      send: 'Anfon adborth',
      thanks: 'Diolch am eich adborth',
      kept: { rating: 4, aware: false, helped: 'in_person' as const },
    },
  ] as const;

  it.each(visitors)('says in $lang, without JavaScript, that they $story', async (visitor) => {
    // axe runs as a script: the form is checked in a browser with JavaScript, then filled in one without.
    const checked = await site.page();
    await checked.goto(`/feedback?lang=${visitor.lang}`);
    await checkPage(checked, `feedback-awareness-${visitor.lang}`);
    await checked.context().close();
    const page = await site.page({ javaScriptEnabled: false });
    await page.goto(`/feedback?lang=${visitor.lang}`);
    await page.getByLabel(visitor.rating, { exact: true }).check();
    for (const [question, answer] of [visitor.knew, visitor.got]) {
      await page.getByRole('group', { name: question }).getByLabel(answer, { exact: true }).check();
    }
    await page.fill('#comment', visitor.comment);
    await page.getByRole('button', { name: visitor.send }).click();
    expect(await page.textContent('h1')).toContain(visitor.thanks);
    given.push({ day: today(), aware: visitor.kept.aware, helped: visitor.kept.helped });
    expect(await feedback(service.db).findOne({ comment: visitor.comment })).toMatchObject({
      ...visitor.kept,
      day: today(),
    });
    await page.context().close();
  });

  it('may leave both questions unanswered: only the rating is kept', async () => {
    const sent = await postFeedback({ rating: '3', comment: 'No answers about help' });
    expect(sent.html).toContain('Thank you for your feedback');
    given.push({ day: today() });
    const kept = await feedback(service.db).findOne({ comment: 'No answers about help' });
    expect(kept).toMatchObject({ rating: 3 });
    expect(kept).not.toHaveProperty('aware');
    expect(kept).not.toHaveProperty('helped');
  });

  it('is told which answer is wrong when a value is not one offered, and nothing is kept', async () => {
    const before = await feedback(service.db).countDocuments({});
    for (const [field, value, words] of [
      ['aware', 'maybe', 'Choose whether you knew you could get help to ask for a visit'],
      ['helped', 'a_friend', 'Choose whether you got help to ask for this visit, and how'],
    ]) {
      const sent = await postFeedback({ rating: '5', comment: 'tampered', [field]: value });
      expect(sent.status, field).toBe(200);
      expect(sent.html, field).toContain(`<a href="#${field}">${words}</a>`);
      expect(sent.html, field).toContain('govuk-error-message');
    }
    const both = await postFeedback({ rating: '9', aware: 'true', helped: 'phone ' });
    for (const field of ['rating', 'aware', 'helped']) expect(both.html).toContain(`href="#${field}"`);
    expect(await feedback(service.db).countDocuments({})).toBe(before);
  });
});

describe('personal data typed into a comment', () => {
  const typed =
    'Call me on 07700 900123 or +44 7700 900123, or write to ada.lovelace@example.co.uk. ' +
    'The office on (020) 7946 0000 and 0300 060 6000 never answered; +44 (0)20 7946 0001 did.';
  const masked =
    'Call me on [phone number removed] or [phone number removed], or write to [email address removed]. ' +
    'The office on [phone number removed] and [phone number removed] never answered; [phone number removed] did.';

  it('is masked: e-mail addresses, phone numbers however spaced, prison numbers and postcodes, and nothing else', () => {
    expect(maskPersonalData(typed)).toBe(masked);
    for (const [comment, expected] of [
      ['07700900123', '[phone number removed]'],
      ['tel:07700-900-123.', 'tel:[phone number removed].'],
      ['0044 7700 900123', '[phone number removed]'],
      ['01632 960 001 after 5pm', '[phone number removed] after 5pm'],
      ['a.b+visits@mail.example.org, thanks', '[email address removed], thanks'],
      ['from Ireland: +353 1 234 5678.', 'from Ireland: [phone number removed].'],
      ['+1 (212) 555-0100', '[phone number removed]'],
      ['my son A1234BC and a1234bc', 'my son [prison number removed] and [prison number removed]'],
      ['we live at NG1 2AB, and SW1A 1AA', 'we live at [postcode removed], and [postcode removed]'],
    ]) {
      expect(maskPersonalData(comment), comment).toBe(expected);
    }
    // What is not personal stays: a reference, a date, a time, money, a year, a room, a long number, a word like a
    // postcode in lower case, a sum with a plus.
    const kept =
      'Visit V0001234 on 12/12/2026 at 14:00 cost £10 in 2026, room 0203, 1000000000, the g1 2nd floor, 3 +4 = 7.';
    expect(maskPersonalData(kept)).toBe(kept);
  });

  it('is masked before it is kept, so the store never holds it', async () => {
    const sent = await postFeedback({ rating: '2', comment: typed, aware: 'no', helped: 'no' });
    expect(sent.html).toContain('Thank you for your feedback');
    given.push({ day: today(), aware: false, helped: 'no' });
    const kept = await feedback(service.db).find({ rating: 2, day: today() }).toArray();
    expect(kept.map((one) => one.comment)).toEqual([masked]);
    const everything = JSON.stringify(await feedback(service.db).find({}).toArray());
    for (const personal of ['07700', '7946', 'ada.lovelace', '060 6000']) expect(everything).not.toContain(personal);
  });
});

/** The comments a staff page shows, in its order. */
const commentsOn = (page: Page) =>
  page.locator('.govuk-summary-card .govuk-summary-list__row:nth-child(2) .govuk-summary-list__value').allInnerTexts();

describe('the admin role reading feedback', () => {
  const lastMonth = monthsAgo(1);
  const earlier = monthsAgo(2);
  const at = (day: string, time: string) => londonInstant(`${lastMonth}-${day}`, time);

  beforeAll(async () => {
    // Given out of order, over several days, one kept before comments were masked.
    await recordFeedback(service.db, 4, 'Second of the month', at('17', '09:00'), { aware: true, helped: 'no' });
    await recordFeedback(service.db, 1, 'Latest of the month', at('28', '08:00'), {
      aware: false,
      helped: 'web_helper',
    });
    await recordFeedback(service.db, 3, 'First of the month', at('03', '10:00'));
    await recordFeedback(service.db, 5, 'Later that day', at('17', '15:00'), { aware: true, helped: 'phone' });
    await feedback(service.db).insertOne({
      rating: 2,
      comment: 'Kept long ago: ring 07700 900456 or mail old@example.com',
      at: at('17', '12:00'),
      day: `${lastMonth}-17`,
    });
    given.push(
      { day: `${lastMonth}-17`, aware: true, helped: 'no' },
      { day: `${lastMonth}-28`, aware: false, helped: 'web_helper' },
      { day: `${lastMonth}-03` },
      { day: `${lastMonth}-17`, aware: true, helped: 'phone' },
      { day: `${lastMonth}-17` },
    );
    // A busy month, more than a page: comments numbered in the order given, a minute apart.
    for (let i = 1; i <= FEEDBACK_PER_PAGE + 5; i++) {
      const instant = new Date(londonInstant(`${earlier}-10`, '09:00').getTime() + i * 60_000);
      const helped = HELP_ANSWERS[i % HELP_ANSWERS.length];
      await recordFeedback(service.db, 1 + (i % 5), `Busy comment ${i}`, instant, { aware: i % 3 === 0, helped });
      given.push({ day: `${earlier}-10`, aware: i % 3 === 0, helped });
    }
    // A rating without a comment counts in the figures but is not a comment to read.
    await recordFeedback(service.db, 5, '', at('20', '11:00'), { aware: true });
    given.push({ day: `${lastMonth}-20`, aware: true });
  });

  it('see a month’s comments newest first, with scores in words and stars, the answers, and old ones masked', async () => {
    const page = await site.signIn('admin@feedback.test', PASSWORD);
    await page.getByRole('link', { name: 'Feedback', exact: true }).click();
    await page.waitForURL(/\/staff\/feedback$/);
    expect(await page.textContent('h1')).toBe('Feedback from visitors');
    // This month's, by default: what was sent today.
    expect(await commentsOn(page)).toContain('The booking line helped me through it');
    await page.selectOption('#month', lastMonth);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(new RegExp(`month=${lastMonth}`));
    await checkPage(page, 'staff-feedback');
    expect(await commentsOn(page)).toEqual([
      'Latest of the month',
      'Later that day',
      'Kept long ago: ring [phone number removed] or mail [email address removed]',
      'Second of the month',
      'First of the month',
    ]);
    const first = page.locator('.govuk-summary-card').first();
    expect(await first.innerText()).toContain('★☆☆☆☆ 1 out of 5: Very dissatisfied');
    expect(await first.innerText()).toMatch(/Knew they could get help\s+No/);
    expect(await first.innerText()).toMatch(/Got help\s+Yes, from a support organisation/);
    const unanswered = page.locator('.govuk-summary-card').last();
    expect(await unanswered.innerText()).toMatch(/Knew they could get help\s+Not answered/);
    expect(await page.content()).not.toContain('07700 900456');
    await page.context().close();
  });

  it('read a busy month a page at a time, newest first, by the next and previous links', async () => {
    const page = await site.signIn('admin@feedback.test', PASSWORD);
    await page.goto(`/staff/feedback?month=${earlier}`);
    const newestFirst = Array.from(
      { length: FEEDBACK_PER_PAGE + 5 },
      (_, i) => `Busy comment ${FEEDBACK_PER_PAGE + 5 - i}`,
    );
    expect(await commentsOn(page)).toEqual(newestFirst.slice(0, FEEDBACK_PER_PAGE));
    expect(await page.textContent('main')).toContain(
      `${FEEDBACK_PER_PAGE + 5} comments, showing 1 to ${FEEDBACK_PER_PAGE}`,
    );
    await page.getByRole('link', { name: /Next/ }).click();
    expect(await commentsOn(page)).toEqual(newestFirst.slice(FEEDBACK_PER_PAGE));
    await page.getByRole('link', { name: /Previous/ }).click();
    expect((await commentsOn(page))[0]).toBe(newestFirst[0]);
    await page.context().close();
  });

  it('are told to choose a month from the list when the address names another', async () => {
    const page = await site.signIn('admin@feedback.test', PASSWORD);
    const response = await page.goto('/staff/feedback?month=1999-01');
    expect(response?.status()).toBe(200);
    expect(await page.textContent('.govuk-error-summary')).toContain('Choose a month from the list');
    await page.context().close();
  });
});

describe('feedback is not for', () => {
  it.each([
    ['prison staff', 'staff@feedback.test'],
    ['policy users', 'policy@feedback.test'],
  ])('%s: 403, the staff error page, no navigation link, and the refusal audited', async (_, email) => {
    const page = await site.signIn(email, PASSWORD);
    expect(await page.getByRole('link', { name: 'Feedback', exact: true }).count()).toBe(0);
    const response = await page.goto(`/staff/feedback?month=${monthsAgo(1)}`);
    expect(response?.status()).toBe(403);
    expect(await page.textContent('h1')).toContain('You do not have access to this');
    expect(await page.textContent('main')).toContain('Only admin users can read visitors’ feedback.');
    expect(await page.textContent('main')).not.toContain('Second of the month');
    expect(
      await auditCollection(service.db).findOne({ actor: email, action: 'refused', subject: 'GET /staff/feedback' }),
    ).toMatchObject({ outcome: 'refused' });
    await page.context().close();
  });
});

describe('the help awareness a month at a time', () => {
  it('is what the answers sent say: responses, the share who knew, and who got help how', async () => {
    const from = `${monthsAgo(2)}-01`;
    const to = today();
    const expected = new Map<
      string,
      { responses: number; answered: number; aware: number; helped: Record<string, number> }
    >();
    for (let day = from; day <= to; day = addDays(day, 1)) {
      const month = day.slice(0, 7);
      if (!expected.has(month)) {
        expected.set(month, {
          responses: 0,
          answered: 0,
          aware: 0,
          helped: { no: 0, phone: 0, in_person: 0, web_helper: 0 },
        });
      }
    }
    for (const answer of given.filter((one) => one.day >= from && one.day <= to)) {
      const month = expected.get(answer.day.slice(0, 7));
      if (!month) throw new Error(`${answer.day} is outside the period`);
      month.responses += 1;
      if (answer.aware !== undefined) month.answered += 1;
      if (answer.aware) month.aware += 1;
      if (answer.helped) month.helped[answer.helped] += 1;
    }
    const figures = await awarenessByMonth(service.db, from, to);
    expect(figures).toEqual(
      [...expected].map(([month, counted]) => ({
        month,
        ...counted,
        awareShare: counted.answered ? Math.round((counted.aware / counted.answered) * 1000) / 1000 : null,
      })),
    );
    // The months have feedback of every kind to count.
    expect(figures.map((month) => month.responses)).toEqual([FEEDBACK_PER_PAGE + 5, 6, expect.any(Number)]);
    expect(figures[2].responses).toBeGreaterThanOrEqual(4);
  });

  it('is asked of a year at most', async () => {
    await expect(awarenessByMonth(service.db, '2025-01-01', '2026-01-02')).rejects.toThrow(RangeError);
    expect(await awarenessByMonth(service.db, '2025-01-01', '2026-01-01')).toHaveLength(13);
  });
});

// Assisted digital per month and channel: for a month of visits across channels, prisons and helper organisations,
// the figures are the ones this test works out itself from the demo settings (rules/assisted-digital.yaml).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assistedFigures, type AgainstEstimate } from '../activities/readModel/assistedFigures';
import { queryFields, visitsCollection, type VisitDocument } from '../activities/readModel/visits';
import {
  channelSettings,
  loadAssistedSettings,
  type AssistedSettings,
  type ChannelNumbers,
} from '../rules/assistedDigital';
import { recordFeedback, type HelpAnswer } from '../activities/readModel/feedback';
import type { Visit } from '../workflows/visit';
import { saveStaffAccount } from '../api/staffAccounts';
import { checkPage, openSite, type Site } from './browser';
import { PASSWORD, rules, startTestService, type TestService } from './harness';
import { daysInMonth } from '../rules/dateWords';

let service: TestService;
let settings: AssistedSettings;
let site: Site;

interface Seed {
  day: number;
  prisonId: string;
  channel: Visit['channel'];
  minutes?: number;
  organisation?: string;
  /** The lead visitor's organisation, on a web request. */
  visitorOrganisation?: string;
}

// November 2026, and the first two days of December.
const seeds: Seed[] = [
  { day: 2, prisonId: 'NGT', channel: 'web' },
  { day: 6, prisonId: 'NGT', channel: 'web', visitorOrganisation: 'citizens advice NORTHGATE' },
  { day: 10, prisonId: 'WMR', channel: 'web', visitorOrganisation: 'Families Outside Westmoor' },
  { day: 11, prisonId: 'WMR', channel: 'phone', minutes: 14, organisation: 'Families Outside Westmoor' },
  { day: 2, prisonId: 'NGT', channel: 'phone', minutes: 12, organisation: 'HMP Northgate visits booking line' },
  { day: 3, prisonId: 'NGT', channel: 'phone', minutes: 20, organisation: 'HMP Northgate visits booking line' },
  { day: 5, prisonId: 'AFL', channel: 'phone', minutes: 9, organisation: 'CEM Afon Las' },
  { day: 9, prisonId: 'WMR', channel: 'in_person', minutes: 30, organisation: 'Westmoor visitor centre' },
  { day: 12, prisonId: 'NGT', channel: 'email', minutes: 6, organisation: 'HMP Northgate visits booking line' },
  { day: 15, prisonId: 'SLT', channel: 'post', minutes: 8, organisation: 'HMP Saltmarsh' },
  { day: 20, prisonId: 'NGT', channel: 'web', visitorOrganisation: 'Wilde & Co Solicitors' },
  { day: 28, prisonId: 'WMR', channel: 'web' },
  { day: 30, prisonId: 'NGT', channel: 'web' },
  { day: 31, prisonId: 'NGT', channel: 'phone', minutes: 15, organisation: 'HMP Northgate visits booking line' },
  { day: 32, prisonId: 'AFL', channel: 'in_person', minutes: 25, organisation: 'CEM Afon Las' },
  { day: 32, prisonId: 'AFL', channel: 'phone', minutes: 150, organisation: 'CEM Afon Las' },
];

function visitOf(seed: Seed, index: number): VisitDocument {
  const submittedAt = new Date(Date.UTC(2026, 10, seed.day, 10, 0)).toISOString();
  const visit: Visit = {
    reference: `ASST${String(index).padStart(4, '0')}`,
    prisonId: seed.prisonId,
    status: 'requested',
    version: 1,
    prisoner: { firstName: 'P', lastName: 'Q', dateOfBirth: '1980-01-01', number: 'A1234BC' },
    visitors: [
      {
        firstName: 'V',
        lastName: 'W',
        dateOfBirth: '1980-01-01',
        ...(seed.visitorOrganisation ? { organisation: seed.visitorOrganisation } : {}),
      },
    ],
    slotOptions: ['2026-12-10T14:00/16:00'],
    confirmBy: '2026-12-05',
    contact: { email: 'v@example.com', phone: '07700 900123' },
    locale: 'en',
    accessTokenHash: '',
    submittedAt,
    messages: [],
    channel: seed.channel,
    ...(seed.minutes !== undefined ? { assistedMinutes: seed.minutes } : {}),
    ...(seed.organisation ? { assistedOrganisation: seed.organisation } : {}),
    timeline: [{ status: 'requested', at: submittedAt, by: 'visitor' }],
  };
  return { ...visit, ...queryFields(visit), _id: visit.reference, savedAt: new Date() };
}

const prisons = ['NGT', 'WMR', 'AFL', 'SLT', 'RDG', 'HBK'];

beforeAll(async () => {
  service = await startTestService(`assisted_${randomBytes(2).toString('hex')}`);
  await visitsCollection(service.db).insertMany(seeds.map(visitOf));
  for (const { at, ...said } of feedbackSeeds) await recordFeedback(service.db, 4, '', new Date(at), said);
  const loaded = loadAssistedSettings(
    'rules/prisons',
    rules.list().map((prison) => prison.id),
  );
  if (!loaded?.ok) throw new Error('the demo assisted-digital settings do not load');
  settings = loaded.settings;
  await saveStaffAccount(service.db, { email: 'admin@ad.test', role: 'admin', prisons: [], password: PASSWORD });
  site = await openSite(service.app.fetch);
}, 120_000);
afterAll(async () => {
  await site?.close();
  await service?.close();
});

/**
 * A CSV file's rows as objects by its header (RFC 4180: a quoted cell may hold commas and doubled quotes); a text
 * cell's quotes are gone, so `"phone"` reads as phone, and a number reads as its digits.
 */
function readCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') cell += text[++i];
      else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      [row, cell] = [[], ''];
      i++;
    } else cell += char;
  }
  const [head, ...lines] = rows;
  return lines.map((line) => Object.fromEntries(line.map((value, i) => [head[i], value])));
}

/** The month a seed falls in: its day counts from 1 November. */
const monthOf = (seed: Seed) => (seed.day <= 30 ? '2026-11' : '2026-12');

const channelOfSeed = (seed: Seed) =>
  seed.channel !== 'web' ? seed.channel : seed.visitorOrganisation ? 'web_helper' : 'web';

const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

/**
 * What this test expects of a row, worked out from the seeds and the settings: the requests' minutes (the settings'
 * minutes a request where a seed records none) at the cost per minute of where each was made, and the estimates of
 * `expected`, the numbers of each prison or the organisation, for `days` days of a month of `inMonth`.
 */
function expectedRow(channel: string, mine: Seed[], expected: ChannelNumbers[], days: number, inMonth: number) {
  const numbersOf = (seed: Seed) =>
    numbersAt(channel, { prisonId: seed.prisonId, organisation: seed.organisation ?? seed.visitorOrganisation });
  const minutesOf = (seed: Seed) => seed.minutes ?? numbersOf(seed).minutesPerRequest;
  const minutes = mine.reduce((total, seed) => total + minutesOf(seed), 0);
  const cost = round(
    mine.reduce((total, seed) => total + minutesOf(seed) * numbersOf(seed).costPerMinute, 0),
    2,
  );
  const sum = (of: (n: ChannelNumbers) => number) => expected.reduce((total, n) => total + of(n), 0);
  const expectedRequests = round((sum((n) => n.expectedRequestsPerMonth) * days) / inMonth, 1);
  const expectedMinutes = Math.round((sum((n) => n.expectedRequestsPerMonth * n.minutesPerRequest) * days) / inMonth);
  const expectedCost = round(
    (sum((n) => n.expectedRequestsPerMonth * n.minutesPerRequest * n.costPerMinute) * days) / inMonth,
    2,
  );
  const capacityMinutes = Math.round((sum((n) => n.capacityMinutesPerWeek) * days) / 7);
  return {
    requests: mine.length,
    expectedRequests,
    requestsDifference: round(mine.length - expectedRequests, 1),
    minutes,
    estimatedMinutes: mine.filter((seed) => seed.minutes === undefined).reduce((t, seed) => t + minutesOf(seed), 0),
    expectedMinutes,
    minutesDifference: minutes - expectedMinutes,
    cost,
    expectedCost,
    costDifference: round(cost - expectedCost, 2),
    capacityMinutes,
    capacityUsed: capacityMinutes ? round(minutes / capacityMinutes, 3) : null,
    capacityWarning: capacityMinutes > 0 && minutes / capacityMinutes > settings.capacityWarningShare,
  };
}

/** The settings' numbers for a channel the settings have. */
function numbersAt(channel: string, where: { prisonId?: string; organisation?: string }): ChannelNumbers {
  const numbers = channelSettings(settings, channel, where);
  if (!numbers) throw new Error(`no settings for ${channel}`);
  return numbers;
}

/** The feedback of the period: what each visitor said of knowing about help and having it. */
const feedbackSeeds: { at: string; aware?: boolean; helped?: HelpAnswer }[] = [
  { at: '2026-11-04T12:00:00Z', aware: true, helped: 'phone' },
  { at: '2026-11-18T12:00:00Z', aware: false, helped: 'no' },
  { at: '2026-11-19T12:00:00Z', aware: true },
  { at: '2026-11-25T12:00:00Z' },
  { at: '2026-12-01T12:00:00Z', aware: true, helped: 'web_helper' },
];

describe('assisted digital per month and channel', () => {
  it('is what the seeded visits and the settings say: cost, estimates and differences, capacity, share', async () => {
    const ids = rules.list().map((prison) => prison.id);
    expect(ids.sort()).toEqual([...prisons].sort());
    const figures = await assistedFigures(service.db, settings, { ids, every: true }, '2026-11-01', '2026-12-02');
    expect(figures.months.map((m) => [m.month, m.days])).toEqual([
      ['2026-11', 30],
      ['2026-12', 2],
    ]);
    for (const [month, days, inMonth] of [
      ['2026-11', 30, 30],
      ['2026-12', 2, 31],
    ] as const) {
      const seeded = seeds.filter((s) => monthOf(s) === month);
      const shown = figures.months.find((m) => m.month === month);
      const assisted = seeded.filter((s) => channelOfSeed(s) !== 'web');
      expect(shown?.requests).toBe(seeded.length);
      expect(shown?.assistedRequests).toBe(assisted.length);
      expect(shown?.assistedShare).toBe(Math.round((assisted.length / seeded.length) * 1000) / 1000);
      for (const channel of Object.keys(settings.channels)) {
        const mine = seeded.filter((s) => channelOfSeed(s) === channel);
        const expected = ids.map((prisonId) => numbersAt(channel, { prisonId }));
        expect(
          shown?.channels.find((c) => c.channel === channel),
          `${month} ${channel}`,
        ).toEqual({
          channel,
          name: settings.channels[channel].name,
          ...expectedRow(channel, mine, expected, days, inMonth),
        });
      }
      // The organisations the settings name, each with its requests (its name in any case) and its own numbers.
      const organisations = Object.entries(settings.channels).flatMap(([channel, { organisations }]) =>
        Object.keys(organisations).map((organisation) => {
          const mine = seeded.filter(
            (s) =>
              channelOfSeed(s) === channel &&
              (s.organisation ?? s.visitorOrganisation)?.toLowerCase() === organisation.toLowerCase(),
          );
          const own = numbersAt(channel, { organisation });
          return { channel, organisation, ...expectedRow(channel, mine, [own], days, inMonth) };
        }),
      );
      expect(organisations.length).toBeGreaterThanOrEqual(2);
      expect(shown?.organisations, month).toEqual(organisations);
      // The awareness of help is the month's feedback's.
      const given = feedbackSeeds.filter((f) => f.at.startsWith(month));
      const answered = given.filter((f) => f.aware !== undefined);
      expect(shown?.awareness, month).toEqual({
        responses: given.length,
        answered: answered.length,
        aware: answered.filter((f) => f.aware).length,
        awareShare: answered.length ? round(answered.filter((f) => f.aware).length / answered.length, 3) : null,
        helped: Object.fromEntries(
          (['no', 'phone', 'in_person', 'web_helper'] as const).map((h) => [
            h,
            given.filter((f) => f.helped === h).length,
          ]),
        ),
      });
    }
    // The seeds reach what they are there for: a web helper's estimated minutes, an organisation's requests.
    const november = figures.months[0];
    expect(november.channels.find((c) => c.channel === 'web_helper')?.estimatedMinutes).toBeGreaterThan(0);
    expect(november.organisations.every((o) => o.requests === 1)).toBe(true);
  });

  it('are, for two rows worked out by hand from the demo settings, the same in the JSON, the page and the CSV', async () => {
    // November, every prison. Phone: NGT expects 180 requests a month, AFL 30 (15 minutes each), SLT 45, the other three
    // 120 each, 12 minutes a request: 615 requests, 7,470 minutes at £0.85 = £6,349.50; capacity 3,000 + 600 + 900 +
    // 3 × 2,400 = 11,700 minutes a week, 50,143 in 30 days. Done: 12 + 20 + 9 + 14 minutes = 55, at £0.85 = £46.75.
    // Web helpers: Citizens Advice Northgate's 15 minutes (the channel's) at £0.50, Families Outside Westmoor's 20 at
    // £0.65, a solicitor's 15 at £0.75: 50 minutes, all estimated, £31.75.
    const pinned = {
      phone: { requests: 4, expectedRequests: 615, minutes: 55, estimatedMinutes: 0, expectedMinutes: 7470 },
      web_helper: { requests: 3, minutes: 50, estimatedMinutes: 50 },
    };
    const admin = await service.staffToken('admin', []);
    const { body } = await service.call(
      'GET',
      '/api/staff/performance/assisted-digital?from=2026-11-01&to=2026-11-30',
      {
        token: admin,
      },
    );
    const november = body.months[0];
    expect(november.channels.find((c: { channel: string }) => c.channel === 'phone')).toMatchObject({
      ...pinned.phone,
      cost: 46.75,
      expectedCost: 6349.5,
      costDifference: -6302.75,
      capacityMinutes: 50143,
      capacityUsed: 0.001,
      capacityWarning: false,
    });
    expect(november.channels.find((c: { channel: string }) => c.channel === 'web_helper')).toMatchObject({
      ...pinned.web_helper,
      cost: 31.75,
    });
    const page = await site.page();
    await page.goto('/staff/sign-in');
    await page.fill('#email', 'admin@ad.test');
    await page.fill('#password', PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.goto('/staff/dashboard?from=2026-11-01&to=2026-11-30');
    const phoneRow = await page
      .locator('table', { has: page.locator('caption:text-is("Assisted digital, November 2026, by channel")') })
      .locator('tbody tr', { has: page.locator('th:text-is("Phone line")') })
      .locator('td')
      .allTextContents();
    expect(phoneRow.map((text) => text.trim())).toEqual([
      '4',
      '615',
      '−611',
      '55',
      '7,470',
      '−7,415',
      '£46.75',
      '£6,349.50',
      '−£6,302.75',
      '0.1% of 50,143 minutes',
    ]);
    const csv = readCsv(
      await (await page.request.get('/staff/dashboard/assisted-digital.csv?from=2026-11-01&to=2026-11-30')).text(),
    );
    const phone = csv.find((row) => row.channel === 'phone' && row.organisation === '');
    expect(phone).toMatchObject({
      requests: '4',
      'expected requests': '615',
      minutes: '55',
      'expected minutes': '7470',
      'cost (GBP)': '46.75',
      'expected cost (GBP)': '6349.5',
      'cost difference (GBP)': '-6302.75',
      'capacity minutes': '50143',
    });
    expect(csv.find((row) => row.channel === 'web_helper' && row.organisation === '')).toMatchObject({
      minutes: '50',
      'estimated minutes': '50',
      'cost (GBP)': '31.75',
    });
    await page.context().close();
  });

  it('show a helper organisation only to those who see every prison it helps', async () => {
    const of = async (ids: string[]) =>
      (await assistedFigures(service.db, settings, { ids, every: false }, '2026-11-01', '2026-11-30')).months[0]
        .organisations;
    expect(await of(['AFL'])).toEqual([]);
    expect((await of(['NGT'])).map((o) => [o.organisation, o.requests])).toEqual([['Citizens Advice Northgate', 1]]);
    expect((await of(['NGT', 'WMR'])).map((o) => o.organisation)).toEqual([
      'Citizens Advice Northgate',
      'Families Outside Westmoor',
    ]);
  });

  it('are the same in the JSON API, for the prisons the user sees; a period that is not one is named', async () => {
    const admin = await service.staffToken('admin', []);
    const asked = '/api/staff/performance/assisted-digital?from=2026-11-01&to=2026-12-02';
    const { status, body } = await service.call('GET', asked, { token: admin });
    expect(status).toBe(200);
    const ids = rules.list().map((prison) => prison.id);
    expect(body).toEqual(await assistedFigures(service.db, settings, { ids, every: true }, '2026-11-01', '2026-12-02'));
    const afl = await service.call('GET', asked, { token: await service.staffToken('staff', ['AFL']) });
    expect(afl.body).toEqual(
      await assistedFigures(service.db, settings, { ids: ['AFL'], every: false }, '2026-11-01', '2026-12-02'),
    );
    for (const [query, code] of [
      ['from=2026-11-31&to=2026-12-02', 'invalid_date'],
      ['from=2026-12-03&to=2026-12-02', 'from_after_to'],
      ['from=2025-11-01&to=2026-12-02', 'period_too_long'],
    ]) {
      const refused = await service.call('GET', `/api/staff/performance/assisted-digital?${query}`, { token: admin });
      expect(refused.status, query).toBe(422);
      expect(refused.body.errors[0], query).toMatchObject({ path: expect.stringMatching(/^from/), code });
    }
  });

  it('counts only the prisons asked for, in their estimates and capacity too, and warns of capacity nearly used', async () => {
    const figures = await assistedFigures(
      service.db,
      settings,
      { ids: ['AFL'], every: false },
      '2026-11-01',
      '2026-12-02',
    );
    const [november, december] = figures.months;
    expect(november.requests).toBe(seeds.filter((s) => s.prisonId === 'AFL' && s.day <= 30).length);
    const phone = november.channels.find((c) => c.channel === 'phone');
    expect(phone?.expectedRequests).toBe(
      channelSettings(settings, 'phone', { prisonId: 'AFL' })?.expectedRequestsPerMonth,
    );
    expect(phone?.minutes).toBe(9);
    // 150 minutes on the phone in two days of December, against Afon Las's 600 a week.
    const decemberPhone = december.channels.find((c) => c.channel === 'phone');
    expect(decemberPhone).toMatchObject({ minutes: 150, capacityMinutes: Math.round((600 * 2) / 7) });
    expect(decemberPhone?.capacityWarning).toBe(true);
    expect(december.channels.filter((c) => c.capacityWarning).map((c) => c.channel)).toEqual(['phone']);
  });

  it('are on the dashboard as a chart and a table a month, and as CSV, with or without JavaScript', async () => {
    const ids = rules.list().map((prison) => prison.id);
    const figures = await assistedFigures(service.db, settings, { ids, every: true }, '2026-11-01', '2026-12-02');
    for (const javaScriptEnabled of [true, false]) {
      const page = await site.page({ javaScriptEnabled });
      await page.goto('/staff/sign-in');
      await page.fill('#email', 'admin@ad.test');
      await page.fill('#password', PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.goto('/staff/dashboard?from=2026-11-01&to=2026-12-02');
      if (javaScriptEnabled) await checkPage(page, 'dashboard-assisted-digital');
      for (const month of figures.months) {
        const monthName = month.month === '2026-11' ? 'November 2026' : 'December 2026';
        const rowsOf = (caption: string) =>
          page
            .locator('table', { has: page.locator(`caption:text-is("${caption}")`) })
            .locator('tbody tr')
            .evaluateAll((trs) =>
              trs.map((tr) => Array.from(tr.querySelectorAll('th, td')).map((cell) => cell.textContent?.trim() ?? '')),
            );
        const title = `Assisted digital, ${monthName}${month.days < daysInMonth(month.month) ? ` (${month.days} days)` : ''}`;
        const money = (value: number) =>
          `${value < 0 ? '−' : ''}£${Math.abs(value).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
        // Whole numbers in groups of three: 50,143.
        const n = (value: number) => String(value).replace(/^(\d+)/, (whole) => whole.replace(/\B(?=(\d{3})+$)/g, ','));
        const signed = (value: number, text = n(Math.abs(value))) =>
          value > 0 ? `+${text}` : value < 0 ? `−${text}` : text;
        // Each row: its name, then requests, minutes and cost each beside its estimate and difference, then capacity.
        const cells = (row: AgainstEstimate) => [
          n(row.requests),
          n(row.expectedRequests),
          signed(row.requestsDifference),
          row.estimatedMinutes ? `${n(row.minutes)} (${n(row.estimatedMinutes)} estimated)` : n(row.minutes),
          n(row.expectedMinutes),
          signed(row.minutesDifference),
          money(row.cost),
          money(row.expectedCost),
          signed(row.costDifference, money(Math.abs(row.costDifference))),
          `${row.capacityUsed === null ? 'no data' : `${Math.round(row.capacityUsed * 1000) / 10}%`} of ${n(row.capacityMinutes)} minutes${row.capacityWarning ? ' Over the warning level' : ''}`,
        ];
        expect(await rowsOf(`${title}, by channel`)).toEqual(month.channels.map((c) => [c.name, ...cells(c)]));
        expect(await rowsOf(`${title}, by helper organisation`)).toEqual(
          month.organisations.map((o) => [o.organisation, ...cells(o)]),
        );
        for (const name of [
          'requests by channel, beside the estimate',
          'capacity used (%) by channel and organisation',
        ]) {
          expect(await page.getByRole('img', { name: `${title}: ${name}` }).count(), name).toBe(1);
        }
      }
      // Awareness: a chart of the share aware, and the table behind it, a month a row.
      expect(await page.getByRole('img', { name: 'Knew help was available (% of answers), by month' }).count()).toBe(1);
      const awareness = await page
        .locator('table', {
          has: page.locator('caption:text-is("Knew help was available (% of answers), by month (table)")'),
        })
        .locator('tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) => Array.from(tr.querySelectorAll('th, td')).map((cell) => cell.textContent?.trim())),
        );
      expect(awareness).toEqual(
        figures.months.map(({ month, awareness: a }) => [
          month === '2026-11' ? 'November 2026' : 'December 2026',
          String(a.answered),
          a.awareShare === null ? 'no data' : `${Math.round(a.awareShare * 1000) / 10}% (${a.aware})`,
          String(a.helped.phone),
          String(a.helped.in_person),
          String(a.helped.web_helper),
          String(a.helped.no),
        ]),
      );
      const csv = await page.request.get('/staff/dashboard/assisted-digital.csv?from=2026-11-01&to=2026-12-02');
      // Each CSV row, read by its header, says what the JSON says of its month and channel.
      const read = readCsv(await csv.text());
      const organisations = figures.months.flatMap((m) => m.organisations);
      expect(read).toHaveLength(figures.months.length * Object.keys(settings.channels).length + organisations.length);
      for (const row of read) {
        const month = figures.months.find((m) => m.month === row.month);
        const shown = row.organisation
          ? month?.organisations.find((o) => o.channel === row.channel && o.organisation === row.organisation)
          : month?.channels.find((c) => c.channel === row.channel);
        expect(shown, `${row.month} ${row.channel} ${row.organisation}`).toBeDefined();
        expect(Number(row.requests)).toBe(shown?.requests);
        expect(Number(row['expected requests'])).toBe(shown?.expectedRequests);
        expect(Number(row['requests difference'])).toBe(shown?.requestsDifference);
        expect(Number(row.minutes)).toBe(shown?.minutes);
        expect(Number(row['estimated minutes'])).toBe(shown?.estimatedMinutes);
        expect(Number(row['expected minutes'])).toBe(shown?.expectedMinutes);
        expect(Number(row['minutes difference'])).toBe(shown?.minutesDifference);
        expect(Number(row['cost (GBP)'])).toBe(shown?.cost);
        expect(Number(row['expected cost (GBP)'])).toBe(shown?.expectedCost);
        expect(Number(row['cost difference (GBP)'])).toBe(shown?.costDifference);
        expect(Number(row['capacity minutes'])).toBe(shown?.capacityMinutes);
        expect(row['capacity used']).toBe(String(shown?.capacityUsed ?? ''));
        expect(row['over warning']).toBe(shown?.capacityWarning ? 'yes' : 'no');
        expect(Number(row['all requests'])).toBe(month?.requests);
        expect(row['assisted share']).toBe(String(month?.assistedShare ?? ''));
        expect(Number(row['feedback answers'])).toBe(month?.awareness.answered);
        expect(row['aware share']).toBe(String(month?.awareness.awareShare ?? ''));
      }
      await page.context().close();
    }
  });
});

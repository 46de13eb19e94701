// Assisted digital per month and channel: for a month of visits across channels, prisons and helper organisations,
// the figures are the ones this test works out itself from the demo settings (rules/assisted-digital.yaml).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assistedFigures, channelOf } from '../activities/readModel/assistedFigures';
import { queryFields, visitsCollection, type VisitDocument } from '../activities/readModel/visits';
import { channelSettings, loadAssistedSettings, type AssistedSettings } from '../rules/assistedDigital';
import type { Visit } from '../workflows/visit';
import { saveStaffAccount } from '../api/staffAccounts';
import { checkPage, openSite, type Site } from './browser';
import { PASSWORD, rules, startTestService, type TestService } from './harness';

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

describe('assisted digital per month and channel', () => {
  it('is what the seeded visits and the settings say: cost, estimate difference, capacity, share', async () => {
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
      const seeded = seeds.filter((s) => (s.day <= 30 ? '2026-11' : '2026-12') === month);
      const shown = figures.months.find((m) => m.month === month);
      const assisted = seeded.filter(
        (s) => channelOf({ channel: s.channel, visitors: [{ organisation: s.visitorOrganisation }] }) !== 'web',
      );
      expect(shown?.requests).toBe(seeded.length);
      expect(shown?.assistedRequests).toBe(assisted.length);
      expect(shown?.assistedShare).toBe(Math.round((assisted.length / seeded.length) * 1000) / 1000);
      for (const channel of Object.keys(settings.channels)) {
        const mine = seeded.filter(
          (s) => (s.channel !== 'web' ? s.channel : s.visitorOrganisation ? 'web_helper' : 'web') === channel,
        );
        const minutes = mine.reduce((total, s) => total + (s.minutes ?? 0), 0);
        const cost = mine.reduce(
          (total, s) =>
            total +
            (s.minutes ?? 0) *
              (channelSettings(settings, channel, {
                prisonId: s.prisonId,
                organisation: s.organisation ?? s.visitorOrganisation,
              })?.costPerMinute ?? NaN),
          0,
        );
        const expected = ids.reduce(
          (total, prisonId) =>
            total + (channelSettings(settings, channel, { prisonId })?.expectedRequestsPerMonth ?? 0),
          0,
        );
        const capacity = ids.reduce(
          (total, prisonId) => total + (channelSettings(settings, channel, { prisonId })?.capacityMinutesPerWeek ?? 0),
          0,
        );
        const expectedRequests = Math.round(((expected * days) / inMonth) * 10) / 10;
        const capacityMinutes = Math.round((capacity * days) / 7);
        expect(
          shown?.channels.find((c) => c.channel === channel),
          `${month} ${channel}`,
        ).toEqual({
          channel,
          name: settings.channels[channel].name,
          requests: mine.length,
          expectedRequests,
          requestsDifference: Math.round((mine.length - expectedRequests) * 10) / 10,
          minutes,
          cost: Math.round(cost * 100) / 100,
          capacityMinutes,
          capacityUsed: capacityMinutes ? Math.round((minutes / capacityMinutes) * 1000) / 1000 : null,
          capacityWarning: capacityMinutes > 0 && minutes / capacityMinutes > settings.capacityWarningShare,
        });
      }
    }
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

  it('counts only the prisons asked for, in their estimates too', async () => {
    const figures = await assistedFigures(
      service.db,
      settings,
      { ids: ['AFL'], every: false },
      '2026-11-01',
      '2026-11-30',
    );
    const [november] = figures.months;
    expect(november.requests).toBe(seeds.filter((s) => s.prisonId === 'AFL' && s.day <= 30).length);
    const phone = november.channels.find((c) => c.channel === 'phone');
    expect(phone?.expectedRequests).toBe(
      channelSettings(settings, 'phone', { prisonId: 'AFL' })?.expectedRequestsPerMonth,
    );
    expect(phone?.minutes).toBe(9);
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
        const table = page.locator('table', {
          has: page.locator(`caption:text-matches("${month.month === '2026-11' ? 'November' : 'December'} 2026")`),
        });
        const rows = await table
          .locator('tbody tr')
          .evaluateAll((trs) =>
            trs.map((tr) => Array.from(tr.querySelectorAll('th, td')).map((cell) => cell.textContent?.trim() ?? '')),
          );
        expect(rows.map((row) => row.slice(0, 5))).toEqual(
          month.channels.map((c) => [
            c.name,
            String(c.requests),
            String(c.expectedRequests),
            c.requestsDifference > 0 ? `+${c.requestsDifference}` : String(c.requestsDifference),
            String(c.minutes),
          ]),
        );
        expect(rows.map((row) => row[5])).toEqual(month.channels.map((c) => `£${c.cost.toFixed(2)}`));
        const chart = page.getByRole('img', {
          name: new RegExp(`${month.month === '2026-11' ? 'November' : 'December'} 2026.*requests by channel`),
        });
        expect(await chart.count()).toBe(1);
      }
      const csv = await page.request.get('/staff/dashboard/assisted-digital.csv?from=2026-11-01&to=2026-12-02');
      // Each CSV row, read by its header, says what the JSON says of its month and channel.
      const [head, ...lines] = (await csv.text()).trim().split('\r\n');
      const names = head.split(',').map((name) => name.replaceAll('"', ''));
      const read = lines.map((line) => Object.fromEntries(line.split(',').map((value, i) => [names[i], value])));
      expect(read).toHaveLength(figures.months.length * Object.keys(settings.channels).length);
      for (const row of read) {
        const month = figures.months.find((m) => m.month === row.month);
        const channel = month?.channels.find((c) => c.channel === row.channel);
        expect(channel, `${row.month} ${row.channel}`).toBeDefined();
        expect(Number(row.requests)).toBe(channel?.requests);
        expect(Number(row['expected requests'])).toBe(channel?.expectedRequests);
        expect(Number(row.difference)).toBe(channel?.requestsDifference);
        expect(Number(row.minutes)).toBe(channel?.minutes);
        expect(Number(row['cost (GBP)'])).toBe(channel?.cost);
        expect(Number(row['capacity minutes'])).toBe(channel?.capacityMinutes);
        expect(row['over warning']).toBe(channel?.capacityWarning ? 'yes' : 'no');
        expect(Number(row['all requests'])).toBe(month?.requests);
      }
      await page.context().close();
    }
  });
});

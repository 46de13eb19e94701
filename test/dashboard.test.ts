// The performance dashboard: for a seeded set of visits, journeys and feedback, its figures are the answers this
// test works out for itself; the page, with its SVG charts, passes axe and offers the same figures as CSV.
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureIndexes } from '../activities/readModel/indexes';
import { feedback, recordFeedback } from '../activities/readModel/feedback';
import { forgetPastDays, journeyEvents, KEPT_DAYS, recordJourneyStep } from '../activities/readModel/journeys';
import { queryFields, visitsCollection, type VisitDocument } from '../activities/readModel/visits';
import { saveStaffAccount } from '../api/staffAccounts';
import { addDays, londonClock } from '../rules/londonTime';
import type { Visit } from '../workflows/visit';
import { dashboardFigures } from '../ui/dashboardFigures';
import { checkPage, openSite, type Site } from './browser';
import { PASSWORD, startTestService, type TestService } from './harness';

let service: TestService;
let site: Site;

const HOUR = 3_600_000;
const base = Date.parse('2026-11-02T09:00:00Z'); // a Monday

interface Seed {
  prisonId: string;
  status: VisitDocument['status'];
  /** Hours after submission that staff decided, if they did. */
  decidedAfter?: number;
  /** Days after submission of the confirm-by date. */
  confirmByDays: number;
  channel?: VisitDocument['channel'];
  minutes?: number;
  reasons?: string[];
  by?: 'staff' | 'system';
}

const seeds: Seed[] = [
  { prisonId: 'NGT', status: 'booked', decidedAfter: 1, confirmByDays: 3 },
  { prisonId: 'NGT', status: 'booked', decidedAfter: 2, confirmByDays: 3, channel: 'phone', minutes: 10 },
  { prisonId: 'NGT', status: 'rejected', decidedAfter: 3, confirmByDays: 3, reasons: ['no_allowance'] },
  {
    prisonId: 'NGT',
    status: 'rejected',
    decidedAfter: 10,
    confirmByDays: 3,
    reasons: ['visitor_banned', 'other'],
    channel: 'phone',
    minutes: 15,
  },
  { prisonId: 'NGT', status: 'booked', decidedAfter: 100, confirmByDays: 3, channel: 'post', minutes: 5 },
  { prisonId: 'NGT', status: 'rejected', confirmByDays: 3, reasons: ['request_expired'], by: 'system' },
  { prisonId: 'NGT', status: 'requested', confirmByDays: 3 },
  { prisonId: 'WMR', status: 'withdrawn', confirmByDays: 3 },
];

function visitFrom(seed: Seed, index: number): VisitDocument {
  const visit = visitOf(seed, index);
  return { ...visit, ...queryFields(visit), _id: visit.reference, savedAt: new Date() };
}

function visitOf(seed: Seed, index: number): Visit {
  const submittedAt = new Date(base + index * HOUR);
  const decidedAt =
    seed.decidedAfter !== undefined ? new Date(submittedAt.getTime() + seed.decidedAfter * HOUR) : undefined;
  const reference = `DASH${String(index).padStart(4, '0')}`;
  return {
    reference,
    prisonId: seed.prisonId,
    status: seed.status,
    version: 2,
    prisoner: { firstName: 'P', lastName: 'Q', dateOfBirth: '1980-01-01', number: 'A1234BC' },
    visitors: [{ firstName: 'V', lastName: 'W', dateOfBirth: '1980-01-01' }],
    slotOptions: ['2026-11-10T14:00/16:00'],
    confirmBy: new Date(submittedAt.getTime() + seed.confirmByDays * 24 * HOUR).toISOString().slice(0, 10),
    contact: { email: 'v@example.com', phone: '07700 900123' },
    locale: 'en',
    accessTokenHash: '',
    submittedAt: submittedAt.toISOString(),
    messages: [],
    channel: seed.channel ?? 'web',
    ...(seed.minutes !== undefined ? { assistedMinutes: seed.minutes } : {}),
    ...(seed.reasons ? { rejection: { reasons: seed.reasons as never, auto: seed.by === 'system' } } : {}),
    timeline: [
      { status: 'requested', at: submittedAt.toISOString(), by: 'visitor' },
      ...(decidedAt ? [{ status: seed.status, at: decidedAt.toISOString(), by: 'staff' as const }] : []),
      ...(seed.by === 'system' ? [{ status: seed.status, at: submittedAt.toISOString(), by: 'system' as const }] : []),
    ],
  };
}

beforeAll(async () => {
  service = await startTestService(`dash_${randomBytes(2).toString('hex')}`);
  await visitsCollection(service.db).insertMany(seeds.map(visitFrom));
  const at = new Date(base + 2 * HOUR);
  const steps: [string, string][] = [
    ...['j1', 'j2', 'j3', 'j4'].map((journey): [string, string] => [journey, 'started']),
    ...['j1', 'j2', 'j3'].map((journey): [string, string] => [journey, 'submitted']),
    ['j1', 'started'], // a journey counted once however often it starts
    ['j0', 'submitted'], // started before the period: not counted as completed in it
  ];
  for (const [journey, step] of steps) await recordJourneyStep(service.db, journey, step, at);
  for (const rating of [5, 4, 2]) await recordFeedback(service.db, rating, '', at);
  await saveStaffAccount(service.db, { email: 'admin@dash.test', role: 'admin', prisons: [], password: PASSWORD });
  await saveStaffAccount(service.db, { email: 'wmr@dash.test', role: 'staff', prisons: ['WMR'], password: PASSWORD });
  site = await openSite(service.app.fetch);
}, 120_000);
afterAll(async () => {
  await site?.close();
  await service?.close();
});

const from = '2026-11-01';
const to = '2026-12-02';

describe('the dashboard’s figures', () => {
  it('are the answers worked out from the seeded visits, journeys and feedback', async () => {
    const figures = await dashboardFigures(service.db, 'all', from, to);
    const count = (status: string) => seeds.filter((s) => s.status === status).length;
    expect(figures.total).toBe(seeds.length);
    expect(figures.byStatus).toEqual({
      booked: count('booked'),
      rejected: count('rejected'),
      requested: 1,
      withdrawn: 1,
    });
    // Staff decided after 1, 2, 3, 10 and 100 hours: the median is 3; the 95th percentile (nearest rank) is 100.
    expect(figures.hoursToDecision).toEqual({ median: 3, p95: 100, decided: 5 });
    // Confirm-by is three days after submission: every decision but the one after 100 hours was on time.
    expect(figures.decidedByConfirmBy).toBe(0.8);
    expect(figures.rejectionReasons).toEqual({ no_allowance: 1, visitor_banned: 1, other: 1, request_expired: 1 });
    expect(figures.channels).toEqual({
      web: { requests: 5, minutes: 0 },
      phone: { requests: 2, minutes: 25 },
      post: { requests: 1, minutes: 5 },
    });
    expect(figures.journeys).toEqual({ started: 4, submitted: 3, completionRate: 0.75 });
    expect(figures.satisfaction).toEqual({ responses: 3, average: 3.67, satisfiedShare: 0.667 });
  });

  it('count only the prisons given', async () => {
    const figures = await dashboardFigures(service.db, ['WMR'], from, to);
    expect(figures.total).toBe(1);
    expect(figures.byStatus).toEqual({ withdrawn: 1 });
  });
});

describe('the web journeys counted', () => {
  it('take a journey sent the day after it started in a period of both days, not in one from the sending day; a page sent twice once', async () => {
    // London is on GMT in January: ten minutes either side of midnight.
    await recordJourneyStep(service.db, 'late', 'started', new Date('2027-01-10T23:50:00Z'));
    for (let i = 0; i < 2; i++) {
      await recordJourneyStep(service.db, 'late', 'submitted', new Date('2027-01-11T00:10:00Z'));
    }
    await recordJourneyStep(service.db, 'next', 'started', new Date('2027-01-11T09:00:00Z'));
    const journeys = async (from: string, to: string) => (await dashboardFigures(service.db, 'all', from, to)).journeys;
    expect(await journeys('2027-01-10', '2027-01-11')).toEqual({ started: 2, submitted: 1, completionRate: 0.5 });
    expect(await journeys('2027-01-11', '2027-01-11')).toEqual({ started: 1, submitted: 0, completionRate: 0 });
    expect(await journeys('2027-01-10', '2027-01-10')).toEqual({ started: 1, submitted: 0, completionRate: 0 });
  });

  it('include the events written before each step was kept once, brought up to date at start', async () => {
    const mongo = new MongoClient(inject('mongoUrl'));
    const db = mongo.db(`test_dash_old_${randomBytes(4).toString('hex')}`);
    try {
      const event = (journey: string, step: string, day: string) => ({
        journey,
        step,
        at: new Date(`${day}T10:00:00Z`),
        day,
      });
      await journeyEvents(db).insertMany([
        event('o1', 'started', '2026-11-02'),
        event('o1', 'prison', '2026-11-02'),
        event('o1', 'prison', '2026-11-02'),
        event('o1', 'submitted', '2026-11-02'),
        event('o2', 'started', '2026-11-02'),
        event('o3', 'started', '2026-10-20'), // before the period
        event('o3', 'submitted', '2026-11-03'),
        event('o4', 'submitted', '2026-11-03'), // its start never counted
        event('o5', 'started', '2026-11-04'), // sent once the new code runs, below
      ]);
      await ensureIndexes(db, { postgresqlUrl: inject('postgresqlUrl') });
      await recordJourneyStep(db, 'o5', 'submitted', new Date('2026-11-04T11:00:00Z'));
      const figures = await dashboardFigures(db, 'all', '2026-11-01', '2026-11-30');
      expect(figures.journeys).toEqual({ started: 3, submitted: 2, completionRate: 0.667 });
    } finally {
      await db.dropDatabase();
      await mongo.close();
    }
  });

  it('and the feedback are forgotten a day at a time once KEPT_DAYS have passed, the later days kept', async () => {
    const today = londonClock(new Date()).date;
    const days = [1, 2, 3].map((n) => addDays(today, n - KEPT_DAYS)); // the last day kept, and the two after it
    for (const day of days) {
      const at = new Date(`${day}T12:00:00Z`);
      await recordJourneyStep(service.db, `kept-${day}`, 'started', at);
      await recordJourneyStep(service.db, `kept-${day}`, 'prison', at);
      await recordFeedback(service.db, 5, '', at);
    }
    const left = async () =>
      Promise.all(
        days.map(
          async (day) =>
            (await journeyEvents(service.db).countDocuments({ day })) +
            (await feedback(service.db).countDocuments({ day })),
        ),
      );
    expect(await left()).toEqual([3, 3, 3]);
    await forgetPastDays(service.db, addDays(today, 2)); // two days on: the first two are past keeping
    expect(await left()).toEqual([0, 0, 3]);
  });
});

describe('the dashboard page', () => {
  it('shows the figures with charts drawn on the server, passes axe, and downloads as CSV', async () => {
    const page = await site.signIn('admin@dash.test', PASSWORD);
    await page.goto('/staff/dashboard?from=2026-11-01&to=2026-11-30');
    await checkPage(page, 'staff-dashboard');
    // States, rejection reasons and channels; and assisted digital's two for the period's one month (requests beside
    // the estimate, capacity used). No feedback said whether it knew of help, so there is no awareness chart.
    expect(await page.locator('main svg[role="img"]').count()).toBe(5);
    expect(await page.textContent('main')).toContain('80%');
    const csv = await page.evaluate(async () =>
      (await fetch('/staff/dashboard.csv?from=2026-11-01&to=2026-11-30')).text(),
    );
    expect(csv).toContain('"hours to decision p95",100');
    expect(csv).toContain('"channel phone minutes",25');
    await page.context().close();
  });

  it('shows staff the figures of their own prisons only', async () => {
    const page = await site.signIn('wmr@dash.test', PASSWORD);
    const csv = await page.evaluate(async () =>
      (await fetch('/staff/dashboard.csv?from=2026-11-01&to=2026-11-30')).text(),
    );
    expect(csv).toContain('"requests",1\r\n');
    await page.context().close();
  });
});

// The performance dashboard of the user's prisons (all of them for an admin) over a period, as a page with charts
// and as a CSV file.
import { Hono, type Context } from 'hono';
import { prisonsSeenBy } from '../../api/access';
import type { Services } from '../../api/services';
import { addDays, londonClock } from '../../rules/londonTime';
import { barChart, pairedBarChart } from '../charts';
import { csvFile } from '../csv';
import { daysInMonth, formatMonth } from '../../rules/dateWords';
import { dashboardFigures, MAX_PERIOD_DAYS } from '../dashboardFigures';
import type { AgainstEstimate, AssistedFigures } from '../../activities/readModel/assistedFigures';
import { awarenessByMonth, type AwarenessOfMonth } from '../../activities/readModel/feedback';
import { assistedFiguresFor } from '../../api/performance';
import { ProblemError } from '../../api/problem';
import { realDate, staffAccess, staffPage, type StaffPageEnv } from './common';

const share = (value: number | null) => (value === null ? 'no data' : `${Math.round(value * 1000) / 10}%`);
const hoursText = (value: number | null) => (value === null ? 'no data' : `${value} hours`);

export function dashboardPages(services: Services) {
  const { db } = services;
  const { signedIn, prisonsOf } = staffAccess(services);
  const app = new Hono<StaffPageEnv>();

  /**
   * The dashboard's period: `from` and `to` (inclusive) London dates, the last 28 days by default. A date that is not
   * one, or a period longer than MAX_PERIOD_DAYS or ending before it starts, is named by the field to change, and the
   * figures are those of the period that can be read: the default's dates, or the longest period ending on `to`.
   */
  function period(c: Context<StaffPageEnv>) {
    const today = londonClock(new Date()).date;
    const [askedFrom, askedTo] = [c.req.query('from'), c.req.query('to')];
    const to = realDate(askedTo) ?? today;
    let from = realDate(askedFrom) ?? addDays(to, -27);
    const errors: { path: string; text: string }[] = [];
    if (askedFrom && !realDate(askedFrom)) errors.push({ path: 'from', text: 'Enter a date like 2026-11-01' });
    else if (from > to) {
      errors.push({ path: 'from', text: 'Enter a From date on or before the To date' });
      from = addDays(to, -27);
    } else if (from < addDays(to, 1 - MAX_PERIOD_DAYS)) {
      errors.push({
        path: 'from',
        text: `Enter a From date no more than ${MAX_PERIOD_DAYS - 1} days before the To date`,
      });
      from = addDays(to, 1 - MAX_PERIOD_DAYS);
    }
    if (askedTo && !realDate(askedTo)) errors.push({ path: 'to', text: 'Enter a date like 2026-11-28' });
    return { from, to, errors };
  }

  /** The assisted-digital figures, or why there are none (no settings file, or one with mistakes). */
  async function assistedFor(c: Context<StaffPageEnv>, from: string, to: string) {
    try {
      return { assisted: await assistedFiguresFor(services, c.get('user'), from, to) };
    } catch (error) {
      if (error instanceof ProblemError && (error.code === 'no_settings' || error.code === 'settings_invalid')) {
        return { assisted: undefined, assistedProblem: error.detail };
      }
      throw error;
    }
  }

  /**
   * Each month's assisted digital: requests beside their estimate as a chart, capacity used as another, and behind
   * them a table of the channels and one of the helper organisations, each figure beside its estimate.
   */
  async function assistedSections(assisted: AssistedFigures) {
    const money = (value: number) =>
      new Intl.NumberFormat('en-GB', { style: 'currency', currency: assisted.currency }).format(value);
    const count = (value: number) => value.toLocaleString('en-GB');
    const signed = (value: number, text = count(Math.abs(value))) =>
      value > 0 ? `+${text}` : value < 0 ? `−${text}` : text;
    const figures = (label: string, row: AgainstEstimate) => ({
      label,
      cells: [
        count(row.requests),
        count(row.expectedRequests),
        signed(row.requestsDifference),
        row.estimatedMinutes ? `${count(row.minutes)} (${count(row.estimatedMinutes)} estimated)` : count(row.minutes),
        count(row.expectedMinutes),
        signed(row.minutesDifference),
        money(row.cost),
        money(row.expectedCost),
        signed(row.costDifference, money(Math.abs(row.costDifference))),
      ],
      capacity: `${share(row.capacityUsed)} of ${count(row.capacityMinutes)} minutes`,
      warning: row.capacityWarning,
    });
    const channelName = (code: string) => assisted.months[0]?.channels.find((c) => c.channel === code)?.name ?? code;
    return Promise.all(
      assisted.months.map(async (month) => {
        const title = `Assisted digital, ${formatMonth(month.month, 'en')}${month.days < daysInMonth(month.month) ? ` (${month.days} days)` : ''}`;
        // An organisation is named alone, with its channel only where it helps through more than one.
        const repeated = (name: string) => month.organisations.filter((o) => o.organisation === name).length > 1;
        const organisations = month.organisations.map((o) => ({
          ...o,
          label: repeated(o.organisation) ? `${o.organisation} (${channelName(o.channel)})` : o.organisation,
        }));
        const capacityBars = [...month.channels.map((c) => ({ ...c, label: c.name })), ...organisations]
          .filter((row) => row.capacityUsed !== null)
          .map((row) => ({ label: row.label, value: Math.round((row.capacityUsed ?? 0) * 1000) / 10 }));
        return {
          title,
          summary: `${month.assistedRequests} of ${month.requests} requests had help (${share(month.assistedShare)}).`,
          requestsChart: await pairedBarChart(
            `${title}: requests by channel, beside the estimate`,
            month.channels.flatMap((c) => [
              { label: c.name, series: 'Requests', value: c.requests },
              { label: c.name, series: 'Expected', value: c.expectedRequests },
            ]),
          ),
          capacityChart: capacityBars.length
            ? await barChart(`${title}: capacity used (%) by channel and organisation`, capacityBars)
            : '',
          channels: month.channels.map((c) => figures(c.name, c)),
          organisations: organisations.map((o) => figures(o.label, o)),
        };
      }),
    );
  }

  /** The share of feedback that knew help was there, a month at a time, as a chart and the table behind it. */
  async function awarenessSection(months: AwarenessOfMonth[]) {
    const title = 'Knew help was available (% of answers), by month';
    const answered = months.filter((m) => m.awareShare !== null);
    return {
      title,
      svg: answered.length
        ? await barChart(
            title,
            answered.map((m) => ({
              label: formatMonth(m.month, 'en'),
              value: Math.round((m.awareShare ?? 0) * 1000) / 10,
            })),
            { inOrder: true },
          )
        : '',
      head: [
        { text: 'Month' },
        { text: 'Answers', format: 'numeric' },
        { text: 'Knew help was available', format: 'numeric' },
        { text: 'Had help by phone', format: 'numeric' },
        { text: 'Had help in person', format: 'numeric' },
        { text: 'Had help from an organisation', format: 'numeric' },
        { text: 'Had no help', format: 'numeric' },
      ],
      rows: months.map((m) => [
        { text: formatMonth(m.month, 'en') },
        { text: String(m.answered), format: 'numeric' },
        { text: m.answered ? `${share(m.awareShare)} (${m.aware})` : 'no data', format: 'numeric' },
        { text: String(m.helped.phone), format: 'numeric' },
        { text: String(m.helped.in_person), format: 'numeric' },
        { text: String(m.helped.web_helper), format: 'numeric' },
        { text: String(m.helped.no), format: 'numeric' },
      ]),
    };
  }

  async function figuresFor(c: Context<StaffPageEnv>) {
    const user = c.get('user');
    const { from, to, errors } = period(c);
    return { from, to, errors, figures: await dashboardFigures(db, prisonsSeenBy(user), from, to) };
  }

  app.get('/staff/dashboard', signedIn, async (c) => {
    const user = c.get('user');
    const { from, to, errors, figures } = await figuresFor(c);
    const { assisted, assistedProblem } = await assistedFor(c, from, to);
    const awareness = assisted
      ? assisted.months.map((m) => ({ month: m.month, ...m.awareness }))
      : await awarenessByMonth(db, from, to);
    const entries = (record: Record<string, number>) =>
      Object.entries(record)
        .sort((a, b) => b[1] - a[1])
        .map(([label, value]) => ({ label: label.replaceAll('_', ' '), value }));
    const chart = async (
      title: string,
      head: string,
      bars: { label: string; value: number }[],
      extra?: (label: string) => string,
    ) => ({
      title,
      svg: bars.length ? await barChart(title, bars) : '',
      head: [
        { text: head },
        { text: 'Requests', format: 'numeric' },
        ...(extra ? [{ text: 'Minutes helping', format: 'numeric' }] : []),
      ],
      rows: bars.map((bar) => [
        { text: bar.label },
        { text: String(bar.value), format: 'numeric' },
        ...(extra ? [{ text: extra(bar.label), format: 'numeric' }] : []),
      ]),
    });
    const row = (key: string, text: string) => ({ key: { text: key }, value: { text } });
    return staffPage(c, 'staff/dashboard', {
      title: 'Performance',
      user,
      csrf: c.get('csrf'),
      active: 'dashboard',
      scope:
        prisonsSeenBy(user) === 'all'
          ? 'All prisons'
          : prisonsOf(user)
              .map((p) => p.name)
              .join(', '),
      from,
      to,
      errors,
      csvUrl: `/staff/dashboard.csv?from=${from}&to=${to}`,
      assistedCsvUrl: `/staff/dashboard/assisted-digital.csv?from=${from}&to=${to}`,
      assistedProblem,
      assistedSections: assisted ? await assistedSections(assisted) : [],
      awareness: await awarenessSection(awareness),
      headline: [
        row('Requests', String(figures.total)),
        row('Time to decision (median)', hoursText(figures.hoursToDecision.median)),
        row('Time to decision (95th percentile)', hoursText(figures.hoursToDecision.p95)),
        row('Decided by the confirm-by date', share(figures.decidedByConfirmBy)),
        row(
          'Web journeys completed (all prisons)',
          `${share(figures.journeys.completionRate)} (${figures.journeys.submitted} of ${figures.journeys.started})`,
        ),
        row(
          'Satisfied or very satisfied (all prisons)',
          `${share(figures.satisfaction.satisfiedShare)} of ${figures.satisfaction.responses} responses`,
        ),
      ],
      charts: [
        await chart('Requests by state', 'State', entries(figures.byStatus)),
        await chart('Rejection reasons', 'Reason', entries(figures.rejectionReasons)),
        await chart(
          'Requests by channel',
          'Channel',
          Object.entries(figures.channels).map(([label, c]) => ({ label: label.replace('_', ' '), value: c.requests })),
          (label) => String(figures.channels[label.replace(' ', '_')]?.minutes ?? 0),
        ),
      ],
    });
  });

  /** A CSV asked for with a period that is not one: 422, naming the field, rather than another period's figures. */
  const periodRefused = (c: Context<StaffPageEnv>, errors: { path: string; text: string }[]) =>
    c.text(errors.map((error) => `${error.path}: ${error.text}`).join('\n'), 422);

  app.get('/staff/dashboard/assisted-digital.csv', signedIn, async (c) => {
    const { from, to, errors } = period(c);
    if (errors.length) return periodRefused(c, errors);
    const assisted = await assistedFiguresFor(services, c.get('user'), from, to);
    // A row a month and channel, then one a month and helper organisation; the month's own figures on each.
    const head = [
      'month',
      'channel',
      'organisation',
      'requests',
      'expected requests',
      'requests difference',
      'minutes',
      'estimated minutes',
      'expected minutes',
      'minutes difference',
      `cost (${assisted.currency})`,
      `expected cost (${assisted.currency})`,
      `cost difference (${assisted.currency})`,
      'capacity minutes',
      'capacity used',
      'over warning',
      'all requests',
      'assisted share',
      'feedback answers',
      'aware share',
    ];
    const lines = assisted.months.flatMap((month) =>
      [...month.channels.map((c) => ({ ...c, organisation: null })), ...month.organisations].map((row) => [
        month.month,
        row.channel,
        row.organisation,
        row.requests,
        row.expectedRequests,
        row.requestsDifference,
        row.minutes,
        row.estimatedMinutes,
        row.expectedMinutes,
        row.minutesDifference,
        row.cost,
        row.expectedCost,
        row.costDifference,
        row.capacityMinutes,
        row.capacityUsed,
        row.capacityWarning ? 'yes' : 'no',
        month.requests,
        month.assistedShare,
        month.awareness.answered,
        month.awareness.awareShare,
      ]),
    );
    c.header('Content-Disposition', `attachment; filename="assisted-digital-${from}-${to}.csv"`);
    c.header('Cache-Control', 'no-store');
    return c.body(csvFile([head, ...lines]), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
  });

  app.get('/staff/dashboard.csv', signedIn, async (c) => {
    const { from, to, errors, figures } = await figuresFor(c);
    if (errors.length) return periodRefused(c, errors);
    const rows: [string, string | number | null][] = [
      ['requests', figures.total],
      ...Object.entries(figures.byStatus).map(([k, v]): [string, number] => [`state ${k}`, v]),
      ['hours to decision median', figures.hoursToDecision.median],
      ['hours to decision p95', figures.hoursToDecision.p95],
      ['decided by confirm-by share', figures.decidedByConfirmBy],
      ...Object.entries(figures.rejectionReasons).map(([k, v]): [string, number] => [`rejection ${k}`, v]),
      ...Object.entries(figures.channels).flatMap(([k, v]): [string, number][] => [
        [`channel ${k} requests`, v.requests],
        [`channel ${k} minutes`, v.minutes],
      ]),
      ['journeys started', figures.journeys.started],
      ['journeys submitted', figures.journeys.submitted],
      ['journey completion rate', figures.journeys.completionRate],
      ['feedback responses', figures.satisfaction.responses],
      ['feedback average', figures.satisfaction.average],
      ['feedback satisfied share', figures.satisfaction.satisfiedShare],
    ];
    c.header('Content-Disposition', `attachment; filename="performance-${from}-${to}.csv"`);
    c.header('Cache-Control', 'no-store');
    return c.body(csvFile([['figure', 'value'], ...rows]), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
  });

  return app;
}

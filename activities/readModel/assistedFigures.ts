// Assisted digital as the service assessment asks for it, per month, per channel and per helper organisation:
// requests, minutes and their cost at the settings' cost per minute (rules/assisted-digital.yaml), each beside its
// estimate and the difference, the help's capacity used against the capacity there is, the assisted share of all
// requests, and what the month's feedback says of knowing about help. A month only partly inside the period counts
// its estimate and capacity for the days inside it. Computed in code from the visits submitted each day, as the
// dashboard's others.
import type { Db } from 'mongodb';
import {
  channelSettings,
  organisationOf,
  type AssistedSettings,
  type ChannelNumbers,
} from '../../rules/assistedDigital';
import { daysInMonth } from '../../rules/dateWords';
import { addDays } from '../../rules/londonTime';
import { visitsSubmittedOn } from './dashboard';
import { awarenessByMonth, noAwareness, type AwarenessOfMonth } from './feedback';

/** What was done and what the settings expected, for a channel or an organisation in a month. */
export interface AgainstEstimate {
  requests: number;
  /** The settings' expected requests a month, for the days of the month inside the period. */
  expectedRequests: number;
  /** Requests less the expected requests: above the estimate when positive. */
  requestsDifference: number;
  /** Minutes spent helping: those recorded, and the estimated minutes of the requests that record none. */
  minutes: number;
  /** The minutes counted at the settings' minutes a request, for requests with none recorded (web helpers'). */
  estimatedMinutes: number;
  expectedMinutes: number;
  minutesDifference: number;
  /** In the settings' currency, to the penny: each request's minutes at its cost per minute. */
  cost: number;
  expectedCost: number;
  costDifference: number;
  capacityMinutes: number;
  /** Minutes over the capacity there was (0 to 1 and beyond); null where there was no capacity. */
  capacityUsed: number | null;
  /** Above the settings' warning share of capacity. */
  capacityWarning: boolean;
}

export interface ChannelMonth extends AgainstEstimate {
  channel: string;
  name: string;
}

/** A helper organisation the settings name, within its channel: its own estimate and capacity. */
export interface OrganisationMonth extends AgainstEstimate {
  channel: string;
  /** As the settings write it. */
  organisation: string;
}

/** What the month's feedback says of knowing about help and using it (all prisons: feedback names none). */
export type Awareness = Omit<AwarenessOfMonth, 'month'>;

export interface AssistedMonth {
  /** `2026-12`. */
  month: string;
  /** The days of the month inside the period. */
  days: number;
  /** Every request of the month, whatever its channel. */
  requests: number;
  assistedRequests: number;
  /** Assisted requests over all requests; null in a month with none. */
  assistedShare: number | null;
  channels: ChannelMonth[];
  organisations: OrganisationMonth[];
  awareness: Awareness;
}

export interface AssistedFigures {
  currency: string;
  capacityWarningShare: number;
  settingsVersion: string;
  months: AssistedMonth[];
}

interface Counted {
  prisonId: string;
  channel?: string;
  assistedMinutes?: number;
  assistedOrganisation?: string;
  visitors: { organisation?: string }[];
}

const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

/**
 * How a request came: a helper's channel for an assisted entry; `web_helper` for a web request whose lead visitor
 * gave an organisation (a support worker or a professional asking for the visitor); `web` otherwise.
 */
export const channelOf = (visit: Pick<Counted, 'channel' | 'visitors'>): string =>
  visit.channel && visit.channel !== 'web' ? visit.channel : visit.visitors[0]?.organisation ? 'web_helper' : 'web';

/** What was done through a channel or by an organisation in a month. */
interface Done {
  requests: number;
  minutes: number;
  estimatedMinutes: number;
  cost: number;
}

/** What the settings expect in a whole month, and the capacity of a week. */
interface Expected {
  requests: number;
  minutes: number;
  cost: number;
  capacityMinutesPerWeek: number;
}

const expectedOf = (numbers: ChannelNumbers): Expected => ({
  requests: numbers.expectedRequestsPerMonth,
  minutes: numbers.expectedRequestsPerMonth * numbers.minutesPerRequest,
  cost: numbers.expectedRequestsPerMonth * numbers.minutesPerRequest * numbers.costPerMinute,
  capacityMinutesPerWeek: numbers.capacityMinutesPerWeek,
});

const sumOf = (all: Expected[]): Expected => ({
  requests: all.reduce((total, e) => total + e.requests, 0),
  minutes: all.reduce((total, e) => total + e.minutes, 0),
  cost: all.reduce((total, e) => total + e.cost, 0),
  capacityMinutesPerWeek: all.reduce((total, e) => total + e.capacityMinutesPerWeek, 0),
});

/**
 * Done against expected, for `days` days of a month of `monthDays`: the estimates are the month's share, the
 * capacity that of `days` days. Each difference is of the figures as shown, so a reader's sum agrees.
 */
function againstEstimate(
  done: Done,
  expected: Expected,
  { days, monthDays, warningShare }: { days: number; monthDays: number; warningShare: number },
): AgainstEstimate {
  const part = days / monthDays;
  const expectedRequests = round(expected.requests * part, 1);
  const expectedMinutes = Math.round(expected.minutes * part);
  const cost = round(done.cost, 2);
  const expectedCost = round(expected.cost * part, 2);
  const capacityMinutes = Math.round((expected.capacityMinutesPerWeek * days) / 7);
  const used = capacityMinutes > 0 ? done.minutes / capacityMinutes : null;
  return {
    requests: done.requests,
    expectedRequests,
    requestsDifference: round(done.requests - expectedRequests, 1),
    minutes: done.minutes,
    estimatedMinutes: done.estimatedMinutes,
    expectedMinutes,
    minutesDifference: done.minutes - expectedMinutes,
    cost,
    expectedCost,
    costDifference: round(cost - expectedCost, 2),
    capacityMinutes,
    capacityUsed: used === null ? null : round(used, 3),
    capacityWarning: used !== null && used > warningShare,
  };
}

/** The numbers of a channel the settings have, for a prison or an organisation. */
function numbersAt(
  settings: AssistedSettings,
  channel: string,
  where: { prisonId?: string; organisation?: string },
): ChannelNumbers {
  const numbers = channelSettings(settings, channel, where);
  if (!numbers) throw new Error(`the settings have no channel ${channel}`);
  return numbers;
}

const nothingDone = (): Done => ({ requests: 0, minutes: 0, estimatedMinutes: 0, cost: 0 });

/** An organisation's key in a month's sums: its channel and its name as the settings write it. */
const organisationKey = (channel: string, organisation: string) => `${channel}\n${organisation}`;

/**
 * The figures for the visits submitted from `from` to `to` (London dates, both included, at most 366 days) at the
 * prisons given; `every` when they are all the prisons there are, so the store is asked once a day, not once a prison.
 * A channel's estimate and capacity are the sum of its prisons'; an organisation's are its own, wherever it helps.
 */
export async function assistedFigures(
  db: Db,
  settings: AssistedSettings,
  prisons: { ids: string[]; every: boolean },
  from: string,
  to: string,
): Promise<AssistedFigures> {
  if (from > to || to > addDays(from, 365)) throw new RangeError('a period is from 1 to 366 days');
  const months = new Map<string, { days: number; requests: number; done: Map<string, Done> }>();
  for (let date = from; date <= to; date = addDays(date, 1)) {
    const month = date.slice(0, 7);
    const counted = months.get(month) ?? { days: 0, requests: 0, done: new Map<string, Done>() };
    months.set(month, counted);
    counted.days += 1;
    const fields = { prisonId: 1, channel: 1, assistedMinutes: 1, assistedOrganisation: 1, visitors: 1 } as const;
    for await (const visit of visitsSubmittedOn<Counted>(db, [date], prisons.every ? 'all' : prisons.ids, fields)) {
      counted.requests += 1;
      const channel = channelOf(visit);
      const named = visit.assistedOrganisation ?? visit.visitors[0]?.organisation;
      const numbers = channelSettings(settings, channel, { prisonId: visit.prisonId, organisation: named });
      if (!numbers) continue;
      const minutes = visit.assistedMinutes ?? numbers.minutesPerRequest;
      const organisation = named !== undefined ? organisationOf(settings, channel, named) : undefined;
      for (const key of [channel, ...(organisation ? [organisationKey(channel, organisation)] : [])]) {
        const sum = counted.done.get(key) ?? nothingDone();
        counted.done.set(key, sum);
        sum.requests += 1;
        sum.minutes += minutes;
        if (visit.assistedMinutes === undefined) sum.estimatedMinutes += minutes;
        sum.cost += minutes * numbers.costPerMinute;
      }
    }
  }
  const awareness = new Map((await awarenessByMonth(db, from, to)).map(({ month, ...rest }) => [month, rest]));
  const channels = Object.keys(settings.channels);
  // An organisation's row compares its own estimate with its requests: only for readers who see every prison it helps.
  const seesAllOf = (helped: string[] | undefined) =>
    prisons.every || (helped !== undefined && helped.every((id) => prisons.ids.includes(id)));
  return {
    currency: settings.currency,
    capacityWarningShare: settings.capacityWarningShare,
    settingsVersion: settings.version,
    months: [...months].map(([month, counted]): AssistedMonth => {
      const over = { days: counted.days, monthDays: daysInMonth(month), warningShare: settings.capacityWarningShare };
      const doneBy = (key: string) => counted.done.get(key) ?? nothingDone();
      const rows = channels.map((channel): ChannelMonth => ({
        channel,
        name: settings.channels[channel].name,
        ...againstEstimate(
          doneBy(channel),
          sumOf(prisons.ids.map((prisonId) => expectedOf(numbersAt(settings, channel, { prisonId })))),
          over,
        ),
      }));
      const organisations = channels.flatMap((channel) =>
        Object.keys(settings.channels[channel].organisations)
          .filter((name) => seesAllOf(settings.channels[channel].organisations[name].prisons))
          .map((organisation): OrganisationMonth => ({
            channel,
            organisation,
            ...againstEstimate(
              doneBy(organisationKey(channel, organisation)),
              expectedOf(numbersAt(settings, channel, { organisation })),
              over,
            ),
          })),
      );
      const assistedRequests = rows.reduce((total, row) => total + row.requests, 0);
      return {
        month,
        days: counted.days,
        requests: counted.requests,
        assistedRequests,
        assistedShare: counted.requests ? round(assistedRequests / counted.requests, 3) : null,
        channels: rows,
        organisations,
        awareness: awareness.get(month) ?? noAwareness(),
      };
    }),
  };
}

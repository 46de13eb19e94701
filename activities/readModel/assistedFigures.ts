// Assisted digital as the service assessment asks for it, per month and channel: requests and minutes, their cost at
// the settings' cost per minute (rules/assisted-digital.yaml), the expected requests beside them, and the help's
// capacity used against the capacity there is. A month only partly inside the period counts its estimate and
// capacity for the days inside it. Computed in code from the visits submitted each day, as the dashboard's others.
import type { Db } from 'mongodb';
import { channelSettings, type AssistedSettings } from '../../rules/assistedDigital';
import { daysInMonth } from '../../rules/dateWords';
import { addDays } from '../../rules/londonTime';
import { visitsSubmittedOn } from './dashboard';

export interface ChannelMonth {
  channel: string;
  name: string;
  requests: number;
  expectedRequests: number;
  /** Requests less the expected requests: above the estimate when positive. */
  requestsDifference: number;
  minutes: number;
  /** In the settings' currency, to the penny. */
  cost: number;
  capacityMinutes: number;
  /** Minutes used over the capacity there was (0 to 1 and beyond); null where there was no capacity. */
  capacityUsed: number | null;
  /** Above the settings' warning share of capacity. */
  capacityWarning: boolean;
}

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

/**
 * The figures for the visits submitted from `from` to `to` (London dates, both included, at most 366 days) at the
 * prisons given; `every` when they are all the prisons there are, so the store is asked once a day, not once a prison.
 */
export async function assistedFigures(
  db: Db,
  settings: AssistedSettings,
  prisons: { ids: string[]; every: boolean },
  from: string,
  to: string,
): Promise<AssistedFigures> {
  if (from > to || to > addDays(from, 365)) throw new RangeError('a period is from 1 to 366 days');
  const prisonIds = prisons.ids;
  const months = new Map<
    string,
    { days: number; requests: number; channels: Map<string, { requests: number; minutes: number; cost: number }> }
  >();
  const channels = Object.keys(settings.channels);
  for (let date = from; date <= to; date = addDays(date, 1)) {
    const month = date.slice(0, 7);
    const counted = months.get(month) ?? { days: 0, requests: 0, channels: new Map() };
    months.set(month, counted);
    counted.days += 1;
    const fields = { prisonId: 1, channel: 1, assistedMinutes: 1, assistedOrganisation: 1, visitors: 1 } as const;
    for await (const visit of visitsSubmittedOn<Counted>(db, [date], prisons.every ? 'all' : prisonIds, fields)) {
      counted.requests += 1;
      const channel = channelOf(visit);
      const numbers = channelSettings(settings, channel, {
        prisonId: visit.prisonId,
        organisation: visit.assistedOrganisation ?? visit.visitors[0]?.organisation,
      });
      if (!numbers) continue;
      const sum = counted.channels.get(channel) ?? { requests: 0, minutes: 0, cost: 0 };
      counted.channels.set(channel, sum);
      const minutes = visit.assistedMinutes ?? 0;
      sum.requests += 1;
      sum.minutes += minutes;
      sum.cost += minutes * numbers.costPerMinute;
    }
  }
  return {
    currency: settings.currency,
    capacityWarningShare: settings.capacityWarningShare,
    settingsVersion: settings.version,
    months: [...months].map(([month, counted]) => {
      const part = counted.days / daysInMonth(month);
      const rows = channels.map((channel): ChannelMonth => {
        const sum = counted.channels.get(channel) ?? { requests: 0, minutes: 0, cost: 0 };
        const at = prisonIds.map((prisonId) => channelSettings(settings, channel, { prisonId }));
        const expectedRequests = round(
          at.reduce((total, n) => total + (n?.expectedRequestsPerMonth ?? 0), 0) * part,
          1,
        );
        const capacityMinutes = round(
          at.reduce((total, n) => total + (n?.capacityMinutesPerWeek ?? 0), 0) * (counted.days / 7),
          0,
        );
        const capacityUsed = capacityMinutes > 0 ? round(sum.minutes / capacityMinutes, 3) : null;
        return {
          channel,
          name: settings.channels[channel].name,
          requests: sum.requests,
          expectedRequests,
          requestsDifference: round(sum.requests - expectedRequests, 1),
          minutes: sum.minutes,
          cost: round(sum.cost, 2),
          capacityMinutes,
          capacityUsed,
          capacityWarning: capacityUsed !== null && capacityUsed > settings.capacityWarningShare,
        };
      });
      const assistedRequests = rows.reduce((total, row) => total + row.requests, 0);
      return {
        month,
        days: counted.days,
        requests: counted.requests,
        assistedRequests,
        assistedShare: counted.requests ? round(assistedRequests / counted.requests, 3) : null,
        channels: rows,
      };
    }),
  };
}

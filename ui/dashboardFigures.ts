// The service's performance figures, as the service assessment asked for them: volumes, time to decision, share
// decided by the confirm-by date, rejection reasons, channel mix with assisted-digital minutes, web-journey
// completion and satisfaction. Computed in code (FerretDB has no $lookup, $facet or date operators) as the read
// model hands over the visits submitted in a period, a day at a time, one at a time; the journeys are counted in the
// store, a day at a time. A period is at most MAX_PERIOD_DAYS long.
import type { Db } from 'mongodb';
import { ratingsOn, visitsSubmittedOn } from '../activities/readModel/dashboard';
import { journeysOfDay } from '../activities/readModel/journeys';
import { addDays, londonClock } from '../rules/londonTime';

export interface DashboardFigures {
  total: number;
  byStatus: Record<string, number>;
  /** Hours from submission to the staff's decision. */
  hoursToDecision: { median: number | null; p95: number | null; decided: number };
  /** Share of staff decisions made on or before the confirm-by date (0 to 1). */
  decidedByConfirmBy: number | null;
  rejectionReasons: Record<string, number>;
  channels: Record<string, { requests: number; minutes: number }>;
  journeys: { started: number; submitted: number; completionRate: number | null };
  satisfaction: { responses: number; average: number | null; satisfiedShare: number | null };
}

/** The value below which `share` of the sorted values fall (nearest rank). */
export function percentile(sorted: number[], share: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)];
}

const round = (value: number, places = 1) => Math.round(value * 10 ** places) / 10 ** places;

/** The longest period the figures are worked out for: a year, a leap year's included. */
export const MAX_PERIOD_DAYS = 366;

/** The London dates from `from` to `to`, both included. */
function datesFrom(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) {
    if (dates.push(date) > MAX_PERIOD_DAYS) throw new RangeError(`a period is at most ${MAX_PERIOD_DAYS} days`);
  }
  return dates;
}

interface Counted {
  status: string;
  submittedAt: string;
  confirmBy: string;
  channel?: string;
  assistedMinutes?: number;
  rejection?: { reasons: string[] };
  timeline: { status: string; at: string; by: string }[];
}

/** The figures for the visits submitted from `from` to `to` (London dates, both included) at the prisons given. */
export async function dashboardFigures(
  db: Db,
  prisonIds: string[] | 'all',
  from: string,
  to: string,
): Promise<DashboardFigures> {
  const dates = datesFrom(from, to);
  let total = 0;
  const byStatus: Record<string, number> = {};
  const rejectionReasons: Record<string, number> = {};
  const channels: Record<string, { requests: number; minutes: number }> = {};
  const hours: number[] = [];
  let onTime = 0;
  const fields = {
    status: 1,
    submittedAt: 1,
    confirmBy: 1,
    channel: 1,
    assistedMinutes: 1,
    rejection: 1,
    timeline: 1,
  } as const;
  for await (const visit of visitsSubmittedOn<Counted>(db, dates, prisonIds, fields)) {
    total += 1;
    byStatus[visit.status] = (byStatus[visit.status] ?? 0) + 1;
    for (const reason of visit.rejection?.reasons ?? []) rejectionReasons[reason] = (rejectionReasons[reason] ?? 0) + 1;
    const channel = (channels[visit.channel ?? 'web'] ??= { requests: 0, minutes: 0 });
    channel.requests += 1;
    channel.minutes += visit.assistedMinutes ?? 0;
    const decision = visit.timeline.find(
      (entry) => entry.by === 'staff' && (entry.status === 'booked' || entry.status === 'rejected'),
    );
    if (decision) {
      hours.push((Date.parse(decision.at) - Date.parse(visit.submittedAt)) / 3_600_000);
      if (londonClock(new Date(decision.at)).date <= visit.confirmBy) onTime += 1;
    }
  }
  hours.sort((a, b) => a - b);

  // Journeys started in the period, and how many of those were sent in it: a rate that cannot pass 100%.
  let [started, submitted] = [0, 0];
  for (const date of dates) {
    const day = await journeysOfDay(db, date, from);
    started += day.started;
    submitted += day.submitted;
  }
  const ratings = { count: 0, sum: 0, satisfied: 0 };
  for await (const rating of ratingsOn(db, dates)) {
    ratings.count += 1;
    ratings.sum += rating;
    if (rating >= 4) ratings.satisfied += 1;
  }

  return {
    total,
    byStatus,
    hoursToDecision: {
      median: hours.length ? round(percentile(hours, 0.5) ?? 0) : null,
      p95: hours.length ? round(percentile(hours, 0.95) ?? 0) : null,
      decided: hours.length,
    },
    decidedByConfirmBy: hours.length ? round(onTime / hours.length, 3) : null,
    rejectionReasons,
    channels,
    journeys: { started, submitted, completionRate: started ? round(submitted / started, 3) : null },
    satisfaction: {
      responses: ratings.count,
      average: ratings.count ? round(ratings.sum / ratings.count, 2) : null,
      satisfiedShare: ratings.count ? round(ratings.satisfied / ratings.count, 3) : null,
    },
  };
}

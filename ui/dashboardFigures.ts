// The service's performance figures, as the service assessment asked for them: volumes, time to decision, share
// decided by the confirm-by date, rejection reasons, channel mix with assisted-digital minutes, web-journey
// completion and satisfaction. Computed in code from plain queries (FerretDB has no $lookup, $facet or date
// operators), over the visits submitted in a period at the prisons given.
import type { Db } from 'mongodb';
import { visitsCollection } from '../activities/readModel';
import { londonClock } from '../rules/londonTime';

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

export async function dashboardFigures(
  db: Db,
  prisonIds: string[] | 'all',
  from: Date,
  to: Date,
): Promise<DashboardFigures> {
  const visits = await visitsCollection(db)
    .find({
      ...(prisonIds === 'all' ? {} : { prisonId: { $in: prisonIds } }),
      submittedAt: { $gte: from.toISOString(), $lt: to.toISOString() },
    })
    .project<{
      status: string;
      submittedAt: string;
      confirmBy: string;
      channel?: string;
      assistedMinutes?: number;
      rejection?: { reasons: string[] };
      timeline: { status: string; at: string; by: string }[];
    }>({ status: 1, submittedAt: 1, confirmBy: 1, channel: 1, assistedMinutes: 1, rejection: 1, timeline: 1 })
    .toArray();

  const byStatus: Record<string, number> = {};
  const rejectionReasons: Record<string, number> = {};
  const channels: Record<string, { requests: number; minutes: number }> = {};
  const hours: number[] = [];
  let onTime = 0;
  for (const visit of visits) {
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

  const events = await db
    .collection<{ journey: string; step: string; at: Date }>('journeyEvents')
    .find({ step: { $in: ['started', 'submitted'] }, at: { $gte: from, $lt: to } })
    .project<{ journey: string; step: string }>({ journey: 1, step: 1 })
    .toArray();
  // Journeys started in the period, and how many of those were sent: a rate that cannot pass 100%.
  const startedJourneys = new Set(events.filter((e) => e.step === 'started').map((e) => e.journey));
  const started = startedJourneys.size;
  const submitted = new Set(
    events.filter((e) => e.step === 'submitted' && startedJourneys.has(e.journey)).map((e) => e.journey),
  ).size;

  const ratings = (
    await db
      .collection<{ rating: number; at: Date }>('feedback')
      .find({ at: { $gte: from, $lt: to } })
      .project<{ rating: number }>({ rating: 1 })
      .toArray()
  ).map((f) => f.rating);

  return {
    total: visits.length,
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
      responses: ratings.length,
      average: ratings.length ? round(ratings.reduce((a, b) => a + b, 0) / ratings.length, 2) : null,
      satisfiedShare: ratings.length ? round(ratings.filter((r) => r >= 4).length / ratings.length, 3) : null,
    },
  };
}

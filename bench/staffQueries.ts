// The staff side with a national year of visits: copies of real visits the benchmark made, spread over the estate's
// prisons, states and a year, each with the query fields the read model gives it; then the queue, search, a visit,
// the day's list and the dashboard asked for over HTTP, one request at a time.
import { randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import { visitsCollection, queryFields, type VisitDocument } from '../activities/readModel/visits';
import { saveStaffAccount } from '../api/staffAccounts';
import type { VisitStatus } from '../rules/vocabulary';
import { addDays, londonClock } from '../rules/londonTime';
import type { Visit } from '../workflows/visit';
import { FEWEST_FOR_PERCENTILES, latencies } from './figures';

/** The share of each state in a year of visits: a few days' worth still waiting for staff. */
export const STATE_MIX: Record<VisitStatus, number> = {
  requested: 0.01,
  booked: 0.5,
  rejected: 0.24,
  withdrawn: 0.08,
  cancelled: 0.17,
};
/** Of the cancellations, the share by visitors still to be confirmed by staff. */
const UNCONFIRMED_SHARE = 0.02;

const REFERENCE_LETTERS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const reference = () => Array.from(randomBytes(8), (byte) => REFERENCE_LETTERS[byte % 32]).join('');

/** One of 260,000 prison numbers: a prisoner has four visits a year, about. */
export const prisonNumber = (i: number) =>
  `B${String(i % 10_000).padStart(4, '0')}${String.fromCharCode(65 + (Math.floor(i / 10_000) % 26))}X`;

/** A state for the i-th of `count` visits, spread evenly by the mix whatever `count`. */
function stateFor(i: number): VisitStatus {
  const position = ((i * 7919) % 10_000) / 10_000;
  let upTo = 0;
  for (const [status, share] of Object.entries(STATE_MIX) as [VisitStatus, number][]) {
    upTo += share;
    if (position < upTo) return status;
  }
  return 'booked';
}

/** The i-th seeded visit: a template given its own reference, prison, prisoner, state and day in the past year. */
export function seededVisit(template: Visit, i: number, prisonIds: string[], today: string): VisitDocument {
  const status = stateFor(i);
  // Waiting requests are from the last few days; the rest spread over the year.
  const daysAgo = status === 'requested' ? i % 4 : i % 365;
  const submittedOn = addDays(today, -daysAgo);
  const at = (date: string, time = '10:00:00') => new Date(`${date}T${time}.000Z`).toISOString();
  const slot = `${addDays(submittedOn, 7)}T14:00/16:00`;
  const id = reference();
  const visit: Visit = {
    ...template,
    reference: id,
    prisonId: prisonIds[i % prisonIds.length],
    status,
    prisoner: { ...template.prisoner, number: prisonNumber(i) },
    slotOptions: [slot],
    submittedAt: at(submittedOn),
    confirmBy: addDays(submittedOn, 3),
    timeline: [
      { status: 'requested', at: at(submittedOn), by: 'visitor' },
      ...(status === 'requested' ? [] : [{ status, at: at(addDays(submittedOn, 1)), by: 'staff' as const }]),
    ],
  };
  if (status === 'booked') visit.slotGranted = slot;
  if (status === 'cancelled') {
    const unconfirmed = (i * 31) % 100 < UNCONFIRMED_SHARE * 100;
    visit.cancellation = { reasons: ['visitor_cancelled'], by: 'visitor' };
    visit.cancellationConfirmed = !unconfirmed;
    if (!unconfirmed) visit.cancellationConfirmedAt = at(addDays(submittedOn, 3));
  }
  if (status !== 'requested' && status !== 'booked') visit.finishedAt = at(addDays(submittedOn, 2));
  return { ...visit, ...queryFields(visit), _id: id, savedAt: new Date() };
}

/** Adds visits `from` to `to` (exclusive), in batches, a few at once. */
export async function seedVisits(db: Db, templates: Visit[], prisonIds: string[], from: number, to: number) {
  const visits = visitsCollection(db);
  const today = londonClock(new Date()).date;
  const batch = 2000;
  const started = performance.now();
  let done = from;
  const writers = Array.from({ length: 3 }, async (_, writer) => {
    for (let start = from + writer * batch; start < to; start += 3 * batch) {
      const documents: VisitDocument[] = [];
      for (let i = start; i < Math.min(to, start + batch); i++) {
        documents.push(seededVisit(templates[i % templates.length], i, prisonIds, today));
      }
      await visits.insertMany(documents, { ordered: false });
      done += documents.length;
      const rate = Math.round((done - from) / ((performance.now() - started) / 1000));
      process.stdout.write(`\r  seeding: ${done} of ${to} (${rate}/s)   `);
    }
  });
  await Promise.all(writers);
  process.stdout.write('\n');
}

/** Signs in a staff account made for the benchmark and returns its token (a bearer token, and the pages' cookie). */
export async function staffToken(baseUrl: string, db: Db, role: 'staff' | 'admin', prisons: string[]) {
  const email = `bench-${role}@bench.example`;
  const password = randomBytes(12).toString('hex');
  await saveStaffAccount(db, { email, role, prisons, password });
  const response = await fetch(`${baseUrl}/api/staff/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) throw new Error(`staff sign-in: ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/**
 * Asks for each of `paths` in turn, one request at a time, and returns the latencies of the answers 200 and how many
 * failed (any other answer, or none; their latencies are left out). It asks at least 20 times, for percentiles that
 * are not the maximum, and goes on while within `budgetSeconds`, up to 200 times; but it stops at `ceilingSeconds`
 * even with fewer than 20, so that a query of a minute does not hold the run for twenty (those report a maximum
 * only). Paths under /api/ send the token as a bearer token, pages as the session cookie.
 */
export async function timeGets(
  baseUrl: string,
  token: string,
  paths: string[],
  { budgetSeconds, ceilingSeconds }: { budgetSeconds: number; ceilingSeconds: number },
) {
  const samples: number[] = [];
  const failed: Record<string, number> = {};
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  for (let asked = 0; asked < 200; asked++) {
    if (elapsed() > ceilingSeconds) break;
    if (asked >= FEWEST_FOR_PERCENTILES && elapsed() > budgetSeconds) break;
    const path = paths[asked % paths.length];
    const headers: Record<string, string> = path.startsWith('/api/')
      ? { Authorization: `Bearer ${token}` }
      : { Cookie: `pvb_session=${token}` };
    const sent = performance.now();
    let status = 'network';
    try {
      const response = await fetch(`${baseUrl}${path}`, { headers, redirect: 'manual' });
      await response.arrayBuffer();
      status = String(response.status);
    } catch {
      // no answer: counted as failed below
    }
    if (status === '200') samples.push(performance.now() - sent);
    else failed[status] = (failed[status] ?? 0) + 1;
  }
  return { ...latencies(samples), failed };
}

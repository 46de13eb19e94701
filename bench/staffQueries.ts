// The staff side with a full database: visits copied from real ones the benchmark made, spread over prisons, states
// and a year, then the queue, search and a visit's page asked for over HTTP, one request at a time.
import { randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import { ensureIndexes, visitsCollection, type VisitDocument } from '../activities/readModel';
import { saveStaffAccount } from '../api/staffAccounts';
import type { VisitStatus } from '../api/vocabulary';
import { latencies } from './figures';

/** The share of each state among the copies: a year of visits, a few days of them still waiting. */
export const STATE_MIX: Record<VisitStatus, number> = {
  requested: 0.01,
  booked: 0.5,
  rejected: 0.24,
  withdrawn: 0.08,
  cancelled: 0.17,
};

const REFERENCE_LETTERS = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const reference = () => Array.from(randomBytes(8), (byte) => REFERENCE_LETTERS[byte % 34]).join('');

/** One of 260,000 prison numbers, so a search by number finds a few visits. */
const prisonNumber = (i: number) =>
  `B${String(i % 10_000).padStart(4, '0')}${String.fromCharCode(65 + (Math.floor(i / 10_000) % 26))}X`;

function stateFor(i: number, count: number): VisitStatus {
  let upTo = 0;
  for (const [status, share] of Object.entries(STATE_MIX) as [VisitStatus, number][]) {
    upTo += share * count;
    if (i < upTo) return status;
  }
  return 'booked';
}

/** Writes `count` visits, each a copy of one of `templates` with its own reference, prisoner, state and date. */
export async function seedVisits(db: Db, templates: VisitDocument[], count: number): Promise<void> {
  await ensureIndexes(db);
  const visits = visitsCollection(db);
  const now = Date.now();
  const batch = 5000;
  for (let start = 0; start < count; start += batch) {
    const documents: VisitDocument[] = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const template = templates[i % templates.length];
      const id = reference();
      const status = stateFor(i, count);
      // Waiting requests are recent; the rest spread over the year.
      const ageMs = status === 'requested' ? (i % 259_200) * 1000 : (i % 365) * 86_400_000 + (i % 86_400) * 1000;
      documents.push({
        ...template,
        _id: id,
        reference: id,
        status,
        prisoner: { ...template.prisoner, number: prisonNumber(i) },
        submittedAt: new Date(now - ageMs).toISOString(),
        ...(status === 'requested' ? {} : { finishedAt: new Date(now - ageMs + 86_400_000).toISOString() }),
      });
    }
    await visits.insertMany(documents);
    process.stdout.write(`\r  seeding: ${Math.min(count, start + batch)} of ${count}   `);
  }
  process.stdout.write('\n');
}

/** Signs in a staff account made for the benchmark and returns its bearer token. */
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
 * Asks for each of `paths` in turn, one request at a time, for at most `budgetSeconds` (at least 3 times, at most 200),
 * and returns the latencies; every answer must be 200.
 */
export async function timeGets(baseUrl: string, token: string, paths: string[], budgetSeconds: number) {
  const samples: number[] = [];
  const started = performance.now();
  const maxSamples = 200;
  let items = 0;
  for (let i = 0; samples.length < maxSamples; i++) {
    if (samples.length >= 3 && performance.now() - started > budgetSeconds * 1000) break;
    const path = paths[i % paths.length];
    const sent = performance.now();
    const response = await fetch(`${baseUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { requested?: unknown[]; visits?: unknown[] };
    samples.push(performance.now() - sent);
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}`);
    items += (body.requested ?? body.visits ?? [body]).length;
  }
  return { ...latencies(samples), itemsPerAnswer: Math.round(items / samples.length) };
}

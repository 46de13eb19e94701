// Every query the service asks of its store uses its index on the embedded store (FerretDB over PostgreSQL): asked
// with `explain`, PostgreSQL plans each with the index made for its fields, and none as a sequential scan of a seeded
// collection. A query whose filter FerretDB cannot push down, or whose index is missing, fails here.
import { randomBytes } from 'node:crypto';
import { MongoClient, type Document } from 'mongodb';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureIndexes, ginIndexName } from '../activities/readModel/indexes';
import { queries, type QueryName } from '../activities/readModel/queries';
import { queryFields, visitsCollection, type VisitDocument } from '../activities/readModel/visits';
import { addDays } from '../rules/londonTime';
import type { Visit } from '../workflows/visit';

const mongo = new MongoClient(inject('mongoUrl'));
const db = mongo.db(`test_indexes_${randomBytes(4).toString('hex')}`);

/** Arguments for each query, as the service would ask it. A new query fails the test until it has some here. */
const asked: Record<QueryName, unknown[]> = {
  visitByReference: ['V0001234'],
  queue: ['P07'],
  cancellationsToConfirm: ['P07'],
  prisonerVisits: ['A0123BC'],
  earlierVisits: ['A0123BC', 'V0001234'],
  bookedOnDay: ['P07', '2026-06-01'],
  decidedOnDay: ['P07', '2026-06-01'],
  submittedOnDay: ['2026-06-01', 'P07'],
  dueForAnonymising: ['2026-06-01'],
  emailById: ['V0001234.received'],
  emailsOfVisit: ['V0001234'],
  staffByEmail: ['staff@test.example'],
  staffOfPrison: ['P07'],
  signInAttempts: ['k'.repeat(43)],
  signInAttemptsOfWindow: [1_966_000],
  sessionById: ['s'.repeat(43)],
  sessionsOfStaff: ['staff7@test.example'],
  journeyStepsOfDay: ['2026-06-01', 'started'],
  journeyStep: ['j7', 'started'],
  journeysSentOfDay: ['2026-06-01', '2026-05-01'],
  feedbackOfDay: ['2026-06-01'],
  feedbackWithCommentOfDay: ['2026-06-01'],
  readModelInfo: ['documents'],
  visitLinkToUse: ['0'.repeat(64), 'V0001234', new Date('2026-06-01T10:00:00Z')],
  slotPlacesById: ['P07 2026-06-01T14:00/16:00'],
  slotPlacesOlderThan: ['P07 2026-06-01T14:00/16:00', 4],
  slotPlacesOfPrison: ['P07'],
  visitsOfBooker: ['b'.repeat(31) + '7'],
  bookerByEmail: ['booker7@test.example'],
  bookerById: ['b'.repeat(31) + '7'],
  signInLinkToUse: ['0'.repeat(64), new Date('2026-06-01T10:00:00Z')],
  bookerSessionById: ['s'.repeat(43)],
  signInLinksOfBooker: ['b'.repeat(31) + '7'],
  sessionsOfBooker: ['b'.repeat(31) + '7'],
  openVisitsOfPrisoner: ['A0123BC'],
  reviewList: ['P07'],
  ledgerOfPrisoner: ['A0123BC'],
  balanceOfPrisoner: ['A0123BC'],
  balanceOlderThan: ['A0123BC', 4],
  ledgerEntryById: ['A0123BC 7.used'],
  blockedOfPrison: ['P07'],
  blockedDateById: ['P07 2026-06-01 14:00/16:00'],
};

/** Collections that stay small (a prison service's staff, its settings): PostgreSQL rightly reads them whole. */
const small = new Set(['staff', 'readModelInfo']);

const VISITS = 20_000;
const STATUSES: Visit['status'][] = ['requested', 'booked', 'booked', 'rejected', 'withdrawn', 'cancelled'];

const bookerIdOf = (i: number) => String(i).padStart(32, 'b');

/** A year of visits at 40 prisons, in every state. */
function seededVisit(i: number): VisitDocument {
  const reference = `V${String(i).padStart(7, '0')}`;
  const status = STATUSES[i % STATUSES.length];
  const submittedOn = addDays('2026-01-01', i % 365);
  const decided = status === 'booked' || status === 'rejected';
  const visit: Visit = {
    reference,
    prisonId: `P${String(Math.floor(i / 7) % 40).padStart(2, '0')}`,
    status,
    version: 3,
    prisoner: {
      firstName: 'Oscar',
      lastName: 'Wilde',
      dateOfBirth: '1980-10-16',
      number: `A${String(i % 9000).padStart(4, '0')}BC`,
    },
    visitors: [{ firstName: 'Ada', lastName: 'Wilde', dateOfBirth: '1985-01-01' }],
    slotOptions: [`${addDays(submittedOn, 7)}T14:00/16:00`],
    ...(status === 'booked' ? { slotGranted: `${addDays(submittedOn, 7)}T14:00/16:00` } : {}),
    confirmBy: addDays(submittedOn, 3),
    contact: { email: 'ada@example.com', phone: '07700 900123' },
    locale: 'en',
    accessTokenHash: 'x',
    submittedAt: `${submittedOn}T10:00:00.000Z`,
    messages: [],
    channel: 'web',
    // A third of the visits sent by signed-in bookers, a dozen each.
    ...(i % 3 === 0 ? { bookerId: bookerIdOf(i % 600) } : {}),
    ...(status === 'cancelled' ? { cancellation: { reasons: ['visitor_cancelled'], by: 'visitor' } } : {}),
    ...(status !== 'requested' && status !== 'booked'
      ? { finishedAt: `${addDays(submittedOn, 2)}T10:00:00.000Z` }
      : {}),
    timeline: [
      { status: 'requested', at: `${submittedOn}T10:00:00.000Z`, by: 'visitor' },
      ...(decided ? [{ status, at: `${addDays(submittedOn, 1)}T10:00:00.000Z`, by: 'staff' as const }] : []),
    ],
  };
  return { ...visit, ...queryFields(visit), _id: reference, savedAt: new Date() };
}

async function seed(collection: string, count: number, make: (i: number) => Document): Promise<void> {
  for (let start = 0; start < count; start += 2000) {
    const batch = Array.from({ length: Math.min(2000, count - start) }, (_, i) => make(start + i));
    await db.collection(collection).insertMany(batch);
  }
}

/** The node types of a PostgreSQL plan, with the relation each reads. */
function planNodes(plan: { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: unknown[] }) {
  const nodes: { type: string; relation?: string; index?: string }[] = [];
  const walk = (node: typeof plan) => {
    nodes.push({ type: node['Node Type'], relation: node['Relation Name'], index: node['Index Name'] });
    for (const child of (node.Plans ?? []) as (typeof plan)[]) walk(child);
  };
  walk(plan);
  return nodes;
}

beforeAll(async () => {
  await ensureIndexes(db, { postgresqlUrl: inject('postgresqlUrl') });
  await seed('visits', VISITS, seededVisit);
  const day = (i: number) => addDays('2026-01-01', i % 365);
  await seed('outbox', VISITS, (i) => ({ _id: `V${String(i).padStart(7, '0')}.received`, reference: `V${i}` }));
  await seed('visitLinks', VISITS, (i) => ({
    _id: String(i).padStart(64, '0'),
    reference: `V${String(i).padStart(7, '0')}`,
    expiresAt: new Date(Date.parse('2026-01-08T10:00:00Z') + (i % 365) * 86_400_000),
  }));
  // Journeys of four steps each, the last one's sending, which carries the day its journey started.
  const steps = ['started', 'prison', 'prisoner', 'submitted'];
  await seed('journeyEvents', VISITS, (i) => ({
    _id: `j${Math.floor(i / 4)}:${steps[i % 4]}`,
    journey: `j${Math.floor(i / 4)}`,
    step: steps[i % 4],
    day: day(Math.floor(i / 4)),
    ...(steps[i % 4] === 'submitted' ? { startedOn: day(Math.floor(i / 4)) } : {}),
  }));
  await seed('feedback', 5000, (i) => ({ rating: 1 + (i % 5), comment: '', day: day(i) }));
  // The coming slots of 40 prisons: four a day for five weeks.
  await seed('slotPlaces', 5600, (i) => {
    const slot = `${addDays('2026-06-01', Math.floor(i / 160))}T${['09:00/10:00', '11:00/12:00', '14:00/16:00', '16:00/17:00'][i % 4]}`;
    const prisonId = `P${String(Math.floor(i / 4) % 40).padStart(2, '0')}`;
    return { _id: `${prisonId} ${slot}`, prisonId, slot, open: i % 5, closed: 0, version: 1 + (i % 7) };
  });
  // The dates and sessions staff blocked at 40 prisons: fifty each, some whole days and some one session.
  await seed('blockedDates', 2000, (i) => {
    const prisonId = `P${String(i % 40).padStart(2, '0')}`;
    const date = addDays('2026-06-01', Math.floor(i / 40));
    const session = i % 3 === 0 ? undefined : '14:00/16:00';
    return { _id: `${prisonId} ${date} ${session ?? 'day'}`, prisonId, date, ...(session ? { session } : {}) };
  });
  // Booker accounts, their sign-in links and sessions.
  await seed('bookers', 5000, (i) => ({ _id: `booker${i}@test.example`, bookerId: bookerIdOf(i) }));
  await seed('signInLinks', 5000, (i) => ({
    _id: String(i).padStart(64, 'f'),
    bookerId: bookerIdOf(i),
    expiresAt: new Date(Date.parse('2026-06-01T10:20:00Z') + i * 60_000),
  }));
  await seed('bookerSessions', 5000, (i) => ({ _id: `s${i}`, bookerId: bookerIdOf(i % 1000), createdAt: new Date() }));
  const at = (i: number) => new Date(Date.parse('2026-06-01T08:00:00Z') + i * 1000);
  // Visiting-order ledgers of 5,000 prisoners, four entries each, and their balances.
  await seed('visitingOrderEntries', VISITS, (i) => ({
    _id: `A${String(i % 5000).padStart(4, '0')}BC ${i}.used`,
    prisonerNumber: `A${String(i % 5000).padStart(4, '0')}BC`,
    at: at(i).toISOString(),
  }));
  await seed('visitingOrderBalances', 5000, (i) => ({
    _id: `A${String(i).padStart(4, '0')}BC`,
    balance: 1,
    version: 4,
  }));
  // Sessions and sign-in attempts of a busy service: a keyed hash each, by the hundred per account and per key.
  await seed('sessions', 5000, (i) => ({ _id: `s${i}`, email: `staff${i % 1000}@test.example`, createdAt: at(i) }));
  await seed('signInAttempts', 5000, (i) => ({ key: `k${i % 50}`, at: at(i), window: 1_965_000 + (i % 500) }));
  // What autovacuum would do by itself soon after: gather the statistics the planner chooses by.
  const client = new pg.Client({ connectionString: inject('postgresqlUrl') });
  await client.connect();
  await client.query(`ANALYZE`);
  await client.end();
}, 120_000);

afterAll(async () => {
  await db.dropDatabase();
  await mongo.close();
});

describe('the store’s indexes', () => {
  it('are declared for every query, each asked here', () => {
    expect(Object.keys(asked).sort()).toEqual(Object.keys(queries).sort());
  });

  it.each(Object.entries(queries))('serve %s without reading its collection whole', async (name, query) => {
    const filter = (query.filter as (...args: unknown[]) => Document)(...asked[name as QueryName]);
    for (const field of query.fields) expect(filter, `${name} filters on ${field}`).toHaveProperty(field);
    const explained = await db.command({ explain: { find: query.collection, filter }, verbosity: 'queryPlanner' });
    expect(explained.filterPushdown, `FerretDB pushes ${name}'s filter down to PostgreSQL`).toBe(true);
    const nodes = planNodes(explained.queryPlanner.Plan);
    if (small.has(query.collection)) return;
    expect(
      nodes.filter((node) => node.type === 'Seq Scan'),
      JSON.stringify(nodes),
    ).toEqual([]);
    expect(nodes.map((node) => node.index)).toContain(ginIndexName(query.collection, query.fields));
  });

  it('find what the filters ask for (the seeded queue of a prison)', async () => {
    const found = await visitsCollection(db).find(queries.queue.filter('P07')).toArray();
    const expected = Array.from({ length: VISITS }, (_, i) => seededVisit(i)).filter(
      (visit) => visit.prisonId === 'P07' && visit.status === 'requested',
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(found.map((visit) => visit._id).sort()).toEqual(expected.map((visit) => visit._id).sort());
  });
});

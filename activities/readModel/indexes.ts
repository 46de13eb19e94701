// The store's indexes, made from the queries that need them (`queries.ts`), and the read model brought up to date
// with the fields those queries filter on. Safe to run at every start, by any number of workers at once.
import type { Db } from 'mongodb';
import pg from 'pg';
import { londonClock } from '../../rules/londonTime';
import type { Visit } from '../../workflows/visit';
import { feedback } from './feedback';
import { bringJourneyEventsUpToDate, journeyEvents } from './journeys';
import { queries, type Query } from './queries';
import { queryFields, visitsCollection } from './visits';

/** The version of the read model's documents: the query fields they carry. */
const READ_MODEL_VERSION = 3;

export interface IndexOptions {
  /** Where the database is a FerretDB on PostgreSQL: that PostgreSQL database. */
  postgresqlUrl?: string;
  say?: (line: string) => void;
}

const allQueries: Query[] = Object.values(queries);

/** The distinct field lists the queries of each collection filter on, with their sorts. */
function indexesByCollection() {
  const found = new Map<string, Map<string, Query>>();
  for (const query of allQueries) {
    const byFields = found.get(query.collection) ?? new Map<string, Query>();
    byFields.set([...query.fields, ...Object.keys(query.sort ?? {})].join(','), query);
    found.set(query.collection, byFields);
  }
  return found;
}

/** Makes every index the queries need (and the collections they are on), then brings old documents up to date. */
export async function ensureIndexes(db: Db, { postgresqlUrl, say = () => undefined }: IndexOptions = {}) {
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const [collection, byFields] of indexesByCollection()) {
    if (!existing.has(collection)) await db.createCollection(collection).catch(ignoreExisting);
    for (const query of byFields.values()) {
      // On FerretDB these btree indexes serve no query (see below), so they are not made there.
      if (postgresqlUrl || query.fields.join() === '_id') continue;
      const keys = Object.fromEntries(query.fields.map((field) => [field, 1 as const]));
      await db.collection(collection).createIndex({ ...keys, ...query.sort });
    }
  }
  if (postgresqlUrl) await ensureGinIndexes(db, postgresqlUrl);
  await bringUpToDate(db, say);
  await bringJourneyEventsUpToDate(db);
}

const ignoreExisting = (error: { code?: number }) => {
  if (error.code !== 48) throw error; // NamespaceExists: made meanwhile by another process
};

/** The name of the GIN index on a collection's fields. */
export const ginIndexName = (collection: string, fields: string[]) =>
  `pvb_${collection}_${fields.join('_')}`.slice(0, 63);

/**
 * FerretDB over PostgreSQL turns an equality on a top-level field into `_jsonb->$1 @> $2`: only a GIN index on the
 * expression `_jsonb->'field'` serves it, and only when the statement is planned with the field's name, which the
 * database's `plan_cache_mode` makes so (set again here for a store `npm start` did not make).
 */
async function ensureGinIndexes(db: Db, url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const database = (await client.query<{ name: string }>('SELECT current_database() AS name')).rows[0].name;
    await client.query(`ALTER DATABASE ${pg.escapeIdentifier(database)} SET plan_cache_mode = force_custom_plan`);
    const schema = pg.escapeIdentifier(db.databaseName);
    for (const [collection, byFields] of indexesByCollection()) {
      const table = await client.query<{ table: string }>(
        `SELECT _jsonb->>'table' AS table FROM ${schema}._ferretdb_database_metadata WHERE _jsonb->>'_id' = $1`,
        [collection],
      );
      if (!table.rows[0]) throw new Error(`FerretDB has no table for ${db.databaseName}.${collection}`);
      const fieldLists = new Set([...byFields.values()].map((query) => query.fields.join(',')));
      for (const fields of fieldLists) {
        const name = ginIndexName(collection, fields.split(','));
        const columns = fields.split(',').map((field) => `(_jsonb->${pg.escapeLiteral(field)})`);
        await client.query(
          `CREATE INDEX IF NOT EXISTS ${pg.escapeIdentifier(name)} ON ${schema}.${pg.escapeIdentifier(table.rows[0].table)} ` +
            `USING gin (${columns.join(', ')})`,
        );
      }
    }
  } finally {
    await client.end();
  }
}

/** Adds the query fields to documents written before they existed: once, whoever starts first. */
async function bringUpToDate(db: Db, say: (line: string) => void): Promise<void> {
  const info = db.collection<{ _id: string; version: number }>('readModelInfo');
  const saved = await info.findOne(queries.readModelInfo.filter('documents'));
  if ((saved?.version ?? 0) >= READ_MODEL_VERSION) return;
  const visits = visitsCollection(db);
  if ((await visits.estimatedDocumentCount()) > 0) say('adding query fields to the visits saved before them...');
  let done = 0;
  for await (const visit of visits.find({})) {
    const fields = queryFields(visit as Visit, Boolean(visit.anonymisedAt));
    await visits.updateOne(queries.visitByReference.filter(visit._id), { $set: fields });
    if (++done % 10_000 === 0) say(`  ${done} visits`);
  }
  for (const events of [journeyEvents(db), feedback(db)] as const) {
    for await (const event of events.find({}, { projection: { at: 1 } })) {
      await events.updateOne({ _id: event._id }, { $set: { day: londonClock(event.at).date } });
    }
  }
  await info.replaceOne(queries.readModelInfo.filter('documents'), { version: READ_MODEL_VERSION }, { upsert: true });
}

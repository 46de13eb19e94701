// Moves the data of the store `npm start` used before PostgreSQL (FerretDB on SQLite files in DATA_DIR/ferretdb)
// into the running store, then sets the old folder aside, never deleting it.
import { existsSync, readdirSync, renameSync } from 'node:fs';
import { MongoClient, type Document } from 'mongodb';
import { freePort } from './childServer';
import { startFerretDb } from './embeddedServers';

const BATCH = 1000;

/** Whether `dir` holds a FerretDB SQLite store. */
export function isSqliteStore(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((file) => file.endsWith('.sqlite'));
}

/**
 * Copies every database and collection of the SQLite store in `dir` to the store at `targetUrl` (a MongoDB URL
 * without a database), checks the counts, and renames `dir` to `<dir>-sqlite-moved-<date>`. A copy cut short is
 * started again from the beginning next time: each collection is emptied before it is copied.
 */
export async function moveSqliteStore(
  dir: string,
  targetUrl: string,
  say: (line: string) => void,
): Promise<{ collections: number; documents: number; setAside: string }> {
  const port = await freePort();
  const old = await startFerretDb(port, { sqliteDir: dir });
  const source = new MongoClient(`mongodb://127.0.0.1:${port}`, { serverSelectionTimeoutMS: 10_000 });
  const target = new MongoClient(targetUrl, { serverSelectionTimeoutMS: 10_000 });
  let collections = 0;
  let documents = 0;
  try {
    const { databases } = await source.db('admin').admin().listDatabases();
    for (const { name } of databases) {
      for (const { name: collection } of await source.db(name).listCollections({}, { nameOnly: true }).toArray()) {
        const from = source.db(name).collection(collection);
        const to = target.db(name).collection(collection);
        await to.deleteMany({});
        let batch: Document[] = [];
        let copied = 0;
        for await (const document of from.find({}, { batchSize: BATCH })) {
          batch.push(document);
          if (batch.length === BATCH) {
            await to.insertMany(batch, { ordered: false });
            copied += batch.length;
            batch = [];
          }
        }
        if (batch.length > 0) await to.insertMany(batch, { ordered: false });
        copied += batch.length;
        const [expected, found] = [await from.countDocuments(), await to.countDocuments()];
        if (found !== expected) throw new Error(`${name}.${collection}: ${found} of ${expected} documents copied`);
        say(`  ${name}.${collection}: ${copied} documents`);
        collections += 1;
        documents += copied;
      }
    }
  } finally {
    await source.close();
    await target.close();
    await old.stop();
  }
  const setAside = `${dir}-sqlite-moved-${new Date().toISOString().slice(0, 10)}`;
  renameSync(dir, setAside);
  return { collections, documents, setAside };
}

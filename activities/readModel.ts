// The read model: one document per visit in MongoDB, written only by the workflow's activities.
import type { Db } from 'mongodb';
import type { Visit } from '../workflows/visit';

export type VisitDocument = Visit & { _id: string; savedAt: Date };

export function visitsCollection(db: Db) {
  return db.collection<VisitDocument>('visits');
}

/** Creates the indexes the queue and search need; safe to call at every start. */
export async function ensureIndexes(db: Db): Promise<void> {
  const visits = visitsCollection(db);
  await visits.createIndex({ prisonId: 1, status: 1, submittedAt: 1 });
  await visits.createIndex({ 'prisoner.number': 1 });
}

/**
 * Saves a copy of a visit unless the read model already holds this version or a later one, so that retries and
 * late, out-of-order saves never take the read model backwards.
 */
export async function saveVisit(db: Db, visit: Visit): Promise<void> {
  const visits = visitsCollection(db);
  const document: VisitDocument = { ...visit, _id: visit.reference, savedAt: new Date() };
  try {
    await visits.replaceOne({ _id: visit.reference, version: { $lt: visit.version } }, document, { upsert: true });
  } catch (error) {
    // An upsert that finds only a newer copy tries to insert and clashes on _id (code 11000 on MongoDB, 1 on
    // FerretDB): that is the expected outcome when the newer copy is already saved.
    const saved = await visits.findOne({ _id: visit.reference }, { projection: { version: 1 } });
    if (!saved || saved.version < visit.version) throw error;
  }
}

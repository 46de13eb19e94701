// The read model: one document per visit in MongoDB, written only by the workflow's activities.
import type { Db } from 'mongodb';
import type { Visit } from '../workflows/visit';

export type VisitDocument = Visit & { _id: string; savedAt: Date; anonymisedAt?: string };

export function visitsCollection(db: Db) {
  return db.collection<VisitDocument>('visits');
}

/** Creates the indexes the queue and search need; safe to call at every start. */
export async function ensureIndexes(db: Db): Promise<void> {
  const visits = visitsCollection(db);
  await visits.createIndex({ prisonId: 1, status: 1, submittedAt: 1 });
  await visits.createIndex({ 'prisoner.number': 1 });
  await visits.createIndex({ finishedAt: 1 });
  await db.collection('outbox').createIndex({ reference: 1 });
}

/**
 * Saves a copy of a visit unless the read model already holds this version or a later one, so that retries and
 * late, out-of-order saves never take the read model backwards.
 *
 * A visit's workflow runs its saves one at a time, so the only save that can overlap another is an attempt Temporal
 * has given up on and retried. An attempt writes only until `writeBy`, half its time (the activity passes it),
 * long before its successor can start, let alone a later save. That makes a read then a write by `_id` alone safe;
 * and `_id` alone is the one filter FerretDB hands to SQLite: with `{ _id, version: { $lt } }` it reads every visit
 * in Go for each save (docs/decisions/0009).
 */
export async function saveVisit(db: Db, visit: Visit, writeBy = Infinity): Promise<void> {
  const visits = visitsCollection(db);
  const document: VisitDocument = { ...visit, _id: visit.reference, savedAt: new Date() };
  for (let attempt = 1; ; attempt++) {
    const saved = await visits.findOne({ _id: visit.reference }, { projection: { version: 1 } });
    if (saved && saved.version >= visit.version) return;
    if (Date.now() > writeBy) throw new Error('this attempt is out of time: a retry saves the visit');
    try {
      if (saved) await visits.replaceOne({ _id: visit.reference }, document);
      else await visits.insertOne(document);
      return;
    } catch (error) {
      // Inserted meanwhile (a clash on _id: code 11000 on MongoDB, 1 on FerretDB): look again.
      if (saved || attempt >= 3) throw error;
    }
  }
}

/** How many other requested and booked visits a prisoner has, and how many were asked for in the 28 days before. */
export async function earlierVisits(
  db: Db,
  prisonerNumber: string,
  exceptReference: string,
  before: Date,
): Promise<{ requested: number; booked: number; inLast28Days: number }> {
  const since = new Date(before.getTime() - 28 * 86_400_000).toISOString();
  const others = await visitsCollection(db)
    .find(
      { 'prisoner.number': prisonerNumber, _id: { $ne: exceptReference } },
      { projection: { status: 1, submittedAt: 1 } },
    )
    .limit(1000)
    .toArray();
  return {
    requested: others.filter((visit) => visit.status === 'requested').length,
    booked: others.filter((visit) => visit.status === 'booked').length,
    inLast28Days: others.filter((visit) => visit.submittedAt >= since && visit.submittedAt < before.toISOString())
      .length,
  };
}

/** The e-mail addresses of the staff who work at a prison (not admins, who see every prison). */
export async function staffEmailsFor(db: Db, prisonId: string): Promise<string[]> {
  const staff = await db
    .collection<{ email: string; role: string; prisons: string[] }>('staff')
    .find({ role: 'staff', prisons: prisonId }, { projection: { email: 1 } })
    .toArray();
  return staff.map((account) => account.email);
}

const ANONYMISED = 'Anonymised';

/**
 * Removes the personal data of visits whose story ended before `before` (a visitor's cancellation only once staff
 * have confirmed it, as its workflow waits for that), and the e-mails sent about them. Returns how many.
 */
export async function anonymiseFinishedVisits(db: Db, before: Date): Promise<number> {
  const visits = visitsCollection(db);
  const finished = await visits
    .find({
      finishedAt: { $lt: before.toISOString() },
      anonymisedAt: { $exists: false },
      $or: [{ 'cancellation.by': { $ne: 'visitor' } }, { cancellationConfirmed: true }],
    })
    .limit(5000)
    .toArray();
  for (const visit of finished) {
    await visits.updateOne(
      { _id: visit._id },
      {
        $set: {
          prisoner: { firstName: ANONYMISED, lastName: ANONYMISED, dateOfBirth: '', number: '' },
          visitors: visit.visitors.map((visitor) => ({
            firstName: ANONYMISED,
            lastName: ANONYMISED,
            dateOfBirth: '',
            ...(visitor.outcome ? { outcome: visitor.outcome } : {}),
          })),
          contact: { email: '', phone: '' },
          messages: visit.messages.map((message) => ({ ...message, body: '' })),
          accessTokenHash: '',
          anonymisedAt: new Date().toISOString(),
        },
        $unset: { 'rejection.detail': '' },
      },
    );
  }
  if (finished.length > 0) {
    await db.collection('outbox').deleteMany({ reference: { $in: finished.map((visit) => visit.reference) } });
  }
  return finished.length;
}

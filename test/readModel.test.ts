// The read model takes a newer copy of a visit over an older one, never the other way round. (Saves of one visit
// never overlap: its workflow runs them one at a time, see test/workflow.test.ts.)
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { saveVisit, visitsCollection } from '../activities/readModel/visits';
import type { Visit } from '../workflows/visit';

const mongo = new MongoClient(inject('mongoUrl'));
const db = mongo.db(`test_read_model_${randomBytes(4).toString('hex')}`);
afterAll(async () => {
  await db.dropDatabase();
  await mongo.close();
});

const visit = (version: number, status: Visit['status']) =>
  ({
    reference: 'READMODL',
    prisonId: 'NGT',
    status,
    version,
    prisoner: { number: 'A1234BC' },
    submittedAt: '2026-12-01T10:00:00Z',
    timeline: [],
  }) as unknown as Visit;

describe('saving a visit to the read model', () => {
  it('keeps the newest version whatever order the saves arrive in, and a repeat changes nothing', async () => {
    await saveVisit(db, visit(2, 'booked'));
    await saveVisit(db, visit(1, 'requested'));
    await saveVisit(db, visit(2, 'booked'));
    expect(await visitsCollection(db).findOne({ _id: 'READMODL' })).toMatchObject({ version: 2, status: 'booked' });
    await saveVisit(db, visit(3, 'cancelled'));
    expect(await visitsCollection(db).findOne({ _id: 'READMODL' })).toMatchObject({ version: 3, status: 'cancelled' });
  });

  it('writes nothing from an attempt that is out of time, as its retry may already have saved a later version', async () => {
    await expect(saveVisit(db, visit(4, 'cancelled'), Date.now() - 1)).rejects.toThrow(/out of time/);
    expect(await visitsCollection(db).findOne({ _id: 'READMODL' })).toMatchObject({ version: 3 });
    await saveVisit(db, visit(4, 'cancelled'), Date.now() + 15_000);
    expect(await visitsCollection(db).findOne({ _id: 'READMODL' })).toMatchObject({ version: 4 });
  });
});

// What the staff's pages and API and the visitor's pages read of visits: each a query of `queries.ts`, one prison at
// a time, so that each reads only the few documents it shows.
import type { Db } from 'mongodb';
import { addDays } from '../../rules/londonTime';
import { queries } from './queries';
import { visitsCollection, type VisitDocument } from './visits';

/** The most of each list a queue shows. */
const QUEUE_LIMIT = 500;

export async function findVisit(db: Db, reference: string): Promise<VisitDocument | null> {
  return visitsCollection(db).findOne(queries.visitByReference.filter(reference.trim().toUpperCase()));
}

const oldestFirst = (a: VisitDocument, b: VisitDocument) => a.submittedAt.localeCompare(b.submittedAt);

/** Asks `read` of each prison, a few at a time. */
async function eachPrison<T>(prisonIds: string[], read: (prisonId: string) => Promise<T[]>): Promise<T[]> {
  const found: T[] = [];
  for (let i = 0; i < prisonIds.length; i += 8) {
    for (const part of await Promise.all(prisonIds.slice(i, i + 8).map(read))) found.push(...part);
  }
  return found;
}

/** The queue of one or more prisons: requests to decide and visitor cancellations to confirm, oldest first. */
export async function queueOf(db: Db, prisonIds: string[]) {
  const visits = visitsCollection(db);
  const [requested, cancellations] = await Promise.all([
    eachPrison(prisonIds, (prisonId) =>
      visits.find(queries.queue.filter(prisonId)).sort(queries.queue.sort).limit(QUEUE_LIMIT).toArray(),
    ),
    eachPrison(prisonIds, (prisonId) =>
      visits
        .find(queries.cancellationsToConfirm.filter(prisonId))
        .sort(queries.cancellationsToConfirm.sort)
        .limit(QUEUE_LIMIT)
        .toArray(),
    ),
  ]);
  return {
    requested: requested.sort(oldestFirst).slice(0, QUEUE_LIMIT),
    cancellations: cancellations.sort(oldestFirst).slice(0, QUEUE_LIMIT),
  };
}

/** How many requests a prison has to decide. */
export async function queueCount(db: Db, prisonId: string): Promise<number> {
  return visitsCollection(db).countDocuments(queries.queue.filter(prisonId));
}

/** A mark that changes whenever a prison's queue does: which visits are in it, and their versions. */
export async function queueSignature(db: Db, prisonId: string): Promise<string> {
  const visits = visitsCollection(db);
  const projection = { version: 1 };
  const [requested, cancellations] = await Promise.all([
    visits.find(queries.queue.filter(prisonId), { projection }).toArray(),
    visits.find(queries.cancellationsToConfirm.filter(prisonId), { projection }).toArray(),
  ]);
  return [...requested, ...cancellations]
    .map((visit) => `${visit._id}:${visit.version}`)
    .sort()
    .join(',');
}

/** A prisoner's visits at the prisons given (or at every prison), newest first. */
export async function visitsOfPrisoner(
  db: Db,
  prisonerNumber: string,
  prisonIds: string[] | 'all',
): Promise<VisitDocument[]> {
  const found = await visitsCollection(db)
    .find(queries.prisonerVisits.filter(prisonerNumber))
    .sort(queries.prisonerVisits.sort)
    .limit(1000)
    .toArray();
  return found.filter((visit) => prisonIds === 'all' || prisonIds.includes(visit.prisonId)).slice(0, 100);
}

/** The visits booked at a prison on a London date, in slot order. */
export async function bookedOn(db: Db, prisonId: string, date: string): Promise<VisitDocument[]> {
  return visitsCollection(db)
    .find(queries.bookedOnDay.filter(prisonId, date))
    .sort(queries.bookedOnDay.sort)
    .limit(1000)
    .toArray();
}

/** How many open and closed visits are booked into a slot. */
export async function bookedInSlot(db: Db, prisonId: string, slot: string): Promise<{ open: number; closed: number }> {
  const booked = await visitsCollection(db)
    .find(
      { ...queries.bookedOnDay.filter(prisonId, slot.slice(0, 10)), slotGranted: slot },
      { projection: { closed: 1 } },
    )
    .toArray();
  const closed = booked.filter((visit) => visit.closed === true).length;
  return { open: booked.length - closed, closed };
}

/** The requests decided at a prison in the `days` days up to `today`, most recently decided first. */
export async function decidedSince(db: Db, prisonId: string, today: string, days: number): Promise<VisitDocument[]> {
  const dates = Array.from({ length: days }, (_, i) => addDays(today, -i));
  const found = (
    await Promise.all(
      dates.map((date) => visitsCollection(db).find(queries.decidedOnDay.filter(prisonId, date)).toArray()),
    )
  ).flat();
  const decidedAt = (visit: VisitDocument) =>
    visit.timeline.find((entry) => entry.status === 'booked' || entry.status === 'rejected')?.at ?? '';
  return found.sort((a, b) => decidedAt(b).localeCompare(decidedAt(a)));
}

/** A booker's visits, newest first: the latest 200 ("Your visits"). */
export async function visitsOfBooker(db: Db, bookerId: string): Promise<VisitDocument[]> {
  return visitsCollection(db)
    .find(queries.visitsOfBooker.filter(bookerId))
    .sort(queries.visitsOfBooker.sort)
    .limit(200)
    .toArray();
}

/** A prisoner's open visits (requested, or booked and not over): those a change to their record reaches. */
export async function openVisitsOfPrisoner(db: Db, prisonerNumber: string): Promise<VisitDocument[]> {
  return visitsCollection(db).find(queries.openVisitsOfPrisoner.filter(prisonerNumber)).toArray();
}

/** A prison's visits flagged for review by changes to the prisoner's record, soonest first. */
export async function reviewListOf(db: Db, prisonId: string): Promise<VisitDocument[]> {
  return visitsCollection(db)
    .find(queries.reviewList.filter(prisonId))
    .sort(queries.reviewList.sort)
    .limit(QUEUE_LIMIT)
    .toArray();
}

/** How many of a prison's visits are flagged for review: the staff pages' navigation. */
export async function reviewCountOf(db: Db, prisonId: string): Promise<number> {
  return visitsCollection(db).countDocuments(queries.reviewList.filter(prisonId));
}

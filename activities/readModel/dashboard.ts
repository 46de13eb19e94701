// What the performance dashboard reads: the visits submitted, the journeys started and the ratings given on each day
// of a period, a day (and a prison) at a time, only the fields it counts, one document at a time.
import type { Db, Document } from 'mongodb';
import { feedback, journeyEvents } from './journeys';
import { queries } from './queries';
import { visitsCollection } from './visits';

/** Each visit submitted on `dates` at `prisonIds` (or every prison), with only the `projection`'s fields. */
export async function* visitsSubmittedOn<T extends Document>(
  db: Db,
  dates: string[],
  prisonIds: string[] | 'all',
  projection: Record<keyof T, 1>,
): AsyncGenerator<T> {
  for (const date of dates) {
    for (const prisonId of prisonIds === 'all' ? [undefined] : prisonIds) {
      yield* visitsCollection(db)
        .find(queries.submittedOnDay.filter(date, prisonId))
        .project<T>({ ...projection, _id: 0 });
    }
  }
}

/** The web journeys started on `dates`, and how many of those were sent. */
export async function journeysOn(db: Db, dates: string[]): Promise<{ started: number; submitted: number }> {
  const started = new Set<string>();
  const step = (date: string, name: string) =>
    journeyEvents(db).find(queries.journeyStepsOfDay.filter(date, name)).project<{ journey: string }>({ journey: 1 });
  for (const date of dates) for await (const { journey } of step(date, 'started')) started.add(journey);
  const sent = new Set<string>();
  for (const date of dates) {
    for await (const { journey } of step(date, 'submitted')) if (started.has(journey)) sent.add(journey);
  }
  return { started: started.size, submitted: sent.size };
}

/** Each rating given on `dates`. */
export async function* ratingsOn(db: Db, dates: string[]): AsyncGenerator<number> {
  for (const date of dates) {
    for await (const { rating } of feedback(db)
      .find(queries.feedbackOfDay.filter(date))
      .project<{ rating: number }>({ rating: 1 })) {
      yield rating;
    }
  }
}

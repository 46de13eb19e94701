// What the performance dashboard reads: the visits submitted, the journeys started and the ratings given on each day
// of a period, a day (and a prison) at a time, only the fields it counts, one document at a time.
import type { Db, Document } from 'mongodb';
import { feedback } from './feedback';
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

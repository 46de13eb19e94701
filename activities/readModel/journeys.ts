// What the web journey records for the performance dashboard: its steps and the visitors' feedback, nothing
// personal, each with its London date, which the dashboard's queries filter on.
import type { Db } from 'mongodb';
import { londonClock } from '../../rules/londonTime';

export interface JourneyEvent {
  journey: string;
  step: string;
  at: Date;
  day: string;
}

export interface Feedback {
  rating: number;
  comment: string;
  at: Date;
  day: string;
}

export const journeyEvents = (db: Db) => db.collection<JourneyEvent>('journeyEvents');
export const feedback = (db: Db) => db.collection<Feedback>('feedback');

/** Counts a step of the web journey, for the completion rate. */
export async function recordJourneyStep(db: Db, journey: string, step: string, at = new Date()): Promise<void> {
  await journeyEvents(db).insertOne({ journey, step, at, day: londonClock(at).date });
}

/** Keeps a visitor's rating of the service and their comment. */
export async function recordFeedback(db: Db, rating: number, comment: string, at = new Date()): Promise<void> {
  await feedback(db).insertOne({ rating, comment, at, day: londonClock(at).date });
}

// What the web journey records for the performance dashboard: the steps each journey reaches, nothing personal, each
// with its London date, which the dashboard's queries filter on. A journey's step is recorded once however often its
// page is sent, and a sent journey's `submitted` step carries the day it started, so the completion rate is counted a
// day at a time in the store. The steps and the visitors' feedback (./feedback) are kept KEPT_DAYS, then forgotten a
// day at a time, as journeys start.
import { MongoServerError, type Db } from 'mongodb';
import { addDays, londonClock } from '../../rules/londonTime';
import { feedback } from './feedback';
import { queries } from './queries';

export interface JourneyEvent {
  journey: string;
  step: string;
  at: Date;
  day: string;
  /** On a `submitted` step: the day its journey started, when that was recorded. */
  startedOn?: string;
}

/** Days the journey events and the feedback are kept: the dashboard's longest period (366 days) and a month more. */
export const KEPT_DAYS = 400;

/** The web journey's steps (ui/request/): a day's events are forgotten a step at a time, by the day-and-step index. */
export const JOURNEY_STEPS = ['started', 'prison', 'prisoner', 'visitors', 'slots', 'contact', 'submitted'];

export const journeyEvents = (db: Db) => db.collection<JourneyEvent>('journeyEvents');
/** Journey events as written now: each with the id `journey:step` (older ones have an ObjectId). */
const journeySteps = (db: Db) => db.collection<JourneyEvent & { _id: string }>('journeyEvents');
const readModelInfo = (db: Db) => db.collection<{ _id: string; through?: string }>('readModelInfo');

/** The `readModelInfo` document saying through which day journey events and feedback are forgotten. */
const FORGOTTEN = 'journeyEventsForgotten';

/** Counts a step of the web journey, for the completion rate: the first time only. */
export async function recordJourneyStep(db: Db, journey: string, step: string, at = new Date()): Promise<void> {
  if (!JOURNEY_STEPS.includes(step)) throw new Error(`${step} is not one of the JOURNEY_STEPS, which are forgotten`);
  const started =
    step === 'submitted'
      ? await journeyEvents(db).findOne(queries.journeyStep.filter(journey, 'started'), { projection: { day: 1 } })
      : null;
  // The step's own id makes it once, even when a button is pressed twice at once.
  await journeySteps(db)
    .insertOne({
      _id: `${journey}:${step}`,
      journey,
      step,
      at,
      day: londonClock(at).date,
      ...(started ? { startedOn: started.day } : {}),
    })
    .catch(ignoreDuplicate);
  if (step === 'started') forgetPastDaysToday(db);
}

const ignoreDuplicate = (error: unknown) => {
  if (!(error instanceof MongoServerError && error.code === 11000)) throw error;
};

/** The journeys started on a day, and how many sent that day had started on `startedFrom` or later. */
export async function journeysOfDay(
  db: Db,
  day: string,
  startedFrom: string,
): Promise<{ started: number; submitted: number }> {
  const [started, submitted] = await Promise.all([
    journeyEvents(db).countDocuments(queries.journeyStepsOfDay.filter(day, 'started')),
    journeyEvents(db).countDocuments(queries.journeysSentOfDay.filter(day, startedFrom)),
  ]);
  return { started, submitted };
}

/** Forgets the journey events and feedback of each day past keeping, from the day after the last forgotten. */
export async function forgetPastDays(db: Db, today: string): Promise<void> {
  const through = addDays(today, -KEPT_DAYS);
  const saved = await readModelInfo(db).findOne(queries.readModelInfo.filter(FORGOTTEN));
  for (let day = saved?.through ? addDays(saved.through, 1) : through; day <= through; day = addDays(day, 1)) {
    for (const step of JOURNEY_STEPS) await journeyEvents(db).deleteMany(queries.journeyStepsOfDay.filter(day, step));
    await feedback(db).deleteMany(queries.feedbackOfDay.filter(day));
  }
  await readModelInfo(db).updateOne(queries.readModelInfo.filter(FORGOTTEN), { $max: { through } }, { upsert: true });
}

const forgottenOn = new WeakMap<Db, string>();

/**
 * The first record of each day (in each process) forgets the day that has passed keeping, without holding up the
 * visitor who sent it; should that fail, the next day's forgets both.
 */
function forgetPastDaysToday(db: Db): void {
  const today = londonClock(new Date()).date;
  if (forgottenOn.get(db) === today) return;
  forgottenOn.set(db, today);
  forgetPastDays(db, today).catch(() => undefined);
}

/**
 * Brings journey events written before these rules up to date, once (from activities/readModel/indexes.ts): a sent
 * journey's `submitted` step is given the day it started, and the days already past keeping are forgotten.
 */
export async function bringJourneyEventsUpToDate(db: Db, today = londonClock(new Date()).date): Promise<void> {
  if (await readModelInfo(db).findOne(queries.readModelInfo.filter(FORGOTTEN))) return;
  for await (const sent of journeyEvents(db).find({ step: 'submitted', startedOn: { $exists: false } })) {
    const started = await journeyEvents(db).findOne(queries.journeyStep.filter(sent.journey, 'started'));
    if (started) await journeyEvents(db).updateOne({ _id: sent._id }, { $set: { startedOn: started.day } });
  }
  const through = addDays(today, -KEPT_DAYS);
  await journeyEvents(db).deleteMany({ day: { $lte: through } });
  await feedback(db).deleteMany({ day: { $lte: through } });
  await readModelInfo(db).updateOne(queries.readModelInfo.filter(FORGOTTEN), { $max: { through } }, { upsert: true });
}

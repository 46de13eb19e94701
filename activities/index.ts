// The activities of the visit-request workflow, built from the dependencies they need.
import type { Db } from 'mongodb';
import type { Visit } from '../workflows/visit';
import { saveVisit } from './readModel';

export function createActivities({ db }: { db: Db }) {
  return {
    /** Projects the visit into the read model; safe to retry. */
    async saveVisit(visit: Visit): Promise<void> {
      await saveVisit(db, visit);
    },
  };
}

// The activities of the visit-request workflow, built from the dependencies they need.
import type { Db } from 'mongodb';
import { evaluateEligibility, type Eligibility } from '../rules/eligibility';
import { londonClock } from '../rules/londonTime';
import type { RuleBook } from '../rules/ruleBook';
import type { Visit } from '../workflows/visit';
import type { PrisonerService } from './prisonerService';
import { earlierVisits, saveVisit } from './readModel';

export interface ActivityDeps {
  db: Db;
  rules: RuleBook;
  prisonerService: PrisonerService;
}

export function createActivities({ db, rules, prisonerService }: ActivityDeps) {
  return {
    /** Projects the visit into the read model; safe to retry. */
    async saveVisit(visit: Visit): Promise<void> {
      await saveVisit(db, visit);
    },

    /**
     * Judges a request by its prison's rule file in force now, the prisoner's record (when the service answers)
     * and the prisoner's earlier visits. Reads only, so safe to retry.
     */
    async checkEligibility(visit: Visit): Promise<Eligibility> {
      const prison = rules.get(visit.prisonId);
      if (!prison) throw new Error(`no rule file in force for prison ${visit.prisonId}`);
      const [check, earlier] = await Promise.all([
        prisonerService.find(visit.prisoner.number),
        earlierVisits(db, visit.prisoner.number, visit.reference, new Date(visit.submittedAt)),
      ]);
      const { eligibility } = await evaluateEligibility(prison, {
        today: londonClock(new Date(visit.submittedAt)).date,
        prisoner: visit.prisoner,
        visitorDatesOfBirth: visit.visitors.map((visitor) => visitor.dateOfBirth),
        slotOptions: visit.slotOptions,
        check,
        earlierVisits: earlier,
      });
      return eligibility;
    },
  };
}

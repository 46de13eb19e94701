// The performance figures a member of staff may read, for the JSON API and the dashboard's pages alike: the
// assisted-digital figures of the prisons they see, at the settings in force (rules/assisted-digital.yaml).
import { assistedFigures, type AssistedFigures } from '../activities/readModel/assistedFigures';
import { loadAssistedSettings } from '../rules/assistedDigital';
import { prisonsSeenBy } from './access';
import { ProblemError } from './problem';
import type { StaffUser } from './schemas';
import type { Services } from './services';

export async function assistedFiguresFor(
  { db, rules }: Pick<Services, 'db' | 'rules'>,
  user: StaffUser,
  from: string,
  to: string,
): Promise<AssistedFigures> {
  const ids = rules.list().map((prison) => prison.id);
  // Read at each ask, as the rule files are watched: an edit shows at once; `npm run rules -- check` finds mistakes.
  const loaded = loadAssistedSettings(rules.dir, ids);
  if (!loaded) throw new ProblemError(404, 'no_settings', 'There are no assisted-digital settings to compare with.');
  if (!loaded.ok) {
    throw new ProblemError(
      503,
      'settings_invalid',
      'The assisted-digital settings have mistakes: run the rules check.',
    );
  }
  const seen = prisonsSeenBy(user);
  const prisons = seen === 'all' ? { ids, every: true } : { ids: seen.filter((id) => ids.includes(id)), every: false };
  return assistedFigures(db, loaded.settings, prisons, from, to);
}

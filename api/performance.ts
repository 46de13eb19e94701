// The performance figures a member of staff may read, for the JSON API and the dashboard's pages alike: the
// assisted-digital figures of the prisons they see, at the settings in force (rules/assisted-digital.yaml).
import { assistedFigures, type AssistedFigures } from '../activities/readModel/assistedFigures';
import { prisonsSeenBy } from './access';
import { assistedSettingsNeeded } from './assistedSettings';
import type { StaffUser } from './schemas';
import type { Services } from './services';

export async function assistedFiguresFor(
  services: Pick<Services, 'db' | 'rules'>,
  user: StaffUser,
  from: string,
  to: string,
): Promise<AssistedFigures> {
  const settings = assistedSettingsNeeded(services);
  const ids = services.rules.list().map((prison) => prison.id);
  const seen = prisonsSeenBy(user);
  const prisons = seen === 'all' ? { ids, every: true } : { ids: seen.filter((id) => ids.includes(id)), every: false };
  return assistedFigures(services.db, settings, prisons, from, to);
}

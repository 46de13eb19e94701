// The assisted-digital settings in force (rules/assisted-digital.yaml), for the pages and figures that name or price
// the channels. Read at each ask, as the rule files are watched: an edit shows at once; `npm run rules -- check`
// finds mistakes.
import { loadAssistedSettings, type AssistedSettings } from '../rules/assistedDigital';
import { ProblemError } from './problem';
import type { Services } from './services';

function load({ rules }: Pick<Services, 'rules'>) {
  return loadAssistedSettings(
    rules.dir,
    rules.list().map((prison) => prison.id),
  );
}

/** The settings beside the service's rule files; undefined when there are none or they have mistakes. */
export function assistedSettingsOf(services: Pick<Services, 'rules'>): AssistedSettings | undefined {
  const loaded = load(services);
  return loaded?.ok ? loaded.settings : undefined;
}

/** The settings, for figures that cannot be worked out without them: a problem saying why when there are none. */
export function assistedSettingsNeeded(services: Pick<Services, 'rules'>): AssistedSettings {
  const loaded = load(services);
  if (!loaded) throw new ProblemError(404, 'no_settings', 'There are no assisted-digital settings to compare with.');
  if (!loaded.ok) {
    throw new ProblemError(
      503,
      'settings_invalid',
      'The assisted-digital settings have mistakes: run the rules check.',
    );
  }
  return loaded.settings;
}

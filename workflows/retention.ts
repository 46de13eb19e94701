// Run by a Temporal Schedule once a day: anonymises the personal data of visits finished long enough ago.
import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';

const { anonymiseFinishedVisits } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumInterval: '5 minutes' },
});

export async function retention(): Promise<number> {
  return anonymiseFinishedVisits();
}

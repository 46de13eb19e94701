// Run by a Temporal Schedule once a day: re-reads the prisoner records of open visits and tells each visit what
// changed (activities/prisonerChanges.ts), in case an event from the prisoner service was missed.
import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';

const { recheckPrisoners } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  // Given up after a few hours: tomorrow's run starts afresh (the Schedule skips a day whose run is still going).
  scheduleToCloseTimeout: '6 hours',
  retry: { maximumInterval: '10 minutes' },
});

export async function prisonerRecheck(): Promise<number> {
  return recheckPrisoners();
}

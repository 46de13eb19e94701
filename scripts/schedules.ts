// The Temporal Schedules of the service's daily work: retention, and the re-check of open visits' prisoner records.
// Each created once; later starts leave it be.
import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import type { Config } from '../config';
import { prisonerRecheck } from '../workflows/prisonerRecheck';
import { retention } from '../workflows/retention';

export const RETENTION_SCHEDULE_ID = 'visit-retention';
export const RECHECK_SCHEDULE_ID = 'prisoner-recheck';

/** Creates the service's Schedules where they are not yet. */
export async function ensureSchedules(
  client: Client,
  config: { temporal: Pick<Config['temporal'], 'taskQueue'> },
): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: RETENTION_SCHEDULE_ID,
      spec: { calendars: [{ hour: 3, minute: 15 }], timezone: 'Europe/London' },
      action: {
        type: 'startWorkflow',
        workflowType: retention,
        taskQueue: config.temporal.taskQueue,
      },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  try {
    await client.schedule.create({
      scheduleId: RECHECK_SCHEDULE_ID,
      spec: { calendars: [{ hour: 5, minute: 30 }], timezone: 'Europe/London' },
      action: { type: 'startWorkflow', workflowType: prisonerRecheck, taskQueue: config.temporal.taskQueue },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
}

// The Temporal Schedule that runs the retention workflow once a day. Created once; later starts leave it be.
import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import type { Config } from '../config';
import { retention } from '../workflows/retention';

export const RETENTION_SCHEDULE_ID = 'visit-retention';

export async function ensureRetentionSchedule(
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
}

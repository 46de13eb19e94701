// Between the benchmark's phases: wait until the visits' workflows are idle, so that a phase never shares the
// servers with the work the one before left behind (a request whose POST timed out is still worked through).
import type { Client } from '@temporalio/client';
import { round } from './figures';

export interface Settled {
  /** False when the deadline came first: the next phase shared the servers with this backlog. */
  idle: boolean;
  seconds: number;
  /** Workflows still running on the task queue (waiting for staff, most of them). */
  runningWorkflows: number;
  /** Of those, the ones with a workflow task or an activity outstanding when the wait ended. */
  busyWorkflows: number;
}

/** Whether a workflow has a workflow task (with its local activities) or an activity scheduled or under way. */
async function busy(client: Client, workflowId: string, runId: string): Promise<boolean> {
  const { status, raw } = await client.workflow.getHandle(workflowId, runId).describe();
  if (status.name !== 'RUNNING') return false;
  return Boolean(raw.pendingWorkflowTask) || (raw.pendingActivities?.length ?? 0) > 0;
}

/**
 * Waits, at most `timeoutSeconds`, until no running workflow on `taskQueue` has a workflow task or an activity
 * outstanding, as Temporal describes each (the dev server's visibility lists them, but keeps no count of pending
 * tasks; a task queue's backlog leaves out the tasks a worker holds, and the sticky queues' tasks). A workflow seen
 * idle is not asked about again until the last pass: nothing in the run wakes a visit that waits for staff (its
 * timers are days away). Idle means two passes a second apart that find nothing outstanding, the last one asking
 * about every running workflow again, as visibility lags the workflows it lists.
 */
export async function untilIdle(client: Client, taskQueue: string, timeoutSeconds: number): Promise<Settled> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const seenIdle = new Set<string>();
  let quietPasses = 0;
  for (;;) {
    const confirming = quietPasses === 1;
    const running: { workflowId: string; runId: string }[] = [];
    for await (const { workflowId, runId } of client.workflow.list({
      query: `TaskQueue="${taskQueue}" AND ExecutionStatus="Running"`,
    })) {
      running.push({ workflowId, runId });
    }
    const toAsk = confirming ? running : running.filter(({ runId }) => !seenIdle.has(runId));
    let busyNow = 0;
    for (let i = 0; i < toAsk.length; i += 8) {
      const part = toAsk.slice(i, i + 8);
      const answers = await Promise.all(part.map(({ workflowId, runId }) => busy(client, workflowId, runId)));
      answers.forEach((isBusy, j) => (isBusy ? busyNow++ : seenIdle.add(part[j].runId)));
    }
    quietPasses = busyNow === 0 ? quietPasses + 1 : 0;
    process.stdout.write(`\r  settling: ${running.length} workflows running, ${busyNow} with work outstanding   `);
    const timedOut = seconds() > timeoutSeconds;
    if (quietPasses === 2 || timedOut) {
      process.stdout.write('\n');
      return {
        idle: quietPasses === 2,
        seconds: round(seconds()),
        runningWorkflows: running.length,
        busyWorkflows: busyNow,
      };
    }
    await new Promise((wait) => setTimeout(wait, 1000));
  }
}

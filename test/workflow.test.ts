// The visit-request workflow on Temporal's time-skipping test server: waits that last days pass in moments.
// With SAVE_HISTORIES=1 each story's history is written to test/histories/, which test/replay.test.ts replays.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { WorkflowUpdateStage } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../activities';
import { visitsCollection } from '../activities/readModel';
import { submission } from '../api/schemas';
import { londonClock } from '../rules/londonTime';
import { cancelByVisitor, decide } from '../workflows/messages';
import type { VisitRequestInput } from '../workflows/visit';
import { visitRequest } from '../workflows/visitRequest';
import { createPrisonerService } from '../activities/prisonerService';
import { installRuntime, rules, saveHistory, visitRequestBody } from './harness';

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const mongo = new MongoClient(inject('mongoUrl'));
const db = mongo.db(`test_workflow_${randomBytes(4).toString('hex')}`);
const taskQueue = 'workflow-test';

beforeAll(async () => {
  installRuntime();
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('timeSkippingServerPath') } },
  });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { code: readFileSync(inject('workflowBundlePath'), 'utf8') },
    activities: createActivities({ db, rules, prisonerService: createPrisonerService({ timeoutMs: 1000 }) }),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await db.dropDatabase();
  await mongo.close();
});

/** A request for slots 10 and 11 days after the test server's clock, which earlier tests have moved on. */
async function input(): Promise<VisitRequestInput> {
  const reference = randomBytes(4).toString('hex').toUpperCase();
  const now = await env.currentTimeMs();
  const slotOptions = [10, 11].map((days) => `${londonClock(new Date(now + days * 86_400_000)).date}T14:00/16:00`);
  return {
    reference,
    submission: submission.parse(visitRequestBody({ slotOptions })),
    confirmBy: '2099-01-01',
    submittedAt: new Date().toISOString(),
    accessToken: 'token',
    accessTokenHash: 'hash',
    requestHash: 'request-hash',
  };
}

async function start() {
  const visit = await input();
  const handle = await env.client.workflow.start(visitRequest, {
    workflowId: `visit-${visit.reference}`,
    taskQueue,
    args: [visit],
  });
  return { visit, handle };
}

const staff = { email: 'staff@test.example' };

/** Waits until the read model shows the eligibility check done. */
async function eligibilityChecked(reference: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await visitsCollection(db).findOne({ _id: reference }))?.eligibility) return;
    await new Promise((wait) => setTimeout(wait, 50));
  }
  throw new Error('eligibility was not checked within 5 s');
}

describe('the visit-request workflow', () => {
  it('ends a booked visit’s story once the visit is over, days later', async () => {
    const { visit, handle } = await start();
    const [slot] = visit.submission.slotOptions;
    const version = await handle.executeUpdate(decide, {
      args: [{ decision: { outcome: 'accept', slot, referenceNo: 'R1', closed: false, visitors: [] }, staff }],
    });
    expect(await handle.result()).toBe('booked');
    const saved = await visitsCollection(db).findOne({ _id: visit.reference });
    expect(saved).toMatchObject({ status: 'booked', slotGranted: slot });
    expect(saved?.version).toBeGreaterThanOrEqual(version);
    await saveHistory(env.client, handle.workflowId, 'booked');
  });

  it('ends when staff reject', async () => {
    const { visit, handle } = await start();
    await handle.executeUpdate(decide, {
      args: [{ decision: { outcome: 'reject', reasons: ['prisoner_moved'] }, staff }],
    });
    expect(await handle.result()).toBe('rejected');
    expect(await visitsCollection(db).findOne({ _id: visit.reference })).toMatchObject({
      status: 'rejected',
      rejection: { reasons: ['prisoner_moved'], auto: false },
    });
    await saveHistory(env.client, handle.workflowId, 'rejected');
  });

  it('ends when the visitor withdraws, and a second withdrawal changes nothing', async () => {
    const { handle } = await start();
    expect(await handle.executeUpdate(cancelByVisitor)).toBe(true);
    expect(await handle.result()).toBe('withdrawn');
    await saveHistory(env.client, handle.workflowId, 'withdrawn');
  });

  it('ends when the visitor cancels a booked visit before it starts', async () => {
    const { visit, handle } = await start();
    const [slot] = visit.submission.slotOptions;
    await handle.executeUpdate(decide, {
      args: [{ decision: { outcome: 'accept', slot, referenceNo: 'R2', closed: false, visitors: [] }, staff }],
    });
    expect(await handle.executeUpdate(cancelByVisitor)).toBe(true);
    expect(await handle.result()).toBe('cancelled');
    expect(await visitsCollection(db).findOne({ _id: visit.reference })).toMatchObject({
      status: 'cancelled',
      cancellation: { by: 'visitor', reasons: ['visitor_cancelled'] },
    });
    await saveHistory(env.client, handle.workflowId, 'cancelled-by-visitor');
  });

  it('saves one copy at a time, ending with the newest, when commands arrive together', async () => {
    const { visit, handle } = await start();
    const [slot] = visit.submission.slotOptions;
    await eligibilityChecked(visit.reference);
    const accepting = await handle.startUpdate(decide, {
      args: [{ decision: { outcome: 'accept', slot, referenceNo: 'R4', closed: false, visitors: [] }, staff }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    await handle.executeUpdate(cancelByVisitor);
    await accepting.result();
    await handle.result();
    const saved = await visitsCollection(db).findOne({ _id: visit.reference });
    expect(saved?.status).toBe('cancelled');
    expect(saved?.timeline.map((entry) => entry.status)).toEqual(['requested', 'booked', 'cancelled']);

    const saves = new Set<string>();
    for (const event of (await handle.fetchHistory()).events ?? []) {
      if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'saveVisit')
        saves.add(String(event.eventId));
      saves.delete(String(event.activityTaskCompletedEventAttributes?.scheduledEventId));
      expect(saves.size).toBeLessThanOrEqual(1);
    }
  });

  it('refuses a decision in the wrong state before it enters history', async () => {
    const { visit, handle } = await start();
    await handle.executeUpdate(decide, {
      args: [{ decision: { outcome: 'reject', reasons: ['other'], detail: 'x' }, staff }],
    });
    const [slot] = visit.submission.slotOptions;
    await expect(
      handle.executeUpdate(decide, {
        args: [{ decision: { outcome: 'accept', slot, referenceNo: 'R3', closed: false, visitors: [] }, staff }],
      }),
    ).rejects.toThrow();
    await handle.result();
    const history = await handle.fetchHistory();
    const accepted = history.events?.filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
    expect(accepted).toHaveLength(1);
  });
});

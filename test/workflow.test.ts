// The visit-request workflow on Temporal's time-skipping test server: waits that last days pass in moments.
// With SAVE_HISTORIES=1 each path's history is written to test/histories/, which test/replay.test.ts replays.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { WithStartWorkflowOperation, WorkflowUpdateStage, type WorkflowHandle } from '@temporalio/client';
import { MockActivityEnvironment, TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../activities';
import { createSmtpProvider } from '../activities/emails/providers';
import { createPrisonerService } from '../activities/prisonerService';
import { outbox } from '../activities/emails/outbox';
import { queryFields, visitsCollection } from '../activities/readModel/visits';
import { sha256 } from '../workflows/client';
import { saveStaffAccount } from '../api/staffAccounts';
import { refusals } from '../rules/refusals';
import { submission } from '../rules/shapes';
import { formatSlot } from '../rules/dateWords';
import { londonClock, slotTimes } from '../rules/londonTime';
import {
  cancelByStaff,
  cancelByVisitor,
  changeVisit,
  confirmCancellation,
  decide,
  sendMessage,
} from '../workflows/messages';
import { newVisit, type StaffDecision, type VisitRequestInput } from '../workflows/visit';
import { retention } from '../workflows/retention';
import { signInLink, signInWorkflowId } from '../workflows/signInLink';
import { bookerFor } from '../activities/readModel/bookers';
import { placesHeld, release, reserve, slotCapacity, slotWorkflowId } from '../workflows/slotCapacity';
import { holdsClient } from '../workflows/holdsClient';
import { holdReference, holdWorkflowId } from '../workflows/placeHold';
import { slotPlaces } from '../activities/readModel/slotPlaces';
import { visitRequest } from '../workflows/visitRequest';
import {
  fakePrisonerService,
  listenForPrisonerService,
  PRISONER_SERVICE_URL,
  samplePrisoner,
} from './fakePrisonerService';
import {
  eventually,
  HISTORY_SET,
  installRuntime,
  rules,
  saveHistory,
  testApp,
  testDataConverter,
  visitRequestBody,
} from './harness';
import { startSmtpSink, type SmtpSink } from './smtpSink';
import { decodeHistory } from '../scripts/payloadCodec';

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let mail: SmtpSink;
const mongo = new MongoClient(inject('mongoUrl'));
const db = mongo.db(`test_workflow_${randomBytes(4).toString('hex')}`);
const taskQueue = 'workflow-test';
const DAY = 86_400_000;

beforeAll(async () => {
  installRuntime();
  listenForPrisonerService();
  mail = await startSmtpSink();
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('timeSkippingServerPath') } },
    client: { dataConverter: testDataConverter },
  });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { code: readFileSync(inject('workflowBundlePath'), 'utf8') },
    dataConverter: testDataConverter,
    activities: createActivities({
      db,
      rules,
      prisonerService: createPrisonerService({ baseUrl: PRISONER_SERVICE_URL, timeoutMs: 1000 }),
      temporal: env.client,
      taskQueue,
      mail: createSmtpProvider(mail.url, 'visits@visits.test'),
      publicUrl: 'http://visits.test',
      retentionDays: 183,
    }),
  });
  running = worker.run();
  await saveStaffAccount(db, {
    email: 'team@northgate.test',
    role: 'staff',
    prisons: ['NGT'],
    password: 'x'.repeat(12),
  });
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await mail?.close();
  await db.dropDatabase();
  await mongo.close();
});

/** A request for slots `days` after the test server's clock (which earlier tests have moved on). */
async function input(days = [10, 11], prisonerNumber = samplePrisoner.number): Promise<VisitRequestInput> {
  const reference = randomBytes(4).toString('hex').toUpperCase();
  const now = await env.currentTimeMs();
  const slotOptions = days.map((d) => `${londonClock(new Date(now + d * DAY)).date}T14:00/16:00`);
  const body = visitRequestBody({ slotOptions });
  return {
    reference,
    submission: submission.parse({ ...body, prisoner: { ...body.prisoner, number: prisonerNumber } }),
    confirmBy: londonClock(new Date(now + 3 * DAY)).date,
    submittedAt: new Date(now).toISOString(),
    accessToken: 'token',
    accessTokenHash: 'hash',
    requestHash: 'request-hash',
    deadlines: {
      staffReminderAt: new Date(now + 2 * DAY).toISOString(),
      overdueAt: new Date(now + 4 * DAY).toISOString(),
    },
    visitorReminderDays: 2,
  };
}

async function start(visit?: VisitRequestInput) {
  const request = visit ?? (await input());
  const handle = await env.client.workflow.start(visitRequest, {
    workflowId: `visit-${request.reference}`,
    taskQueue,
    args: [request],
  });
  return { visit: request, handle };
}

const saved = (reference: string) => visitsCollection(db).findOne({ _id: reference });
const mailsAbout = (reference: string, subject: RegExp) =>
  mail.messages
    .filter((m) => m.text?.includes(reference) || m.subject?.includes(reference))
    .filter((m) => subject.test(m.subject ?? ''));

const staff = { email: 'staff@test.example' };
const accept = (slot: string): StaffDecision => ({
  decision: { outcome: 'accept', slot, referenceNo: 'R1', closed: false, visitors: [] },
  staff,
});

/**
 * Waits until the worker has done all that a workflow has been handed up to the test server's present time: no
 * workflow task and no activity left open in its history. The server's clock stands still meanwhile (only `sleep`
 * and waiting for a result move it on), so what is not done then is not due yet.
 */
async function caughtUp(handle: WorkflowHandle): Promise<void> {
  await eventually(async () => {
    const open = new Set<string>();
    for (const event of (await handle.fetchHistory()).events ?? []) {
      if (event.workflowTaskScheduledEventAttributes || event.activityTaskScheduledEventAttributes) {
        open.add(String(event.eventId));
      }
      const done =
        event.workflowTaskCompletedEventAttributes ??
        event.workflowTaskFailedEventAttributes ??
        event.workflowTaskTimedOutEventAttributes ??
        event.activityTaskCompletedEventAttributes ??
        event.activityTaskFailedEventAttributes ??
        event.activityTaskTimedOutEventAttributes ??
        event.activityTaskCanceledEventAttributes;
      if (done?.scheduledEventId) open.delete(String(done.scheduledEventId));
    }
    return open.size === 0 ? true : undefined;
  }, 30_000);
}

async function book(handle: WorkflowHandle<typeof visitRequest>, slot: string) {
  return handle.executeUpdate(decide, { args: [accept(slot)] });
}

describe('a booked visit', () => {
  it('reminds the visitor 2 days before, once, and ends when the visit is over', async () => {
    const { visit, handle } = await start();
    const [slot] = visit.submission.slotOptions;
    const slotStart = Date.parse(`${slot.slice(0, 10)}T14:00:00Z`); // winter: London is UTC
    await book(handle, slot);
    await eventually(async () => (mailsAbout(visit.reference, /^Visit booked/).length ? true : undefined));

    await env.sleep(slotStart - 2 * DAY - 3_600_000 - (await env.currentTimeMs()));
    await caughtUp(handle); // so that a reminder due before now would have been sent by now
    expect(mailsAbout(visit.reference, /^Reminder/)).toHaveLength(0);
    await env.sleep(2 * 3_600_000);
    const [reminder] = await eventually(async () => {
      const found = mailsAbout(visit.reference, /^Reminder/);
      return found.length ? found : undefined;
    });
    expect(reminder.subject).toMatch(/HMP Northgate/);

    expect(await handle.result()).toBe('booked');
    expect(await saved(visit.reference)).toMatchObject({ status: 'booked', completedAt: expect.any(String) });
    expect(mailsAbout(visit.reference, /^Reminder/)).toHaveLength(1);
    await saveHistory(env.client, handle.workflowId, 'booked');
  });

  it('sends no reminder once the visitor has cancelled, and ends when staff confirm the cancellation', async () => {
    const { visit, handle } = await start();
    await book(handle, visit.submission.slotOptions[0]);
    expect(await handle.executeUpdate(cancelByVisitor)).toBe(true);
    await env.sleep(12 * DAY);
    expect((await saved(visit.reference))?.status).toBe('cancelled');
    await handle.executeUpdate(confirmCancellation, { args: [{ staff }] });
    expect(await handle.result()).toBe('cancelled');
    expect(await saved(visit.reference)).toMatchObject({
      cancellation: { by: 'visitor', reasons: ['visitor_cancelled'] },
      cancellationConfirmed: true,
    });
    expect(mailsAbout(visit.reference, /^Reminder/)).toHaveLength(0);
    await saveHistory(env.client, handle.workflowId, 'cancelled-by-visitor');
  });

  it('can be cancelled by staff with reasons, and the visitor is told them', async () => {
    const { visit, handle } = await start();
    await book(handle, visit.submission.slotOptions[0]);
    await handle.executeUpdate(cancelByStaff, { args: [{ reasons: ['prisoner_moved'], staff }] });
    expect(await handle.result()).toBe('cancelled');
    const [cancelled] = await eventually(async () => {
      const found = mailsAbout(visit.reference, /^Visit cancelled/);
      return found.length ? found : undefined;
    });
    expect(cancelled.text).toContain('the prisoner has moved to another prison');
    expect(mailsAbout(visit.reference, /^Reminder/)).toHaveLength(0);
    await saveHistory(env.client, handle.workflowId, 'cancelled-by-staff');
  });
});

describe('a booked visit moved to another time', () => {
  it('reminds the visitor before the new time, not the old, and ends when the visit at the new time is over', async () => {
    const { visit, handle } = await start();
    const [slot] = visit.submission.slotOptions;
    const later = `${londonClock(new Date((await env.currentTimeMs()) + 20 * DAY)).date}T10:00/11:00`;
    await book(handle, slot);
    await handle.executeUpdate(changeVisit, { args: [{ slot: later, staff }] });
    const [changed] = await eventually(async () => {
      const found = mailsAbout(visit.reference, /^Visit time changed/);
      return found.length ? found : undefined;
    });
    expect(changed.text).toContain(formatSlot(later, 'en'));

    // Past the old time's reminder, and the old time itself: no reminder, and the story goes on.
    await env.sleep(slotTimes(slot).end.getTime() + DAY - (await env.currentTimeMs()));
    await caughtUp(handle);
    expect(mailsAbout(visit.reference, /^Reminder/)).toHaveLength(0);
    expect((await saved(visit.reference))?.completedAt).toBeUndefined();

    // Two days before the new time, the reminder, naming it.
    const remindAt = slotTimes(later).start.getTime() - 2 * DAY;
    await env.sleep(remindAt - 3_600_000 - (await env.currentTimeMs()));
    await caughtUp(handle);
    expect(mailsAbout(visit.reference, /^Reminder/)).toHaveLength(0);
    await env.sleep(2 * 3_600_000);
    const [reminder] = await eventually(async () => {
      const found = mailsAbout(visit.reference, /^Reminder/);
      return found.length ? found : undefined;
    });
    expect(reminder.text).toContain(formatSlot(later, 'en'));

    expect(await handle.result()).toBe('booked');
    const done = await saved(visit.reference);
    expect(done).toMatchObject({
      status: 'booked',
      slotGranted: later,
      changes: [{ slot: { from: slot, to: later } }],
    });
    expect(Date.parse(done?.completedAt ?? '')).toBeGreaterThanOrEqual(slotTimes(later).end.getTime());
    expect(mailsAbout(visit.reference, /^Reminder/)).toHaveLength(1);
    expect(mailsAbout(visit.reference, /^Visit time changed/)).toHaveLength(1);
    await saveHistory(env.client, handle.workflowId, 'time-changed');
  });
});

describe('a request nobody decides', () => {
  it('reminds staff before its confirm-by date, becomes overdue after it, and expires when its last slot starts', async () => {
    const { visit, handle } = await start();
    const lastStart = Date.parse(`${visit.submission.slotOptions[1].slice(0, 10)}T14:00:00Z`);
    await env.sleep(Date.parse(visit.deadlines.staffReminderAt) + 60_000 - (await env.currentTimeMs()));
    const [reminder] = await eventually(async () => {
      const found = mail.messages.filter((m) => m.subject?.includes(`visit request ${visit.reference}`));
      return found.length ? found : undefined;
    });
    expect(reminder.to).toMatchObject({ text: 'team@northgate.test' });
    expect((await saved(visit.reference))?.overdue).toBeUndefined();

    await env.sleep(Date.parse(visit.deadlines.overdueAt) + 60_000 - (await env.currentTimeMs()));
    await eventually(async () => ((await saved(visit.reference))?.overdue ? true : undefined));

    expect(await handle.result()).toBe('rejected');
    const rejected = await saved(visit.reference);
    expect(rejected?.rejection).toEqual({ reasons: ['request_expired'], auto: true });
    expect(rejected?.timeline.at(-1)).toMatchObject({ status: 'rejected', by: 'system' });
    expect(Date.parse(rejected?.timeline.at(-1)?.at ?? '')).toBeGreaterThanOrEqual(lastStart);
    await eventually(async () => (mailsAbout(visit.reference, /^Visit not booked/).length ? true : undefined));
    await saveHistory(env.client, handle.workflowId, 'expired');
  });
});

describe('deadlines already past', () => {
  it('still make a request overdue at once, and a decision for a slot that has started is refused', async () => {
    const request = await input([1, 10]);
    const past = new Date((await env.currentTimeMs()) - DAY).toISOString();
    const { visit, handle } = await start({ ...request, deadlines: { staffReminderAt: past, overdueAt: past } });
    await eventually(async () => ((await saved(visit.reference))?.overdue ? true : undefined));
    await env.sleep(
      Date.parse(`${visit.submission.slotOptions[0].slice(0, 10)}T14:30:00Z`) - (await env.currentTimeMs()),
    );
    await expect(
      handle.executeUpdate(decide, { args: [accept(visit.submission.slotOptions[0])] }),
    ).rejects.toMatchObject({
      cause: { type: 'slot_started' },
    });
    await handle.executeUpdate(decide, { args: [accept(visit.submission.slotOptions[1])] });
    expect((await saved(visit.reference))?.status).toBe('booked');
    expect(mail.messages.filter((m) => m.subject?.includes(`visit request ${visit.reference}`))).toHaveLength(0);
  });
});

describe('the ends of a request', () => {
  it('ends when staff reject', async () => {
    const { visit, handle } = await start();
    await handle.executeUpdate(decide, {
      args: [{ decision: { outcome: 'reject', reasons: ['prisoner_moved'] }, staff }],
    });
    expect(await handle.result()).toBe('rejected');
    expect(await saved(visit.reference)).toMatchObject({
      status: 'rejected',
      rejection: { reasons: ['prisoner_moved'], auto: false },
    });
    await saveHistory(env.client, handle.workflowId, 'rejected');
  });

  it('ends at once when an eligibility rule rejects it', async () => {
    fakePrisonerService.records.set('D4444EF', { ...samplePrisoner, number: 'D4444EF', visitBalance: 0 });
    const { visit, handle } = await start(await input([10, 11], 'D4444EF'));
    expect(await handle.result()).toBe('rejected');
    expect((await saved(visit.reference))?.rejection).toMatchObject({ reasons: ['no_allowance'], auto: true });
    await saveHistory(env.client, handle.workflowId, 'auto-rejected');
  });

  it('ends when the visitor withdraws', async () => {
    const { handle } = await start();
    expect(await handle.executeUpdate(cancelByVisitor)).toBe(true);
    expect(await handle.result()).toBe('withdrawn');
    await saveHistory(env.client, handle.workflowId, 'withdrawn');
  });
});

describe('a request at a prison that books at once', () => {
  // A prisoner of its own: no earlier visit of the other tests' for the rules to weigh.
  fakePrisonerService.records.set('I7777AB', { ...samplePrisoner, number: 'I7777AB' });
  const instantly = async (prisonerNumber = 'I7777AB') => {
    const request = await input([10], prisonerNumber);
    return start({ ...request, instant: {} });
  };

  it('is booked as soon as its checks pass, and the visitor is told once that it is booked', async () => {
    const { visit, handle } = await instantly();
    await caughtUp(handle);
    expect(await saved(visit.reference)).toMatchObject({
      status: 'booked',
      slotGranted: visit.submission.slotOptions[0],
      closed: false,
      timeline: [
        { status: 'requested', by: 'visitor' },
        { status: 'booked', by: 'system' },
      ],
    });
    await eventually(async () => (mailsAbout(visit.reference, /^Visit booked/).length ? true : undefined));
    expect(mailsAbout(visit.reference, /^Visit booked/)).toHaveLength(1);
    expect(mailsAbout(visit.reference, /received/i)).toHaveLength(0);
    // No prison's booking reference yet: the visit's own is the one to quote.
    expect(mailsAbout(visit.reference, /^Visit booked/)[0].text).toContain(`Booking reference: ${visit.reference}`);
    // Staff cannot decide it again.
    await expect(book(handle, visit.submission.slotOptions[0])).rejects.toMatchObject({
      cause: { type: refusals.alreadyProcessed },
    });
    await env.sleep(12 * DAY);
    expect(await handle.result()).toBe('booked');
    expect(mailsAbout(visit.reference, /^Visit booked/)).toHaveLength(1);
    await saveHistory(env.client, handle.workflowId, 'booked-instantly');
  });

  it('is left with staff, and the visitor told it is received, when the prisoner’s record cannot be read', async () => {
    fakePrisonerService.state = 'down';
    try {
      const { visit, handle } = await instantly();
      await caughtUp(handle);
      expect(await saved(visit.reference)).toMatchObject({
        status: 'requested',
        eligibility: { prisonerCheck: 'unavailable' },
      });
      await eventually(async () => (mailsAbout(visit.reference, /received/i).length ? true : undefined));
      expect(mailsAbout(visit.reference, /^Visit booked/)).toHaveLength(0);
      // Staff decide it as any other request.
      await book(handle, visit.submission.slotOptions[0]);
      expect((await saved(visit.reference))?.status).toBe('booked');
    } finally {
      fakePrisonerService.state = 'up';
    }
  });

  it('is rejected at once, as any other, when a rule rejects it', async () => {
    fakePrisonerService.records.set('E5555FG', { ...samplePrisoner, number: 'E5555FG', visitBalance: 0 });
    const { visit, handle } = await instantly('E5555FG');
    expect(await handle.result()).toBe('rejected');
    expect(mailsAbout(visit.reference, /^Visit booked/)).toHaveLength(0);
  });
});

describe('commands', () => {
  it('save one copy at a time, ending with the newest, when they arrive together', async () => {
    const { visit, handle } = await start();
    await book(handle, visit.submission.slotOptions[0]);
    const messaging = await handle.startUpdate(sendMessage, {
      args: [{ body: 'Please bring the visiting order.', staff }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    await handle.executeUpdate(cancelByStaff, { args: [{ reasons: ['booked_in_error'], staff }] });
    await messaging.result();
    await handle.result();
    const final = await saved(visit.reference);
    expect(final?.timeline.map((entry) => entry.status)).toEqual(['requested', 'booked', 'cancelled']);
    expect(final?.messages).toEqual([expect.objectContaining({ body: 'Please bring the visiting order.' })]);

    const saves = new Set<string>();
    for (const event of (await handle.fetchHistory()).events ?? []) {
      if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'saveVisit')
        saves.add(String(event.eventId));
      saves.delete(String(event.activityTaskCompletedEventAttributes?.scheduledEventId));
      expect(saves.size).toBeLessThanOrEqual(1);
    }
  });

  it('are refused in the wrong state before they enter history', async () => {
    const { visit, handle } = await start();
    await handle.executeUpdate(decide, {
      args: [{ decision: { outcome: 'reject', reasons: ['other'], detail: 'x' }, staff }],
    });
    await expect(handle.executeUpdate(decide, { args: [accept(visit.submission.slotOptions[0])] })).rejects.toThrow();
    await handle.result();
    const history = await handle.fetchHistory();
    const accepted = history.events?.filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
    expect(accepted).toHaveLength(1);
  });
});

describe('through HTTP', () => {
  it('a visitor cannot cancel once the slot has started', async () => {
    const token = 'visitor-token';
    const request = { ...(await input([5, 6])), accessToken: token, accessTokenHash: sha256(token) };
    const { handle } = await start(request);
    const [slot] = request.submission.slotOptions;
    await book(handle, slot);
    const app = testApp({ db, temporal: env.client, taskQueue });
    await env.sleep(Date.parse(`${slot.slice(0, 10)}T14:30:00Z`) - (await env.currentTimeMs()));
    const response = await app.request(`/api/visits/${request.reference}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: 'not_cancellable' });
    expect((await saved(request.reference))?.status).toBe('booked');
  });
});

describe('a slot’s places', () => {
  it('are held one visit at a time, open and closed apart, given back, and forgotten a day after the slot', async () => {
    const now = await env.currentTimeMs();
    const slot = `${londonClock(new Date(now + 5 * DAY)).date}T14:00/16:00`;
    const workflowId = slotWorkflowId(taskQueue, 'NGT', slot);
    const first = await env.client.workflow.executeUpdateWithStart(reserve, {
      args: [{ reference: 'SLOT0001', kind: 'open', limit: 1 }],
      startWorkflowOperation: new WithStartWorkflowOperation(slotCapacity, {
        workflowId,
        taskQueue,
        args: [{ prisonId: 'NGT', slot }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
    const handle = env.client.workflow.getHandle<typeof slotCapacity>(workflowId);
    const reserveFor = (reference: string, kind: 'open' | 'closed') =>
      handle.executeUpdate(reserve, { args: [{ reference, kind, limit: 1 }] });
    expect([first, await reserveFor('SLOT0001', 'open')]).toEqual([true, true]); // a repeat holds the same place
    expect(await reserveFor('SLOT0002', 'open')).toBe(false); // the open place is taken
    expect(await reserveFor('SLOT0003', 'closed')).toBe(true);
    expect(await handle.executeUpdate(release, { args: [{ reference: 'SLOT0001' }] })).toBe(true);
    expect(await reserveFor('SLOT0002', 'open')).toBe(true);
    expect(await handle.executeUpdate(release, { args: [{ reference: 'SLOT0009' }] })).toBe(false);
    await env.sleep(7 * DAY);
    expect(await handle.result()).toBe(2);
    await saveHistory(env.client, workflowId, 'slot-capacity-saving-places');
  });
});

describe('a held place', () => {
  const saltmarsh = () => {
    const prison = rules.get('SLT');
    if (!prison) throw new Error('HMP Saltmarsh is not in the rule book');
    return prison;
  };
  it('is taken over by a request in the same step, so no one can take it between; an expired one is not', async () => {
    const holds = holdsClient({ db, temporal: env.client, taskQueue, commandTimeoutMs: 10_000 });
    const now = await env.currentTimeMs();
    const slot = `${londonClock(new Date(now + 8 * DAY)).date}T18:00/19:00`; // Saltmarsh: one open place at 18:00
    const held = await holds.hold(saltmarsh(), slot);
    if (!held.held) throw new Error('the slot’s one open place was not held');
    const slotHandle = env.client.workflow.getHandle<typeof slotCapacity>(slotWorkflowId(taskQueue, 'SLT', slot));
    const reserveFor = (reference: string, instead?: string) =>
      slotHandle.executeUpdate(reserve, {
        args: [{ reference, kind: 'open', limit: 1, ...(instead ? { instead } : {}) }],
      });
    expect(await reserveFor('OTHER001')).toBe(false); // the held place is not free
    expect(await reserveFor('MINE0001', holdReference(held.holdId))).toBe(true); // but its holder's request takes it
    expect(await slotHandle.query(placesHeld)).toEqual({ open: 1, closed: 0 });
    // The hold gives back nothing when it is let go: the place is the request's now.
    expect(await holds.release(held.holdId)).toBe(true);
    expect(await reserveFor('OTHER001')).toBe(false);
    // A request naming a hold that is gone needs a free place like any other.
    expect(await reserveFor('LATE0001', holdReference('expired-hold'))).toBe(false);
    expect(await slotHandle.executeUpdate(release, { args: [{ reference: 'MINE0001' }] })).toBe(true);
    expect(await reserveFor('LATE0001', holdReference('expired-hold'))).toBe(true);
  });

  it('goes back to the slot after 10 minutes, by a durable timer, and can then be held by someone else', async () => {
    const holds = holdsClient({ db, temporal: env.client, taskQueue, commandTimeoutMs: 10_000 });
    const now = await env.currentTimeMs();
    const slot = `${londonClock(new Date(now + 6 * DAY)).date}T18:00/19:00`; // Saltmarsh: one open place at 18:00
    const first = await holds.hold(saltmarsh(), slot);
    if (!first.held) throw new Error('the slot’s one open place was not held');
    expect(Date.parse(first.expiresAt) - now).toBeGreaterThanOrEqual(10 * 60_000);
    expect(Date.parse(first.expiresAt) - now).toBeLessThan(10 * 60_000 + 5_000);
    expect(await holds.hold(saltmarsh(), slot)).toEqual({ held: false });
    // The read model shows the place held, for the pages that offer times.
    const heldOpen = async () => (await slotPlaces(db).findOne({ _id: `SLT ${slot}` }))?.open;
    // A loaded machine (two files at once on two cores) can take seconds to write it: a deadline, not a sleep.
    await eventually(async () => ((await heldOpen()) === 1 ? true : undefined), 30_000);
    await env.sleep(9 * 60_000);
    expect(await holds.hold(saltmarsh(), slot)).toEqual({ held: false }); // nine minutes on, still held
    await env.sleep(2 * 60_000);
    expect(await env.client.workflow.getHandle(holdWorkflowId(taskQueue, first.holdId)).result()).toBe('expired');
    // Given back: the count is 0, or the slot's document is gone (its workflow ended, should the test server's
    // clock have skipped past the slot); either way the place is offered again, as the hold below proves.
    await eventually(async () => (((await heldOpen()) ?? 0) === 0 ? true : undefined), 30_000);
    const next = await holds.hold(saltmarsh(), slot);
    expect(next.held).toBe(true);
    expect(await holds.release(first.holdId)).toBe(false); // long gone
    if (next.held) expect(await holds.release(next.holdId)).toBe(true);
    await saveHistory(env.client, holdWorkflowId(taskQueue, first.holdId), 'place-hold-expired');
  });
});

describe('a booker’s sign-in link', () => {
  it('is e-mailed once, and a request again within the minute joins the first', async () => {
    const booker = await bookerFor(db, 'sign-in@test.example', 'cy');
    const start = () =>
      env.client.workflow.start(signInLink, {
        workflowId: signInWorkflowId(booker.bookerId),
        taskQueue,
        args: [{ bookerId: booker.bookerId, locale: 'cy' }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      });
    const first = await start();
    const sent = () => mail.messages.filter((m) => JSON.stringify(m.to).includes('sign-in@test.example'));
    await eventually(async () => (sent().length === 1 ? true : undefined));
    expect(sent()[0].subject).toBe('Mewngofnodi i Ymweliadau carchar');
    expect((await start()).firstExecutionRunId).toBe(first.firstExecutionRunId);
    await first.result(); // the minute passes (time skipping), and the id is free again
    expect(sent()).toHaveLength(1);
    await saveHistory(env.client, first.workflowId, 'sign-in-link');
  });
});

describe('retention', () => {
  it('anonymises the personal data of visits finished more than RETENTION_DAYS ago, and their e-mails', async () => {
    const now = Date.now();
    const old = { ...(await input()), reference: 'OLDVISIT' };
    const recent = { ...(await input()), reference: 'NEWVISIT' };
    for (const [request, daysAgo] of [
      [old, 200],
      [recent, 10],
    ] as const) {
      const visit = {
        ...newVisit(request),
        status: 'rejected' as const,
        support: { needs: ['wheelchair' as const], details: 'Ada walks with a stick' },
      };
      visit.finishedAt = new Date(now - daysAgo * DAY).toISOString();
      await visitsCollection(db).insertOne({
        ...visit,
        ...queryFields(visit),
        _id: request.reference,
        savedAt: new Date(),
      });
      await outbox(db).insertOne({
        _id: `${request.reference}.received`,
        reference: request.reference,
        to: 'ada@example.com',
        id: `${request.reference}.received`,
        subject: 's',
        text: 't',
        html: 'h',
        status: 'sent',
        attempts: 1,
        createdAt: new Date(),
      });
    }
    const count = await env.client.workflow.execute(retention, { workflowId: `retention-${now}`, taskQueue });
    expect(count).toBe(1);
    const anonymised = await saved('OLDVISIT');
    expect(anonymised).toMatchObject({
      prisoner: { firstName: 'Anonymised', lastName: 'Anonymised', number: '' },
      contact: { email: '', phone: '' },
      anonymisedAt: expect.any(String),
    });
    expect(JSON.stringify(anonymised)).not.toContain('Wilde');
    // What the visitors need at the visit is about their health: it goes with their names.
    expect(anonymised?.support).toBeUndefined();
    expect((await saved('NEWVISIT'))?.prisoner.lastName).toBe('Wilde');
    expect((await saved('NEWVISIT'))?.support?.details).toBe('Ada walks with a stick');
    expect(await outbox(db).countDocuments({ reference: 'OLDVISIT' })).toBe(0);
    expect(await outbox(db).countDocuments({ reference: 'NEWVISIT' })).toBe(1);
    // The next run starts from the day after the last one done: nothing is left to do.
    expect(await env.client.workflow.execute(retention, { workflowId: `retention-again-${now}`, taskQueue })).toBe(0);
  });
});

describe('a busy slot', () => {
  const HISTORY_LIMIT = 50; // events: low, so that a few dozen changes make it continue as new several times
  const saltmarsh = () => {
    const prison = rules.get('SLT');
    if (!prison) throw new Error('HMP Saltmarsh is not in the rule book');
    return prison;
  };
  /** A slot at Saltmarsh at 14:00, `days` on: two open places and one closed. */
  const slotIn = async (days: number) =>
    `${londonClock(new Date((await env.currentTimeMs()) + days * DAY)).date}T14:00/15:30`;
  const startSlot = (slot: string) =>
    env.client.workflow.start(slotCapacity, {
      workflowId: slotWorkflowId(taskQueue, 'SLT', slot),
      taskQueue,
      args: [{ prisonId: 'SLT', slot, historyLimit: HISTORY_LIMIT }],
    });

  /** Each run of a workflow, first to last, following each run that continued as new to the next. */
  async function runsOf(workflowId: string, firstRunId: string) {
    const runs: { runId: string; events: number; continued: boolean }[] = [];
    let runId: string | undefined = firstRunId;
    while (runId) {
      const history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>> = await env.client.workflow
        .getHandle(workflowId, runId)
        .fetchHistory();
      const events = history.events ?? [];
      const next: string | undefined =
        events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
      runs.push({ runId, events: events.length, continued: next !== undefined });
      runId = next;
    }
    return runs;
  }

  /** As saveHistory (test/harness.ts), for one run of a workflow rather than its last. */
  async function saveRunHistory(workflowId: string, runId: string, name: string): Promise<void> {
    if (!process.env.SAVE_HISTORIES) return;
    const file = `${HISTORY_SET}/${name}.json`;
    if (existsSync(file)) throw new Error(`${file} is already recorded: name a new HISTORY_SET in test/harness.ts`);
    const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    writeFileSync(
      file,
      historyToJSON(await decodeHistory(history, env.client.options.loadedDataConverter.payloadCodecs)),
    );
  }

  it('continues as new before its history grows long, keeping its places, its limits and its count of changes', async () => {
    const slot = await slotIn(9);
    const workflowId = slotWorkflowId(taskQueue, 'SLT', slot);
    const first = await startSlot(slot);
    const handle = env.client.workflow.getHandle<typeof slotCapacity>(workflowId);
    // The activities that visits and holds call, as the worker runs them: update-with-start, by workflow id.
    const activities = createActivities({
      db,
      rules,
      prisonerService: createPrisonerService({ baseUrl: PRISONER_SERVICE_URL, timeoutMs: 1000 }),
      temporal: env.client,
      taskQueue,
      mail: createSmtpProvider(mail.url, 'visits@visits.test'),
      publicUrl: 'http://visits.test',
      retentionDays: 183,
    });
    let attempts = 0;
    const place = (reference: string, kind: 'open' | 'closed' = 'open') => ({ prisonId: 'SLT', slot, reference, kind });
    const reserveSlot = (reference: string, kind: 'open' | 'closed' = 'open') =>
      new MockActivityEnvironment({ activityId: String(++attempts) }).run(
        activities.reserveSlot,
        place(reference, kind),
      );
    const releaseSlot = (reference: string) =>
      new MockActivityEnvironment({ activityId: String(++attempts) }).run(activities.releaseSlot, place(reference));
    // The read model's versions, as seen after each step: they may lag, but never go back.
    const versions: number[] = [];
    const document = () => slotPlaces(db).findOne({ _id: `SLT ${slot}` });
    const seeVersion = async () => {
      const found = await document();
      if (found) versions.push(found.version);
    };

    let changes = 0;
    expect(await reserveSlot('VISIT-OPEN')).toBe(true); // held from the first run to the last
    changes += 1;
    for (let i = 0; i < 100; i++) {
      const reference = `CHURN${String(i).padStart(3, '0')}`;
      expect(await reserveSlot(reference, i % 4 === 0 ? 'closed' : 'open'), reference).toBe(true);
      await releaseSlot(reference);
      changes += 2;
      await seeVersion();
    }
    // Every change written, under its count since the first run (the pages read this before holding a place).
    await eventually(async () => {
      const found = await document();
      return found?.version === changes && found.open === 1 && found.closed === 0 ? true : undefined;
    });
    // A visitor's place held through the journey's own path (workflows/placeHold.ts), and a closed visit.
    const holds = holdsClient({ db, temporal: env.client, taskQueue, commandTimeoutMs: 10_000 });
    const hold = await holds.hold(saltmarsh(), slot);
    expect(hold.held).toBe(true);
    expect(await reserveSlot('VISIT-CLOSED', 'closed')).toBe(true);
    changes += 2;
    await seeVersion();

    const runs = await runsOf(workflowId, first.firstExecutionRunId);
    expect(runs.length, JSON.stringify(runs)).toBeGreaterThan(3);
    expect(runs.at(-1)?.continued).toBe(false); // the last still runs
    // No run's history grew much past the limit: each continued as new within a workflow task or so of reaching it.
    for (const run of runs) expect(run.events, JSON.stringify(run)).toBeLessThan(HISTORY_LIMIT + 20);

    // The places held came over exactly, and the limits hold: a slot full before continuing is full after.
    expect(await handle.query(placesHeld)).toEqual({ open: 2, closed: 1 });
    expect(await reserveSlot('LATE-OPEN')).toBe(false);
    expect(await reserveSlot('LATE-CLOSED', 'closed')).toBe(false);
    expect(await handle.executeUpdate(release, { args: [{ reference: 'CHURN007' }] })).toBe(false); // given back
    expect(await handle.query(placesHeld)).toEqual({ open: 2, closed: 1 });
    // The read model shows them, under the count of every change since the first run: versions only went up.
    const last = await eventually(async () => {
      const found = await document();
      return found?.version === changes ? found : undefined;
    });
    expect(last).toMatchObject({ prisonId: 'SLT', slot, open: 2, closed: 1, version: changes });
    versions.push(last.version);
    expect(versions.length).toBeGreaterThan(50);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));

    // Given back by name in a later run than the one it was held in.
    expect(await handle.executeUpdate(release, { args: [{ reference: 'VISIT-OPEN' }] })).toBe(true);
    expect(await handle.query(placesHeld)).toEqual({ open: 1, closed: 1 });

    // The slot still ends a day after it, not before: the hold goes back after 10 minutes meanwhile.
    const keepUntil = slotTimes(slot).end.getTime() + DAY;
    await env.sleep(keepUntil - 3_600_000 - (await env.currentTimeMs()));
    await caughtUp(handle);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(await handle.query(placesHeld)).toEqual({ open: 0, closed: 1 });
    expect(await handle.result()).toBe(1);
    expect((await handle.describe()).closeTime?.getTime()).toBeGreaterThanOrEqual(keepUntil);
    expect(await document()).toBeNull(); // forgotten at the end, as before
    // A run that started from one before it and continued as new itself, for test/replay.test.ts.
    await saveRunHistory(workflowId, runs[1].runId, 'slot-capacity-continued');
  }, 120_000);

  it('loses no update among 30 sent at once while it continues as new', async () => {
    const slot = await slotIn(10);
    const workflowId = slotWorkflowId(taskQueue, 'SLT', slot);
    const first = await startSlot(slot);
    const handle = env.client.workflow.getHandle<typeof slotCapacity>(workflowId);
    // As reserveSlot sends it (activities/index.ts), with a limit high enough for every one.
    const reserveFor = (reference: string) =>
      env.client.workflow.executeUpdateWithStart(reserve, {
        args: [{ reference, kind: 'open', limit: 1_000 }],
        startWorkflowOperation: new WithStartWorkflowOperation(slotCapacity, {
          workflowId,
          taskQueue,
          args: [{ prisonId: 'SLT', slot }],
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      });
    const references = Array.from({ length: 60 }, (_, i) => `BURST${String(i).padStart(2, '0')}`);
    for (const batch of [references.slice(0, 30), references.slice(30)]) {
      expect(await Promise.all(batch.map(reserveFor))).toEqual(batch.map(() => true));
    }
    expect(await handle.query(placesHeld)).toEqual({ open: 60, closed: 0 });
    const given = await Promise.all(
      references.map((reference) => handle.executeUpdate(release, { args: [{ reference }] })),
    );
    expect(given).toEqual(references.map(() => true));
    expect(await handle.query(placesHeld)).toEqual({ open: 0, closed: 0 });
    const runs = await runsOf(workflowId, first.firstExecutionRunId);
    expect(runs.length, JSON.stringify(runs)).toBeGreaterThan(1);
    await eventually(async () =>
      (await slotPlaces(db).findOne({ _id: `SLT ${slot}` }))?.version === 120 ? true : undefined,
    );
  }, 120_000);
});

// The activities of the visit-request workflow, built from the dependencies they need. Each is safe to retry.
import { Context } from '@temporalio/activity';
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import { slotCapacity as capacityOf } from '../rules/calendar';
import { evaluateEligibility, type Eligibility } from '../rules/eligibility';
import { addDays, londonClock } from '../rules/londonTime';
import type { RuleBook } from '../rules/ruleBook';
import type { Locale } from '../rules/vocabulary';
import { release, reserve, slotCapacity, slotWorkflowId, type PlaceKind } from '../workflows/slotCapacity';
import type { Visit } from '../workflows/visit';
import {
  giveBackOrder,
  moveOrder,
  useOrder,
  visitingOrders,
  visitingOrdersWorkflowId,
  type LedgerEntry,
  type UseResult,
} from '../workflows/visitingOrders';
import { sendOnce, type Delivery } from './emails/outbox';
import type { MailProvider } from './emails/providers';
import {
  hasLinkCode,
  LINK_CODE_PLACEHOLDER,
  renderEmail,
  renderSignInEmail,
  withLinkCode,
  type Template,
} from './emails/render';
import type { PrisonerService } from './prisonerService';
import { createSignInLink, findBooker, SIGN_IN_LINK_MINUTES } from './readModel/bookers';
import { bookedOn, findVisit, queueOf } from './readModel/lookups';
import { changeForVisit, eventsInRecord } from './prisonerChanges';
import { tellOfChange } from '../workflows/tellOfChange';
import { queries } from './readModel/queries';
import { forgetPlaces, savePlaces } from './readModel/slotPlaces';
import { staffEmailsFor } from './readModel/staff';
import { createVisitLink, linkAddressHash, sameAddressHash } from './readModel/visitLinks';
import { balanceOf, saveLedgerEntries } from './readModel/visitingOrders';
import { anonymiseVisitsFinishedOn, earlierVisits, saveVisit } from './readModel/visits';
import type { TextProvider } from './texts/providers';
import { textFor } from './texts/render';

export interface ActivityDeps {
  db: Db;
  rules: RuleBook;
  prisonerService: PrisonerService;
  /** For the slot-capacity workflows. */
  temporal: Client;
  taskQueue: string;
  /** None: e-mails are rendered and kept in the outbox, `held`. */
  mail?: MailProvider;
  /** None: no texts; visitors who asked for texts are e-mailed instead. */
  texts?: TextProvider;
  /** Where the service's pages are, for links in e-mails. */
  publicUrl: string;
  /** Days after a visit's story ends before its personal data is anonymised. */
  retentionDays: number;
}

/**
 * Until when the running attempt may write (save a visit, begin sending an e-mail): half its time from now, on this
 * machine's clock, long before Temporal may give up on it and start another.
 */
function writeBy(): number {
  return Date.now() + Context.current().info.startToCloseTimeoutMs / 2;
}

export function createActivities(deps: ActivityDeps) {
  const { db, rules, prisonerService, temporal, taskQueue, mail, texts, publicUrl } = deps;
  const prisonOf = (visit: Pick<Visit, 'prisonId'>) => {
    const prison = rules.get(visit.prisonId);
    if (!prison) throw new Error(`no rule file in force for prison ${visit.prisonId}`);
    return prison;
  };
  /** A visitor's link to their visit as the outbox keeps it: its one-time code is made only when it is sent. */
  const visitorLink = (reference: string) => `${publicUrl}/visits/${reference}?token=${LINK_CODE_PLACEHOLDER}`;
  /** The e-mail (or text) as handed to its provider: with a new one-time code in the visitor's link, if it has one. */
  const withNewLink =
    (reference: string) =>
    async <Message extends { text: string; html?: string }>(message: Message) =>
      hasLinkCode(message) ? withLinkCode(message, await createVisitLink(db, reference)) : message;

  const ledgerStart = (prisonerNumber: string) =>
    new WithStartWorkflowOperation(visitingOrders, {
      workflowId: visitingOrdersWorkflowId(taskQueue, prisonerNumber),
      taskQueue,
      args: [{ prisonerNumber }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });

  return {
    /** Projects the visit into the read model. */
    async saveVisit(visit: Visit): Promise<void> {
      await saveVisit(db, visit, writeBy());
    },

    /**
     * Judges a request by its prison's rule file in force now, the prisoner's record (when the service answers)
     * and the prisoner's earlier visits. Reads only.
     */
    async checkEligibility(visit: Visit): Promise<Eligibility> {
      const [check, earlier, ledger] = await Promise.all([
        prisonerService.find(visit.prisoner.number),
        earlierVisits(db, visit.prisoner.number, visit.reference, new Date(visit.submittedAt)),
        balanceOf(db, visit.prisoner.number),
      ]);
      const today = londonClock(new Date(visit.submittedAt)).date;
      const record = check.status === 'found' ? check.record : undefined;
      const remand = record?.legalStatus === 'remand';
      const statement = record?.visitingOrders;
      // The ledger's balance while its period is the statement's; a statement of a later period starts afresh. A
      // renewal date already past says nothing of today's orders.
      const balance =
        statement && ledger?.renewsOn && ledger.renewsOn >= statement.renewsOn ? ledger.balance : statement?.balance;
      const { eligibility } = await evaluateEligibility(prisonOf(visit), {
        today,
        prisoner: visit.prisoner,
        visitorDatesOfBirth: visit.visitors.map((visitor) => visitor.dateOfBirth),
        visitors: visit.visitors.map(({ firstName, lastName, dateOfBirth }) => ({ firstName, lastName, dateOfBirth })),
        slotOptions: visit.slotOptions,
        check,
        earlierVisits: earlier,
        ...(statement && balance !== undefined && statement.renewsOn > today
          ? { visitingOrders: { balance, renewsOn: statement.renewsOn, remand } }
          : {}),
      });
      if (!record) return eligibility;
      const { prisonId, status } = record;
      return {
        ...eligibility,
        orders: { ...(statement ? { statement } : {}), remand },
        recordSeen: { prisonId, ...(status ? { status } : {}) },
      };
    },

    /**
     * Uses one of the prisoner's visiting orders for a visit being booked (a remand prisoner: a place in the visit's
     * week), through the prisoner's ledger workflow: once per visit, however often this is retried.
     */
    async useVisitingOrder(request: {
      prisonerNumber: string;
      reference: string;
      visitDate: string;
      orders?: Eligibility['orders'];
    }): Promise<UseResult> {
      // The record as it is now, where the service answers: a request may wait with staff past a renewal date, and
      // the statement its check saw then says nothing of the orders issued since.
      const check = await prisonerService.find(request.prisonerNumber);
      const record = check.status === 'found' ? check.record : undefined;
      const statement = record?.visitingOrders ?? request.orders?.statement;
      const remand = record?.legalStatus ? record.legalStatus === 'remand' : (request.orders?.remand ?? false);
      return temporal.workflow.executeUpdateWithStart(useOrder, {
        args: [
          { reference: request.reference, visitDate: request.visitDate, remand, ...(statement ? { statement } : {}) },
        ],
        updateId: `use-${request.reference}-${Context.current().info.activityId}`,
        startWorkflowOperation: ledgerStart(request.prisonerNumber),
      });
    },

    /** Moves a remand prisoner's visit to the week of its new date, if that week has room; else false. */
    async moveVisitingOrder(request: {
      prisonerNumber: string;
      reference: string;
      visitDate: string;
    }): Promise<boolean> {
      return temporal.workflow.executeUpdateWithStart(moveOrder, {
        args: [{ reference: request.reference, visitDate: request.visitDate }],
        updateId: `move-${request.reference}-${Context.current().info.activityId}`,
        startWorkflowOperation: ledgerStart(request.prisonerNumber),
      });
    },

    /** Gives back the order a cancelled visit used, once (nothing if it used none). */
    async giveBackVisitingOrder(request: { prisonerNumber: string; reference: string }): Promise<boolean> {
      return temporal.workflow.executeUpdateWithStart(giveBackOrder, {
        args: [{ reference: request.reference }],
        updateId: `give-back-${request.reference}-${Context.current().info.activityId}`,
        startWorkflowOperation: ledgerStart(request.prisonerNumber),
      });
    },

    /** Writes a prisoner's new ledger entries and balance to the read model (from their ledger workflow). */
    async saveLedgerEntries(request: { prisonerNumber: string; entries: LedgerEntry[]; version: number }) {
      await saveLedgerEntries(db, request);
    },

    /**
     * Sends the visitor one e-mail about their visit, once, however often this is retried. Its link carries a
     * one-time code made as it is sent, never the visit's access token (which the workflow still passes). A visitor
     * who asked for texts (`contact.notifyBy`) has a booking, change, cancellation or reminder by text as well, or
     * instead: each once, beside the e-mail in the outbox.
     */
    async sendEmail(request: {
      key: string;
      template: Template;
      visit: Visit;
      /** Passed by the visit workflow (and its recorded histories); no longer put in e-mails. */
      accessToken?: string;
      message?: string;
    }): Promise<Delivery> {
      const { visit } = request;
      const prison = prisonOf(visit);
      const text = textFor(request.template, request.key, { visit, prison, statusUrl: visitorLink(visit.reference) });
      // Without a text provider, the e-mail goes instead.
      const texted =
        text && texts && sendOnce(db, texts, visit.reference, text, writeBy(), withNewLink(visit.reference));
      if (texted && visit.contact.notifyBy === 'text') {
        const delivery = await texted;
        // A text refused for good (a number Notify cannot text) is e-mailed after all.
        if (delivery !== 'failed') return delivery;
      }
      const rendered = renderEmail(request.template, visit.locale, {
        visit,
        prison,
        statusUrl: visitorLink(visit.reference),
        queueUrl: `${publicUrl}/staff/queue`,
        message: request.message,
      });
      const email = { ...rendered, to: visit.contact.email, id: `${visit.reference}.${request.key}` };
      const [, mailed] = await Promise.all([
        texted,
        sendOnce(db, mail, visit.reference, email, writeBy(), withNewLink(visit.reference)),
      ]);
      return mailed;
    },

    /**
     * Sends a new link to a visit, once, if `addressHash` is its contact address's (`linkAddressHash`); the page that
     * asked never learns whether it was. `key` names the e-mail in the outbox: one per request for a link.
     */
    async sendVisitLink(request: { reference: string; addressHash: string; key: string }): Promise<Delivery | 'none'> {
      const visit = await findVisit(db, request.reference);
      if (!visit || visit.anonymised || !visit.contact.email) return 'none';
      if (!sameAddressHash(request.addressHash, linkAddressHash(visit.reference, visit.contact.email))) return 'none';
      const rendered = renderEmail('link', visit.locale, {
        visit,
        prison: prisonOf(visit),
        statusUrl: visitorLink(visit.reference),
        queueUrl: `${publicUrl}/staff/queue`,
      });
      const email = { ...rendered, to: visit.contact.email, id: `${visit.reference}.${request.key}` };
      return sendOnce(db, mail, visit.reference, email, writeBy(), withNewLink(visit.reference));
    },

    /**
     * E-mails a booker a one-time sign-in link, once per `key` (one per request for a link); the link's code is made
     * only as the e-mail is handed to the mail provider, so the outbox never holds one.
     */
    async sendSignInLink(request: { bookerId: string; locale: Locale; key: string }): Promise<Delivery | 'none'> {
      const booker = await findBooker(db, request.bookerId);
      if (!booker) return 'none';
      const rendered = renderSignInEmail(request.locale, {
        signInUrl: `${publicUrl}/account/sign-in/${LINK_CODE_PLACEHOLDER}`,
        minutes: SIGN_IN_LINK_MINUTES,
      });
      const owner = `booker-${booker.bookerId}`;
      const email = { ...rendered, to: booker._id, id: `${owner}.${request.key}` };
      return sendOnce(db, mail, owner, email, writeBy(), async (outgoing) =>
        withLinkCode(outgoing, await createSignInLink(db, booker.bookerId)),
      );
    },

    /** Reminds the prison's staff that a request is still undecided near its confirm-by date. */
    async remindStaff(visit: Visit): Promise<number> {
      const prison = prisonOf(visit);
      const recipients = await staffEmailsFor(db, prison.id);
      for (const to of recipients) {
        const rendered = renderEmail('staff_reminder', 'en', {
          visit,
          prison,
          statusUrl: `${publicUrl}/staff/visits/${visit.reference}`,
          queueUrl: `${publicUrl}/staff/queue`,
        });
        const id = `${visit.reference}.staff-reminder.${to}`;
        await sendOnce(db, mail, visit.reference, { ...rendered, to, id }, writeBy());
      }
      return recipients.length;
    },

    /** Holds a place in a slot with a capacity; true if the visit has one (always, where there is no limit). */
    async reserveSlot(place: {
      prisonId: string;
      slot: string;
      reference: string;
      kind: PlaceKind;
      /** A held place this one takes over (workflows/placeHold.ts). */
      instead?: string;
    }): Promise<boolean> {
      const limit = capacityOf(prisonOf(place), place.slot)?.[place.kind];
      if (limit === undefined) return true;
      return temporal.workflow.executeUpdateWithStart(reserve, {
        args: [
          { reference: place.reference, kind: place.kind, limit, ...(place.instead ? { instead: place.instead } : {}) },
        ],
        // Stable across this activity's retries, new for each decision: a repeat gets the first answer.
        updateId: `reserve-${place.reference}-${Context.current().info.activityId}`,
        startWorkflowOperation: new WithStartWorkflowOperation(slotCapacity, {
          workflowId: slotWorkflowId(taskQueue, place.prisonId, place.slot),
          taskQueue,
          args: [{ prisonId: place.prisonId, slot: place.slot }],
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      });
    },

    /** Writes how many places a slot holds, for the times offered to visitors (from its slot workflow). */
    async savePlaces(places: { prisonId: string; slot: string; open: number; closed: number; version: number }) {
      await savePlaces(db, places);
    },

    /** Forgets a slot's places when its workflow ends, a day after the slot. */
    async forgetPlaces({ prisonId, slot }: { prisonId: string; slot: string }) {
      await forgetPlaces(db, prisonId, slot);
    },

    /** Gives back a visit's place in a slot, if it held one. */
    async releaseSlot(place: { prisonId: string; slot: string; reference: string }): Promise<void> {
      if (!capacityOf(prisonOf(place), place.slot)) return;
      try {
        await temporal.workflow
          .getHandle(slotWorkflowId(taskQueue, place.prisonId, place.slot))
          .executeUpdate(release, { args: [{ reference: place.reference }] });
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    },

    /**
     * The daily re-check: reads the record of each open visit's prisoner (requests waiting for staff, visits booked in
     * the prison's booking window) and tells each visit what changed since it was asked for. Changes a visit was told
     * already (by an event, or an earlier re-check) change nothing. Returns how many visits were told of one.
     */
    async recheckPrisoners(): Promise<number> {
      const today = londonClock(new Date()).date;
      let told = 0;
      let failed = 0;
      for (const prison of rules.list()) {
        const visits = (await queueOf(db, [prison.id])).requested;
        for (let day = today, n = 0; n <= prison.bookingWindowDays; day = addDays(day, 1), n++) {
          visits.push(...(await bookedOn(db, prison.id, day)));
        }
        const byPrisoner = new Map<string, typeof visits>();
        for (const visit of visits)
          byPrisoner.set(visit.prisoner.number, [...(byPrisoner.get(visit.prisoner.number) ?? []), visit]);
        for (const [number, ofPrisoner] of byPrisoner) {
          const check = await prisonerService.find(number);
          Context.current().heartbeat();
          if (check.status !== 'found') continue;
          for (const visit of ofPrisoner) {
            const changes = eventsInRecord(check.record, visit, new Date()).flatMap(
              (event) => changeForVisit(event, visit, 'recheck') ?? [],
            );
            try {
              for (const change of changes) await tellOfChange(temporal, visit.reference, change, 30_000);
              if (changes.length > 0) told += 1;
            } catch {
              // One visit that cannot be told (its workflow stuck, Temporal slow) stops none of the others; tomorrow's
              // re-check tells it again.
              failed += 1;
            }
          }
        }
      }
      if (failed > 0) Context.current().log.warn('prisoner re-check could not tell some visits', { failed });
      return told;
    },

    /**
     * Anonymises the visits whose story ended more than the retention period ago, a day at a time from the day after
     * the last one done (on a first run, the year before: the code before these runs anonymised anything older).
     * Returns how many.
     */
    async anonymiseFinishedVisits(): Promise<number> {
      const info = db.collection<{ _id: string; through: string }>('readModelInfo');
      const upTo = londonClock(new Date(Date.now() - deps.retentionDays * 86_400_000)).date;
      const done = await info.findOne(queries.readModelInfo.filter('retention'));
      let anonymised = 0;
      for (let day = done ? addDays(done.through, 1) : addDays(upTo, -366); day <= upTo; day = addDays(day, 1)) {
        const count = await anonymiseVisitsFinishedOn(db, day);
        anonymised += count;
        if (count > 0 || day === upTo) {
          await info.replaceOne(queries.readModelInfo.filter('retention'), { through: day }, { upsert: true });
        }
      }
      return anonymised;
    },
  };
}

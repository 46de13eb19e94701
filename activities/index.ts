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
import { findVisit } from './readModel/lookups';
import { queries } from './readModel/queries';
import { forgetPlaces, savePlaces } from './readModel/slotPlaces';
import { staffEmailsFor } from './readModel/staff';
import { createVisitLink, linkAddressHash, sameAddressHash } from './readModel/visitLinks';
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
      const [check, earlier] = await Promise.all([
        prisonerService.find(visit.prisoner.number),
        earlierVisits(db, visit.prisoner.number, visit.reference, new Date(visit.submittedAt)),
      ]);
      const { eligibility } = await evaluateEligibility(prisonOf(visit), {
        today: londonClock(new Date(visit.submittedAt)).date,
        prisoner: visit.prisoner,
        visitorDatesOfBirth: visit.visitors.map((visitor) => visitor.dateOfBirth),
        slotOptions: visit.slotOptions,
        check,
        earlierVisits: earlier,
      });
      return eligibility;
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

// The outbox: one document per e-mail (or text message), keyed by visit and event, with its delivery status. It is
// what makes a message go once however often the activity that sends it is retried.
import type { Db } from 'mongodb';
import { queries } from '../readModel/queries';
import { PermanentMailFailure, type OutgoingEmail } from './providers';

export type Delivery = 'pending' | 'sending' | 'sent' | 'held' | 'failed';

/** What the outbox sends: an e-mail, or a text message (activities/texts), under a stable id. */
export interface OutgoingMessage {
  /** An e-mail address or a phone number. */
  to: string;
  id: string;
}

/** A way out for one kind of message: a mail provider, a text provider. */
export interface Provider<Message extends OutgoingMessage> {
  name: string;
  /** Resolves once the provider has accepted the message; throws if it did not (the caller retries). */
  send(message: Message): Promise<void>;
  /** Whether the provider already has this message, for providers that can tell. */
  alreadySent?(message: Message): Promise<boolean>;
}

/** The outbox's own fields, beside those of the message it keeps. */
interface OutboxState {
  _id: string;
  reference: string;
  status: Delivery;
  attempts: number;
  /** While `sending`: until when the attempt sending it may still be at work (sending it, or recording that). */
  claimedUntil?: Date;
  provider?: string;
  createdAt: Date;
  sentAt?: Date;
  lastError?: string;
}

export type OutboxDocument<Message extends OutgoingMessage = OutgoingEmail> = Message & OutboxState;

export function outbox(db: Db) {
  return db.collection<OutboxDocument>('outbox');
}

const outboxState = (db: Db) => db.collection<OutboxState>('outbox');

// How long a claim to send lasts past the time its attempt had to begin sending by: longer than a send takes to
// finish or give up (see the SMTP provider's timeouts), and then to be recorded.
const CLAIM_PAST_SEND_BY_MS = 45_000;
// A send is recorded this long before its claim runs out, or not at all.
const RECORD_MARGIN_MS = 5000;

/**
 * Sends an e-mail once. A repeat of a sent e-mail does nothing. Without a provider the e-mail is kept, `held`,
 * unsent.
 *
 * Temporal may give up on a slow attempt (its start-to-close timeout) and start another while the first still
 * runs. So an attempt claims the e-mail before sending it, and begins no send after `sendBy`, well inside its
 * time; another attempt leaves an e-mail claimed by an earlier one alone (and fails, to be retried) until the claim
 * runs out, by when the earlier one has sent it and recorded that, or given up. (`sendBy` is by default half the
 * visitor e-mail activity's 15 seconds from now.)
 * An attempt cut off mid-send (a worker killed) leaves the e-mail `sending`; once its claim has run out, the
 * provider is asked whether it has the e-mail where it can tell (Notify), else it is sent again with the same id
 * (SMTP: the one case where the receiving side may see it twice, and can tell by its Message-ID).
 *
 * `complete`, when given, makes the copy handed to the provider from the e-mail as kept (a visitor's one-time link
 * code in place of its placeholder): once for each attempt that goes on to send, so that the outbox keeps nothing a
 * reader of the store could use, and a repeat sent after a cut-off attempt carries a code of its own.
 */
export async function sendOnce<Message extends OutgoingMessage>(
  db: Db,
  provider: Provider<Message> | undefined,
  reference: string,
  email: Message,
  sendBy = Date.now() + 7500,
  complete?: (email: Message) => Promise<Message>,
): Promise<Delivery> {
  const emails = outboxState(db);
  const fresh: OutboxDocument<Message> = {
    ...email,
    _id: email.id,
    reference,
    status: provider ? 'pending' : 'held',
    attempts: 0,
    createdAt: new Date(),
  };
  let found: OutboxState | null = fresh;
  try {
    await emails.insertOne(fresh);
  } catch (error) {
    // Already in the outbox from an earlier attempt: its status decides.
    found = await emails.findOne(queries.emailById.filter(email.id));
    if (!found) throw error;
  }
  if (found.status === 'sent' || found.status === 'failed') return found.status;
  if (!provider) {
    if (found.status !== 'held') {
      await emails.updateOne(queries.emailById.filter(email.id), { $set: { status: 'held' } });
    }
    return 'held';
  }
  if (found.status === 'sending' && found.claimedUntil && found.claimedUntil.getTime() > Date.now()) {
    throw new Error('an earlier attempt may still be sending this e-mail');
  }
  if (found.status === 'sending' && provider.alreadySent && (await provider.alreadySent(email))) {
    await emails.updateOne(queries.emailById.filter(email.id), {
      $set: { status: 'sent', sentAt: new Date(), provider: provider.name },
    });
    return 'sent';
  }
  const outgoing = complete ? await complete(email) : email;
  checkTime(sendBy);
  const claimedUntil = sendBy + CLAIM_PAST_SEND_BY_MS;
  await emails.updateOne(queries.emailById.filter(email.id), {
    $set: { status: 'sending', claimedUntil: new Date(claimedUntil) },
    $inc: { attempts: 1 },
  });
  checkTime(sendBy); // the claim itself may have been slow
  try {
    await provider.send(outgoing);
  } catch (error) {
    // Only the error's kind: a provider's message may quote the address.
    const kind = (error as { code?: string }).code ?? (error instanceof Error ? error.name : 'Error');
    if (error instanceof PermanentMailFailure) {
      await emails.updateOne(queries.emailById.filter(email.id), {
        $set: { status: 'failed', lastError: error.message },
      });
      return 'failed';
    }
    await emails.updateOne(queries.emailById.filter(email.id), { $set: { status: 'pending', lastError: kind } });
    throw error;
  }
  await markSent(db, email.id, provider.name, claimedUntil - RECORD_MARGIN_MS);
  return 'sent';
}

/** Stops an attempt that is out of time before it sends: a retry may have started, and may send. */
function checkTime(sendBy: number): void {
  if (Date.now() > sendBy) throw new Error('this attempt is out of time: a retry sends the e-mail');
}

/**
 * Records that the provider has taken an e-mail, trying again until `giveUpAt` if the database fails, while the
 * claim keeps other attempts off the e-mail. It never throws: the e-mail has gone, and a failed activity would be
 * retried and send it again. Should the database stay down, the e-mail stays marked `sending`, though the
 * activity succeeds.
 */
async function markSent(db: Db, id: string, provider: string, giveUpAt: number): Promise<void> {
  for (;;) {
    try {
      const timeoutMS = Math.max(giveUpAt - Date.now(), 1);
      await outboxState(db).updateOne(
        queries.emailById.filter(id),
        { $set: { status: 'sent', sentAt: new Date(), provider }, $unset: { claimedUntil: '' } },
        { timeoutMS },
      );
      return;
    } catch {
      if (Date.now() >= giveUpAt) return;
      await new Promise((wait) => setTimeout(wait, 250));
    }
  }
}

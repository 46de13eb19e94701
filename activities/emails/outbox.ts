// The outbox: one document per e-mail, keyed by visit and event, with its delivery status. It is what makes an
// e-mail go once however often the activity that sends it is retried.
import type { Db } from 'mongodb';
import { PermanentMailFailure, type MailProvider, type OutgoingEmail } from './providers';

export type Delivery = 'pending' | 'sending' | 'sent' | 'held' | 'failed';

export interface OutboxDocument extends OutgoingEmail {
  _id: string;
  reference: string;
  status: Delivery;
  attempts: number;
  provider?: string;
  createdAt: Date;
  sentAt?: Date;
  lastError?: string;
}

export function outbox(db: Db) {
  return db.collection<OutboxDocument>('outbox');
}

/**
 * Sends an e-mail once. A repeat of a sent e-mail does nothing. Without a provider the e-mail is kept, `held`,
 * unsent. An attempt cut off mid-send (a worker killed) is found `sending`; the provider is asked whether it has
 * the e-mail where it can tell (Notify), else it is sent again with the same id (SMTP: the one case where the
 * receiving side may see it twice, and can tell by its Message-ID).
 */
export async function sendOnce(
  db: Db,
  provider: MailProvider | undefined,
  reference: string,
  email: OutgoingEmail,
): Promise<Delivery> {
  const emails = outbox(db);
  try {
    await emails.insertOne({
      ...email,
      _id: email.id,
      reference,
      status: 'pending',
      attempts: 0,
      createdAt: new Date(),
    });
  } catch (error) {
    // Already in the outbox from an earlier attempt: its status decides.
    if (!(await emails.findOne({ _id: email.id }, { projection: { _id: 1 } }))) throw error;
  }
  const found = await emails.findOne({ _id: email.id });
  if (!found) throw new Error(`outbox lost ${email.id}`);
  if (found.status === 'sent' || found.status === 'failed') return found.status;
  if (!provider) {
    await emails.updateOne({ _id: email.id }, { $set: { status: 'held' } });
    return 'held';
  }
  if (found.status === 'sending' && provider.alreadySent && (await provider.alreadySent(email))) {
    await emails.updateOne(
      { _id: email.id },
      { $set: { status: 'sent', sentAt: new Date(), provider: provider.name } },
    );
    return 'sent';
  }
  await emails.updateOne({ _id: email.id }, { $set: { status: 'sending' }, $inc: { attempts: 1 } });
  try {
    await provider.send(email);
  } catch (error) {
    // Only the error's kind: a provider's message may quote the address.
    const kind = (error as { code?: string }).code ?? (error instanceof Error ? error.name : 'Error');
    if (error instanceof PermanentMailFailure) {
      await emails.updateOne({ _id: email.id }, { $set: { status: 'failed', lastError: error.message } });
      return 'failed';
    }
    await emails.updateOne({ _id: email.id }, { $set: { status: 'pending', lastError: kind } });
    throw error;
  }
  await emails.updateOne({ _id: email.id }, { $set: { status: 'sent', sentAt: new Date(), provider: provider.name } });
  return 'sent';
}

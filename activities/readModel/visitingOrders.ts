// Each prisoner's visiting-order ledger as its workflow writes it (workflows/visitingOrders.ts): one document per
// entry, keyed by prisoner and entry, so a write repeated by a retry changes nothing; and the balance after the latest,
// which a later write never loses to an older one.
import { MongoServerError, type Db } from 'mongodb';
import type { LedgerEntry } from '../../workflows/visitingOrders';
import { queries } from './queries';

export type LedgerEntryDocument = LedgerEntry & { _id: string; prisonerNumber: string };

export interface BalanceDocument {
  /** The prisoner's number. */
  _id: string;
  balance: number;
  renewsOn?: string;
  /** The ledger workflow's clock when written: a later write has a later version. */
  version: number;
  savedAt: Date;
}

export const ledgerEntries = (db: Db) => db.collection<LedgerEntryDocument>('visitingOrderEntries');
export const balances = (db: Db) => db.collection<BalanceDocument>('visitingOrderBalances');

const entryId = (prisonerNumber: string, key: string) => `${prisonerNumber} ${key}`;

const duplicate = (error: unknown) => error instanceof MongoServerError && (error.code === 11000 || error.code === 1);

export async function saveLedgerEntries(
  db: Db,
  { prisonerNumber, entries, version }: { prisonerNumber: string; entries: LedgerEntry[]; version: number },
): Promise<void> {
  for (const entry of entries) {
    try {
      await ledgerEntries(db).insertOne({ ...entry, _id: entryId(prisonerNumber, entry.key), prisonerNumber });
    } catch (error) {
      if (!duplicate(error)) throw error;
    }
  }
  const last = entries.at(-1);
  if (!last) return;
  try {
    await balances(db).updateOne(
      queries.balanceOlderThan.filter(prisonerNumber, version),
      {
        $set: {
          balance: last.balance,
          version,
          savedAt: new Date(),
          ...(last.renewsOn ? { renewsOn: last.renewsOn } : {}),
        },
      },
      { upsert: true },
    );
  } catch (error) {
    // Written meanwhile with this version or a later one: nothing to do.
    if (!duplicate(error)) throw error;
  }
}

/** A prisoner's balance as last written by their ledger; undefined before its first entry. */
export async function balanceOf(db: Db, prisonerNumber: string): Promise<BalanceDocument | undefined> {
  return (await balances(db).findOne(queries.balanceOfPrisoner.filter(prisonerNumber))) ?? undefined;
}

/** A prisoner's ledger, newest first. */
export async function ledgerOf(db: Db, prisonerNumber: string, limit = 200): Promise<LedgerEntryDocument[]> {
  return ledgerEntries(db)
    .find(queries.ledgerOfPrisoner.filter(prisonerNumber))
    .sort(queries.ledgerOfPrisoner.sort)
    .limit(limit)
    .toArray();
}

/** Whether a ledger's entry is written to the read model. */
export async function hasLedgerEntry(db: Db, prisonerNumber: string, key: string): Promise<boolean> {
  return (await ledgerEntries(db).countDocuments(queries.ledgerEntryById.filter(entryId(prisonerNumber, key)))) > 0;
}

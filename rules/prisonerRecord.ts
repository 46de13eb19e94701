// A prisoner's record as the prisoner-information service gives it (docs/prisoner-service.openapi.json): who they are,
// where they are, who may visit them and with what restrictions, their visiting orders and alerts. Also what changes
// in a record after a visit is asked for, which the visit's story follows. Imports nothing of ours but the shapes.
import { z } from 'zod';
import { isoDate, PRISON_NUMBER } from './shapes';

/** A restriction on one of the prisoner's contacts: banned from visiting (until a date, or until lifted), or closed visits only. */
export const contactRestriction = z.object({
  type: z.enum(['banned', 'closed']).meta({ description: '`banned`: may not visit; `closed`: only in closed visits' }),
  from: isoDate.optional().meta({ description: 'The first day it applies; absent: already in force' }),
  until: isoDate.optional().meta({ description: 'The last day it applies; absent: until lifted' }),
});
export type ContactRestriction = z.infer<typeof contactRestriction>;

/** A person on the prisoner's list of social contacts. Only approved contacts may visit. */
export const contact = z.object({
  id: z.string().min(1).meta({ description: 'The contact’s id in the prison’s records' }),
  firstName: z.string(),
  lastName: z.string(),
  dateOfBirth: isoDate.optional(),
  relationship: z.string().optional().meta({ description: 'To the prisoner, in the prison’s words: `Wife`, `Friend`' }),
  approved: z.boolean().meta({ description: 'Whether the prison has approved them as a visitor' }),
  restrictions: z
    .array(contactRestriction)
    .default([])
    .meta({ description: 'Restrictions on their visits, past, present and future; absent: none' }),
});
export type Contact = z.infer<typeof contact>;

/** Something the prison has noted about the prisoner that bears on visits (a code and its words). */
export const alert = z.object({
  code: z.string().min(1).meta({ description: 'The prison’s alert code' }),
  description: z.string().meta({ description: 'What it means, in words staff read' }),
  since: isoDate.optional().meta({ description: 'The day it was raised' }),
});
export type Alert = z.infer<typeof alert>;

export const legalStatus = z.enum(['sentenced', 'remand', 'convicted_unsentenced', 'immigration_detainee', 'other']);
export type LegalStatus = z.infer<typeof legalStatus>;

/**
 * The visiting orders the prison issued the prisoner for the period that ends when new ones are issued (`renewsOn`).
 * This service keeps its own ledger of what its bookings used from them (workflows/visitingOrders.ts).
 */
export const visitingOrderStatement = z.object({
  balance: z.number().int().min(0).meta({ description: 'Visiting orders left for the period' }),
  renewsOn: isoDate.meta({ description: 'The day new ones are issued, ending the period' }),
});
export type VisitingOrderStatement = z.infer<typeof visitingOrderStatement>;

export const prisonerRecord = z.object({
  number: z.string().meta({ description: 'The prison number', examples: ['A1234BC'] }),
  firstName: z.string(),
  lastName: z.string(),
  dateOfBirth: z.string().meta({ description: '`YYYY-MM-DD`' }),
  prisonId: z.string().meta({ description: 'The prison that holds them, by its code', examples: ['NGT'] }),
  location: z.string().optional().meta({ description: 'Where in the prison: a wing, landing and cell' }),
  category: z
    .string()
    .optional()
    .meta({ description: 'Security category, as the prison writes it: `A`, `B`, `C`, `D`' }),
  legalStatus: legalStatus.optional().meta({ description: '`remand`: held awaiting trial, not yet convicted' }),
  status: z
    .enum(['in_prison', 'released', 'out_of_prison'])
    .optional()
    .meta({ description: '`out_of_prison`: away for now (at court, in hospital); `released`: no longer held' }),
  visitBalance: z
    .number()
    .int()
    .optional()
    .meta({ description: 'Visits left, as older services give it; `visitingOrders` supersedes it', deprecated: true }),
  visitingOrders: visitingOrderStatement.optional(),
  contacts: z.array(contact).optional().meta({
    description: 'Absent: the service does not say (visitors are then checked by staff); empty: nobody is approved',
  }),
  alerts: z.array(alert).optional().meta({ description: 'Absent or empty: none known' }),
});
export type PrisonerRecord = z.infer<typeof prisonerRecord>;

/** What can change in a prisoner's record after a visit is asked for, and a prison's own blocking of a date. */
export const prisonerChangeKind = z.enum([
  'released',
  'transferred',
  'restriction_added',
  'alert_added',
  'date_blocked',
]);
export type PrisonerChangeKind = z.infer<typeof prisonerChangeKind>;

const prisonerNumber = z.string().regex(PRISON_NUMBER, 'invalid_prison_number');
const occurredAt = z.iso.datetime({ offset: true, message: 'invalid_date_time' });

/**
 * A change to a prisoner's record, as the prisoner service (or an operator) tells it: `POST /api/prisoner-events`. The
 * daily re-check of open visits finds the same changes in the records themselves and tells them the same way.
 */
export const prisonerEvent = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('released'), prisonerNumber, occurredAt }),
  z.strictObject({ kind: z.literal('transferred'), prisonerNumber, toPrisonId: z.string().min(1).max(20), occurredAt }),
  z.strictObject({
    kind: z.literal('restriction_added'),
    prisonerNumber,
    contact: z.strictObject({
      firstName: z.string().min(1).max(50),
      lastName: z.string().min(1).max(50),
      dateOfBirth: isoDate,
    }),
    restriction: contactRestriction,
    occurredAt,
  }),
  z.strictObject({ kind: z.literal('alert_added'), prisonerNumber, alert, occurredAt }),
]);
export type PrisonerEvent = z.infer<typeof prisonerEvent>;

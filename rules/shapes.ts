// The shapes of the domain's things, as zod schemas: a prisoner, a visitor, a visit request, a decision, a
// cancellation, a message. Each validates at the edge (the API and the pages), gives the type the workflow and the
// activities use, and becomes an OpenAPI component (registered by api/schemas). Error messages are stable codes.
import { z } from 'zod';
import { cancellationReason, locale, rejectionReason, supportNeed, visitorOutcome } from './vocabulary';

/**
 * Text without control characters, bar tabs and line breaks: nobody types them, and the store cannot keep one of
 * them (NUL) in a document, so a visit holding one could never be saved.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const withoutControls = /^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$/;
export const text = () => z.string().regex(withoutControls, 'invalid_characters');
/** Text that must say something: blank (spaces only) is as good as missing. */
export const someText = () => text().regex(/\S/, 'required');

export const name = someText()
  .trim()
  .min(1, 'required')
  .max(30, 'name_too_long')
  .regex(/^[^<>\t\n\r]*$/, 'name_has_markup');

/** A prison's code, as rule files name prisons. */
export const prisonId = z.string().regex(/^[A-Z]{3}(-[A-Z0-9]+)*$/, 'unknown_prison');

// A real calendar date: the document then says `format: date` and a pattern that knows month lengths and leap years.
export const isoDate = z.iso.date('invalid_date');

/** An array with no item twice: the refinement gives the error its code, the metadata tells the document. */
export function distinct<T extends z.ZodArray>(array: T, code: string): T {
  return array.refine((items) => new Set(items).size === items.length, code).meta({ uniqueItems: true });
}

export const slot = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d\/([01]\d|2[0-3]):[0-5]\d$/, 'invalid_slot')
  .meta({ description: 'A visiting slot in London time, `YYYY-MM-DDTHH:MM/HH:MM`', example: '2026-12-02T14:00/15:30' });

/** A prison number, as the prison service writes it: A1234BC. */
export const PRISON_NUMBER = /^[A-Z]\d{4}[A-Z]{2}$/;

export const prisoner = z.strictObject({
  firstName: name,
  lastName: name,
  dateOfBirth: isoDate,
  number: z
    .string()
    .transform((value) => value.replace(/\s+/g, '').toUpperCase())
    .pipe(z.string().regex(PRISON_NUMBER, 'invalid_prison_number')),
});

export const visitor = z.strictObject({
  firstName: name,
  lastName: name,
  dateOfBirth: isoDate,
  /** A professional visitor's organisation (a solicitor's firm, a charity). */
  organisation: text()
    .trim()
    .max(60, 'too_long')
    .regex(/^[^<>]*$/, 'name_has_markup')
    .optional(),
});

/** An e-mail address as mail can be sent to: at most 254 characters, and 64 before the @ (RFC 5321). */
export const emailAddress = z
  .email('invalid_email')
  .max(254, 'invalid_email')
  .refine((address) => address.lastIndexOf('@') <= 64, 'invalid_email');

/** The additional support the visitors need: common needs, and in their own words anything else ("other" needs it). */
export const support = z
  .strictObject({
    needs: distinct(z.array(supportNeed).max(6), 'duplicate_need'),
    // Kept short: the journey carries it in its cookie, which a browser keeps only up to 4 KB.
    details: text().trim().max(300, 'too_long').optional(),
  })
  .refine((value) => !value.needs.includes('other') || Boolean(value.details), {
    path: ['details'],
    message: 'required',
  })
  .meta({ description: 'What the visitors need at the visit, shown to staff and on the visit’s pass' });

const digitsOf = (phone: string) => phone.replace(/[\s()-]/g, '');
const isUkPhone = (phone: string) => /^(\+44|0)\d{9,10}$/.test(digitsOf(phone));
/** A UK mobile number (07..., +447...): the only kind a text message can go to. */
export const isUkMobile = (phone: string) => /^(\+447|07)\d{9}$/.test(digitsOf(phone));

/** How a visitor is told about their visit once it is booked, changed, cancelled or near. */
export const notifyBy = z.enum(['email', 'text', 'both']).meta({
  description:
    'How the visitor is told that their visit is booked, changed or cancelled, and reminded of it: e-mail (the ' +
    'default), text message (to `phone`, which must then be a UK mobile), or both. Every other message is e-mailed.',
});
export type NotifyBy = z.infer<typeof notifyBy>;

export const submission = z.strictObject({
  prisonId: z.string().min(1, 'required'),
  prisoner,
  // At most 6 (and the prison's own limit): checked with the prison's rules, so that one answer names every problem.
  visitors: z.array(visitor).min(1, 'required').meta({ maxItems: 6 }),
  slotOptions: distinct(z.array(slot).min(1, 'required').max(3, 'too_many_slots'), 'duplicate_slot'),
  contact: z
    .strictObject({
      email: emailAddress,
      phone: z.string().refine(isUkPhone, 'invalid_phone'),
      notifyBy: notifyBy.optional(),
    })
    // A number that is no phone number at all is called that alone (invalid_phone).
    .refine((c) => (c.notifyBy ?? 'email') === 'email' || !isUkPhone(c.phone) || isUkMobile(c.phone), {
      path: ['phone'],
      message: 'not_a_mobile',
    }),
  locale: locale.default('en'),
  holdId: z
    .string()
    .regex(/^[\w-]{22}$/, 'invalid_format')
    .optional()
    .meta({ description: 'A place held for the time asked for (POST /api/holds), which the booking takes over' }),
  support: support.optional(),
});
export type Submission = z.infer<typeof submission>;

export const decision = z.discriminatedUnion('outcome', [
  z.strictObject({
    outcome: z.literal('accept'),
    slot,
    referenceNo: someText().trim().min(1, 'required').max(30, 'too_long'),
    closed: z.boolean().default(false),
    visitors: z
      .array(
        z.strictObject({
          index: z.number().int().min(0),
          status: visitorOutcome,
          bannedUntil: isoDate.optional(),
        }),
      )
      .default([]),
  }),
  z
    .strictObject({
      outcome: z.literal('reject'),
      reasons: distinct(z.array(rejectionReason.exclude(['request_expired'])).min(1, 'required'), 'duplicate_reason'),
      detail: text().trim().max(500, 'too_long').optional(),
      allowanceRenewsOn: isoDate.optional(),
    })
    .refine((body) => !body.reasons.includes('other') || Boolean(body.detail), {
      message: 'detail_required',
      path: ['detail'],
    }),
]);
export type Decision = z.infer<typeof decision>;

export const staffCancellation = z.strictObject({
  reasons: distinct(z.array(cancellationReason.exclude(['visitor_cancelled'])).min(1, 'required'), 'duplicate_reason'),
});
export type StaffCancellation = z.infer<typeof staffCancellation>;

export const staffMessage = z.strictObject({ body: someText().trim().min(1, 'required').max(1000, 'too_long') });

/** What a visitor is told on asking for a visit: the workflow's answer to its submission. */
export const submitted = z.object({
  reference: z.string(),
  status: z.literal('requested'),
  confirmBy: z.iso.date(),
  accessToken: z.string(),
  statusUrl: z.string(),
});
export type Submitted = z.infer<typeof submitted>;

// The zod schemas of the API: each validates a body at the edge, gives the TypeScript type used by the workflow
// and the activities, and becomes a component of the OpenAPI document. Messages are stable error codes, turned
// into words by ./errors.
import { z } from 'zod';
import { sampleCase } from '../rules/examples';
import { cancellationReason, channel, rejectionReason, visitorOutcome, visitStatus } from './vocabulary';

/** Request bodies and response bodies, registered apart: a request is described as clients send it (defaults
 * optional), a response as the API sends it. Both become OpenAPI components under their id. */
export const requests = z.registry<{ id: string }>();
export const responses = z.registry<{ id: string }>();

function named<T extends z.ZodType>(registry: typeof requests, schema: T, meta: { id: string }): T {
  registry.add(schema, meta);
  return schema;
}

/**
 * Text without control characters, bar tabs and line breaks: nobody types them, and the store cannot keep one of
 * them (NUL) in a document, so a visit holding one could never be saved.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const withoutControls = /^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$/;
const text = () => z.string().regex(withoutControls, 'invalid_characters');
/** Text that must say something: blank (spaces only) is as good as missing. */
const someText = () => text().regex(/\S/, 'required');

const name = someText()
  .trim()
  .min(1, 'required')
  .max(30, 'name_too_long')
  .regex(/^[^<>\t\n\r]*$/, 'name_has_markup');

/** A prison's code, as rule files name prisons. */
const prisonId = z.string().regex(/^[A-Z]{3}(-[A-Z0-9]+)*$/, 'unknown_prison');

// A real calendar date: the document then says `format: date` and a pattern that knows month lengths and leap years.
const isoDate = z.iso.date('invalid_date');

/** An array with no item twice: the refinement gives the error its code, the metadata tells the document. */
function distinct<T extends z.ZodArray>(array: T, code: string): T {
  return array.refine((items) => new Set(items).size === items.length, code).meta({ uniqueItems: true });
}

/** The Idempotency-Key header: 1 to 255 visible ASCII characters. */
export const idempotencyKeyHeader = z
  .string()
  .min(1, 'invalid_format')
  .max(255, 'invalid_format')
  .regex(/^[\x21-\x7e]*$/, 'invalid_format');

export const slot = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d\/([01]\d|2[0-3]):[0-5]\d$/, 'invalid_slot')
  .meta({ description: 'A visiting slot in London time, `YYYY-MM-DDTHH:MM/HH:MM`', example: '2026-12-02T14:00/15:30' });

export const prisoner = z.strictObject({
  firstName: name,
  lastName: name,
  dateOfBirth: isoDate,
  number: z
    .string()
    .transform((value) => value.replace(/\s+/g, '').toUpperCase())
    .pipe(z.string().regex(/^[A-Z]\d{4}[A-Z]{2}$/, 'invalid_prison_number')),
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

export const submission = named(
  requests,
  z.strictObject({
    prisonId: z.string().min(1, 'required'),
    prisoner,
    // At most 6 (and the prison's own limit): checked with the prison's rules, so that one answer names every problem.
    visitors: z.array(visitor).min(1, 'required').meta({ maxItems: 6 }),
    slotOptions: distinct(z.array(slot).min(1, 'required').max(3, 'too_many_slots'), 'duplicate_slot'),
    contact: z.strictObject({
      email: z.email('invalid_email').max(254, 'invalid_email'),
      phone: z.string().refine((value) => /^(\+44|0)\d{9,10}$/.test(value.replace(/[\s()-]/g, '')), 'invalid_phone'),
    }),
    locale: z.enum(['en', 'cy']).default('en'),
  }),
  { id: 'VisitRequest' },
);
export type Submission = z.infer<typeof submission>;

export const decision = named(
  requests,
  z.discriminatedUnion('outcome', [
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
  ]),
  { id: 'Decision' },
);
export type Decision = z.infer<typeof decision>;

export const staffCancellation = named(
  requests,
  z.strictObject({
    reasons: distinct(
      z.array(cancellationReason.exclude(['visitor_cancelled'])).min(1, 'required'),
      'duplicate_reason',
    ),
  }),
  { id: 'StaffCancellation' },
);
export type StaffCancellation = z.infer<typeof staffCancellation>;

export const staffMessage = named(
  requests,
  z.strictObject({ body: someText().trim().min(1, 'required').max(1000, 'too_long') }),
  { id: 'StaffMessage' },
);

export const signIn = named(
  requests,
  z.strictObject({ email: text().min(1, 'required'), password: z.string().min(1, 'required') }),
  {
    id: 'SignIn',
  },
);

// Query strings

export const queueQuery = z.object({ prisonId: prisonId.optional() });

// Spaces may fall anywhere and case does not matter: staff copy numbers from letters and screens.
const prisonNumberTerm = '[A-Za-z](?: *[0-9]){4}(?: *[A-Za-z]){2}';
const referenceTerm = '[0-9A-Za-z](?: *[0-9A-Za-z]){7}';

export const searchQuery = z.object({
  q: z
    .string()
    .regex(new RegExp(`^ *(?:${prisonNumberTerm}|${referenceTerm}) *$`), 'invalid_search')
    .meta({ description: 'A prison number like A1234BC, or an 8-character visit reference', example: 'A1234BC' }),
});

// Responses

const timelineEntry = z.object({
  status: visitStatus,
  at: z.string().meta({ format: 'date-time' }),
  by: z.enum(['visitor', 'staff', 'system']),
});

export const prisonSummary = named(
  responses,
  z.object({
    id: z.string(),
    name: z.string(),
    nameCy: z.string().optional(),
    enabled: z.boolean(),
    closed: z.boolean(),
    private: z.boolean(),
    adultAge: z.number().int(),
    maxVisitors: z.number().int(),
    maxAdults: z.number().int(),
    leadDays: z.number().int(),
    bookingWindowDays: z.number().int(),
    phone: z.string().optional(),
  }),
  { id: 'Prison' },
);

export const prisonList = named(responses, z.object({ prisons: z.array(prisonSummary) }), { id: 'PrisonList' });

export const slotList = named(
  responses,
  z.object({ prisonId: z.string(), today: z.iso.date(), confirmBy: z.iso.date(), slots: z.array(slot) }),
  { id: 'SlotList' },
);

export const submitted = named(
  responses,
  z.object({
    reference: z.string(),
    status: z.literal('requested'),
    confirmBy: z.iso.date(),
    accessToken: z.string(),
    statusUrl: z.string(),
  }),
  { id: 'Submitted' },
);
export type Submitted = z.infer<typeof submitted>;

export const publicVisit = named(
  responses,
  z.object({
    reference: z.string(),
    prisonId: z.string(),
    status: visitStatus,
    slotOptions: z.array(slot),
    slotGranted: slot.optional(),
    confirmBy: z.iso.date(),
    closed: z.boolean().optional(),
    visitors: z.array(z.object({ firstName: z.string(), lastName: z.string(), allowed: z.boolean().optional() })),
    rejection: z
      .object({ reasons: z.array(rejectionReason), auto: z.boolean(), explanations: z.array(z.string()).optional() })
      .optional(),
    cancellation: z.object({ reasons: z.array(z.string()), by: z.enum(['visitor', 'staff']) }).optional(),
    canWithdraw: z.boolean(),
    canCancel: z.boolean(),
    timeline: z.array(timelineEntry),
  }),
  { id: 'Visit' },
);

export const staffUser = z.object({
  email: z.email(),
  role: z.enum(['staff', 'admin', 'policy']),
  prisons: z.array(z.string()),
});
export type StaffUser = z.infer<typeof staffUser>;

export const session = named(responses, z.object({ token: z.string(), user: staffUser }), { id: 'StaffSession' });

export const visitSummary = named(
  responses,
  z.object({
    reference: z.string(),
    prisonId: z.string(),
    status: visitStatus,
    prisonerName: z.string(),
    slotOptions: z.array(slot),
    confirmBy: z.iso.date(),
    overdue: z.boolean(),
    submittedAt: z.string().meta({ format: 'date-time' }),
    flags: z.array(z.string()),
  }),
  { id: 'VisitSummary' },
);

export const searchResults = named(responses, z.object({ visits: z.array(visitSummary) }), {
  id: 'SearchResults',
});

export const queue = named(
  responses,
  z.object({ requested: z.array(visitSummary), cancellations: z.array(visitSummary) }),
  { id: 'Queue' },
);

const finding = z.object({ rule: z.string(), explanation: z.string() });

export const eligibility = named(
  responses,
  z.object({
    rulesVersion: z.string().meta({ description: 'Content hash of the rule file that made these findings' }),
    prisonerCheck: z.enum(['found', 'not_found', 'unavailable', 'not_configured']),
    rejections: z.array(finding.extend({ reason: rejectionReason })),
    flags: z.array(finding.extend({ flag: z.string() })),
    closedVisit: finding.optional(),
    rulesFired: z.array(z.string()),
  }),
  { id: 'Eligibility' },
);

export const staffVisit = named(
  responses,
  publicVisit.extend({
    prisoner: z.object({ firstName: z.string(), lastName: z.string(), dateOfBirth: z.string(), number: z.string() }),
    visitors: z.array(
      z.object({
        firstName: z.string(),
        lastName: z.string(),
        dateOfBirth: z.string(),
        organisation: z.string().optional(),
        outcome: visitorOutcome.optional(),
        bannedUntil: z.string().optional(),
      }),
    ),
    contact: z.object({ email: z.string(), phone: z.string() }),
    referenceNo: z.string().optional(),
    rejection: z
      .object({
        reasons: z.array(rejectionReason),
        auto: z.boolean(),
        explanations: z.array(z.string()).optional(),
        detail: z.string().optional(),
        allowanceRenewsOn: z.string().optional(),
      })
      .optional(),
    eligibility: eligibility.optional(),
    messages: z.array(z.object({ body: z.string(), at: z.string().meta({ format: 'date-time' }), by: z.string() })),
    channel: channel.meta({ description: 'How the request arrived: the web, or a helper for the visitor' }),
    assistedMinutes: z.number().int().optional(),
    overdue: z.boolean(),
    cancellationConfirmed: z.boolean().optional(),
    completedAt: z.string().meta({ format: 'date-time' }).optional(),
    submittedAt: z.string().meta({ format: 'date-time' }),
    timeline: z.array(timelineEntry.extend({ actor: z.string().optional() })),
  }),
  { id: 'StaffVisit' },
);

export const health = named(
  responses,
  z.object({ status: z.enum(['ok', 'unavailable']), temporal: z.enum(['up', 'down']), mongo: z.enum(['up', 'down']) }),
  { id: 'Health' },
);

export const problem = named(
  responses,
  z.object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })).optional(),
  }),
  { id: 'Problem' },
);

// Policy preview

export const policyPreviewRequest = named(
  requests,
  z
    .strictObject({
      prisonId: z.string().optional().meta({ description: 'A prison whose rule file in force to use' }),
      ruleFile: z.string().max(60_000).optional().meta({ description: 'An edited rule file (YAML) to try instead' }),
      case: sampleCase.prefault({}),
    })
    .refine((body) => body.prisonId !== undefined || body.ruleFile !== undefined, {
      message: 'required',
      path: ['prisonId'],
    })
    // The refinement above in the document's words; the refinement keeps the error on a named field.
    .meta({ anyOf: [{ required: ['prisonId'] }, { required: ['ruleFile'] }] }),
  { id: 'PolicyPreviewRequest' },
);

export const policyPreview = named(
  responses,
  z.object({
    prisonId: z.string(),
    rulesVersion: z.string(),
    edited: z.boolean().meta({ description: 'Whether an edited copy was used rather than the file in force' }),
    eligibility,
    rules: z.array(
      z.object({
        rule: z.string(),
        fired: z.boolean(),
        event: z.object({ type: z.string(), params: z.record(z.string(), z.string()) }),
        conditions: z.array(
          z.object({
            test: z.string(),
            actual: z.unknown().optional().meta({ description: 'Absent when the fact has no such value' }),
            result: z.boolean(),
          }),
        ),
      }),
    ),
  }),
  { id: 'PolicyPreview' },
);

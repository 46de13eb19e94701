// The zod schemas of the API: the domain's shapes (rules/shapes) registered as OpenAPI components, and the API's
// own (query strings, answers, sign-in). Messages are stable error codes, turned into words by ./errorMessages.
import { z } from 'zod';
import { sampleCase } from '../rules/examples';
import {
  decision,
  emailAddress,
  prisonId,
  prisoner,
  slot,
  staffCancellation,
  staffMessage,
  submission,
  submitted,
  text,
  visitor,
} from '../rules/shapes';
import { channel, locale, rejectionReason, supportNeed, visitorOutcome, visitStatus } from '../rules/vocabulary';
import { HELP_ANSWERS } from '../activities/readModel/feedback';

/** Request bodies and response bodies, registered apart: a request is described as clients send it (defaults
 * optional), a response as the API sends it. Both become OpenAPI components under their id. */
export const requests = z.registry<{ id: string }>();
export const responses = z.registry<{ id: string }>();

function named<T extends z.ZodType>(registry: typeof requests, schema: T, meta: { id: string }): T {
  registry.add(schema, meta);
  return schema;
}

/** The Idempotency-Key header: 1 to 255 visible ASCII characters. */
export const idempotencyKeyHeader = z
  .string()
  .min(1, 'invalid_format')
  .max(255, 'invalid_format')
  .regex(/^[\x21-\x7e]*$/, 'invalid_format');

// The domain's shapes (rules/shapes), registered as the OpenAPI components they are.
requests.add(submission, { id: 'VisitRequest' });
requests.add(decision, { id: 'Decision' });
requests.add(staffCancellation, { id: 'StaffCancellation' });
requests.add(staffMessage, { id: 'StaffMessage' });

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

export const holdRequest = named(
  requests,
  z.strictObject({
    prisonId,
    slot: slot.meta({ description: 'A slot the prison offers today (GET /api/prisons/{prisonId}/slots)' }),
  }),
  { id: 'HoldRequest' },
);

export const timeChange = named(
  requests,
  z.strictObject({
    slot: slot.meta({
      description: 'Another time the prison offers, not yet started, within its booking window: the visit moves to it',
    }),
  }),
  { id: 'TimeChange' },
);

export const visitorsChange = named(
  requests,
  z.strictObject({
    additionalVisitors: z
      .array(visitor.omit({ organisation: true }))
      .max(5, 'too_many_visitors')
      .meta({ description: 'Everyone who comes with the lead visitor (who stays), replacing those there were' }),
  }),
  { id: 'VisitorsChange' },
);

export const placeHeld = named(
  responses,
  z.object({
    holdId: z.string().meta({ description: 'The hold’s key: send it to let the place go, or with the request' }),
    prisonId: z.string(),
    slot,
    expiresAt: z.iso.datetime().meta({ description: 'When the place goes back if no request has taken it' }),
  }),
  { id: 'PlaceHeld' },
);

export const prisonList = named(responses, z.object({ prisons: z.array(prisonSummary) }), { id: 'PrisonList' });

export const slotList = named(
  responses,
  z.object({
    prisonId: z.string(),
    today: z.iso.date(),
    confirmBy: z.iso.date(),
    slots: z.array(slot).meta({ description: 'The slots that can be asked for today, with an open place free' }),
    full: z
      .array(slot)
      .meta({ description: 'The slots bookable today whose open places are all taken or held, left out of slots' }),
  }),
  { id: 'SlotList' },
);

responses.add(submitted, { id: 'Submitted' });

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

/** A period of London dates for the performance figures: both included, at most 366 days. */
export const performanceQuery = z
  .object({
    from: z.iso
      .date('invalid_date')
      .meta({ description: 'The first London date of the period', example: '2026-11-01' }),
    to: z.iso.date('invalid_date').meta({ description: 'The last London date of the period', example: '2026-11-30' }),
  })
  .refine(({ from, to }) => from <= to, { path: ['from'], message: 'from_after_to' })
  .refine(({ from, to }) => Date.parse(to) - Date.parse(from) <= 365 * 86_400_000, {
    path: ['from'],
    message: 'period_too_long',
  });

const againstEstimate = {
  requests: z.number().int().nonnegative(),
  expectedRequests: z.number().meta({ description: 'The settings’ estimate for the days of the month in the period' }),
  requestsDifference: z.number().meta({ description: 'Requests less expected: above the estimate when positive' }),
  minutes: z
    .number()
    .int()
    .nonnegative()
    .meta({ description: 'Minutes helping: recorded, and estimated where none is' }),
  estimatedMinutes: z.number().int().meta({
    description: 'Of the minutes, those counted at the settings’ minutes a request (web helpers record none)',
  }),
  expectedMinutes: z.number().int().nonnegative(),
  minutesDifference: z.number().int(),
  cost: z.number().meta({ description: 'Each request’s minutes at its cost per minute, in the currency given' }),
  expectedCost: z.number(),
  costDifference: z.number(),
  capacityMinutes: z
    .number()
    .int()
    .nonnegative()
    .meta({ description: 'Minutes of help there were on the days in the period' }),
  capacityUsed: z.number().nullable().meta({ description: 'Minutes over capacity minutes; null with no capacity' }),
  capacityWarning: z.boolean().meta({ description: 'Capacity used is above capacityWarningShare' }),
};

export const assistedDigitalFigures = named(
  responses,
  z.object({
    currency: z.string().meta({ example: 'GBP' }),
    capacityWarningShare: z.number(),
    settingsVersion: z.string().meta({ description: 'Content hash of the assisted-digital settings used' }),
    months: z.array(
      z.object({
        month: z.string().meta({ example: '2026-11' }),
        days: z.number().int().meta({ description: 'Days of the month inside the period' }),
        requests: z.number().int().meta({ description: 'All requests, whatever their channel' }),
        assistedRequests: z.number().int(),
        assistedShare: z.number().nullable(),
        channels: z.array(z.object({ channel: z.string(), name: z.string(), ...againstEstimate })),
        organisations: z
          .array(z.object({ channel: z.string(), organisation: z.string(), ...againstEstimate }))
          .meta({ description: 'The helper organisations the settings name, each with its own estimate and capacity' }),
        awareness: z
          .object({
            responses: z.number().int(),
            answered: z.number().int().meta({ description: 'Responses that said whether they knew help was there' }),
            aware: z.number().int(),
            awareShare: z.number().nullable(),
            helped: z
              .object(Object.fromEntries(HELP_ANSWERS.map((answer) => [answer, z.number().int().nonnegative()])))
              .meta({ description: 'How many said they had help each way, or none (no)' }),
          })
          .meta({ description: 'From the feedback of the month, at every prison (feedback names none)' }),
      }),
    ),
  }),
  { id: 'AssistedDigitalFigures' },
);

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
    rejections: z.array(
      finding.extend({
        reason: rejectionReason,
        explanationCy: z.string().optional().meta({ description: 'The explanation in Welsh, when the rule gives it' }),
      }),
    ),
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
        explanationsCy: z
          .array(z.string())
          .optional()
          .meta({ description: 'The explanations in Welsh, when every rule that rejected gives its Welsh' }),
        detail: z.string().optional(),
        allowanceRenewsOn: z.string().optional(),
      })
      .optional(),
    eligibility: eligibility.optional(),
    messages: z.array(z.object({ body: z.string(), at: z.string().meta({ format: 'date-time' }), by: z.string() })),
    changes: z
      .array(
        z.object({
          at: z.string().meta({ format: 'date-time' }),
          by: z.string(),
          slot: z.object({ from: slot, to: slot }).optional().meta({ description: 'Moved to another time' }),
          visitors: z
            .object({ from: z.number().int(), to: z.number().int() })
            .optional()
            .meta({ description: 'Other visitors with the lead: how many visitors in all, before and after' }),
        }),
      )
      .optional()
      .meta({ description: 'Changes staff made to the booked visit, oldest first' }),
    channel,
    assistedMinutes: z.number().int().optional(),
    assistedOrganisation: z
      .string()
      .optional()
      .meta({ description: 'For a request a helper entered: the organisation they helped from' }),
    support: z
      .object({ needs: z.array(supportNeed), details: z.string().optional() })
      .optional()
      .meta({ description: 'What the visitors said they need at the visit' }),
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

// Booker accounts (api/bookers.ts)

export const bookerSignInRequest = named(
  requests,
  z.strictObject({ email: emailAddress, locale: locale.default('en') }),
  { id: 'BookerSignInRequest' },
);

export const bookerSessionRequest = named(
  requests,
  z.strictObject({
    code: z
      .string()
      .min(1, 'required')
      .max(100, 'invalid_format')
      .meta({ description: 'The code in the e-mailed link' }),
  }),
  { id: 'BookerSessionRequest' },
);

export const bookerSession = named(
  responses,
  z.object({
    token: z.string().meta({ description: 'Send as a bearer token: the booker’s own routes, and with visit requests' }),
    expiresAt: z.iso.datetime(),
  }),
  { id: 'BookerSession' },
);

export const linkPrisonerRequest = named(
  requests,
  z.strictObject({ number: prisoner.shape.number, dateOfBirth: prisoner.shape.dateOfBirth }),
  { id: 'LinkPrisonerRequest' },
);

const person = { firstName: z.string(), lastName: z.string(), dateOfBirth: z.string() };

export const bookerAccount = named(
  responses,
  z.object({
    email: z.string(),
    prisoners: z.array(z.object({ ...person, number: z.string(), prisonId: z.string(), linkedAt: z.string() })),
    visitors: z.array(z.object(person)),
  }),
  { id: 'BookerAccount' },
);

export const bookerVisits = named(
  responses,
  z.object({ upcoming: z.array(publicVisit), past: z.array(publicVisit), cancelled: z.array(publicVisit) }),
  { id: 'BookerVisits' },
);

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
  someText,
  staffCancellation,
  staffMessage,
  submission,
  submitted,
  text,
  visitor,
} from '../rules/shapes';
import { channel, locale, rejectionReason, supportNeed, visitorOutcome, visitStatus } from '../rules/vocabulary';
import { HELP_ANSWERS } from '../activities/readModel/feedback';
import { prisonerEvent } from '../rules/prisonerRecord';

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

/** A session of a day, `HH:MM/HH:MM`: a slot's times. */
const visitingSession = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d\/([01]\d|2[0-3]):[0-5]\d$/, 'invalid_session')
  .meta({
    description: 'One of the day’s visiting times, `HH:MM/HH:MM`; absent: the whole day',
    example: '14:00/15:30',
  });

export const blockDateRequest = named(
  requests,
  z.strictObject({
    date: z.iso
      .date('invalid_date')
      .meta({ description: 'The London date to block, today or later', example: '2027-01-08' }),
    session: visitingSession.optional(),
    reason: someText().trim().min(1, 'required').max(300, 'too_long').meta({ description: 'Why, for other staff' }),
  }),
  { id: 'BlockDateRequest' },
);

/** The session of a block to remove, in the query string (none: the whole-day block). */
export const unblockQuery = z.object({ session: visitingSession.optional() });

export const blockedDate = named(
  responses,
  z.object({
    prisonId: z.string(),
    date: z.iso.date(),
    session: visitingSession.optional(),
    reason: z.string(),
    by: z.string().meta({ description: 'The e-mail of the member of staff who blocked it' }),
    at: z.iso.datetime({ offset: true }).meta({ description: 'When it was blocked' }),
  }),
  { id: 'BlockedDate' },
);

export const blockedDateList = named(
  responses,
  z.object({ prisonId: z.string(), blockedDates: z.array(blockedDate) }),
  { id: 'BlockedDateList' },
);

export const dateBlocked = named(
  responses,
  z.object({
    blockedDate,
    created: z.boolean().meta({ description: 'False when the date or session was blocked already: nothing changed' }),
    flagged: z.number().int().meta({
      description: 'The visits booked in it, and requests asking for it, told of the block: staff review them',
    }),
  }),
  { id: 'DateBlocked' },
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
    orders: z
      .object({
        statement: z.object({ balance: z.number().int(), renewsOn: z.string() }).optional(),
        remand: z.boolean(),
      })
      .optional()
      .meta({ description: 'The prisoner’s visiting orders as their record gave them at the check' }),
    visitors: z
      .array(
        z.object({
          match: z.enum(['exact', 'near', 'none']),
          contactId: z.string().optional(),
          relationship: z.string().optional(),
          differences: z
            .array(
              z.object({
                field: z.enum(['firstName', 'lastName', 'dateOfBirth']),
                given: z.string(),
                onRecord: z.string().optional(),
              }),
            )
            .optional(),
          banned: z.object({ until: z.string().optional() }).optional(),
          bannedOnSomeDates: z.array(z.string()).optional(),
          closed: z.literal(true).optional(),
          closedOnSomeDates: z.array(z.string()).optional(),
        }),
      )
      .optional()
      .meta({
        description: 'Each visitor against the prisoner’s approved contacts, lead first, when the record lists them',
      }),
    allowanceRenewsOn: z.string().optional(),
    recordSeen: z
      .object({ prisonId: z.string(), status: z.enum(['in_prison', 'released', 'out_of_prison']).optional() })
      .optional()
      .meta({ description: 'Where the prisoner’s record placed them at the check' }),
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
        changeId: z.string().optional(),
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
    reviews: z
      .array(
        z.object({
          since: z.string().meta({ format: 'date-time' }),
          changes: z.array(
            z.object({
              id: z.string(),
              kind: z.string(),
              detail: z.string(),
              detailCy: z.string().optional(),
              at: z.string(),
              source: z.enum(['event', 'recheck', 'staff']),
              rejectAs: rejectionReason.optional(),
            }),
          ),
          closed: z
            .object({
              at: z.string().meta({ format: 'date-time' }),
              by: z.string().optional(),
              outcome: z.enum(['no_change_needed', 'changed', 'cancelled', 'decided', 'ended']),
            })
            .optional(),
        }),
      )
      .optional()
      .meta({
        description: 'Reviews after changes to the prisoner’s record, oldest first; the last is open until closed',
      }),
    needsReview: z.boolean(),
    visitingOrder: z
      .enum(['used', 'given_back'])
      .optional()
      .meta({ description: 'The visiting order booking used, and whether a cancellation gave it back' }),
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

// What follows the prisoner's record (api/prisonerRecords.ts).
export const visitingOrderAdjustment = z.strictObject({
  amount: z
    .number('not_a_number')
    .int('not_a_whole_number')
    .min(-20, 'too_small')
    .max(20, 'too_large')
    .refine((amount) => amount !== 0, 'zero')
    .meta({ description: 'Orders to add (positive) or take away (negative), -20 to 20, not 0', not: { const: 0 } }),
  reason: someText().trim().min(1, 'required').max(300, 'too_long'),
});
requests.add(visitingOrderAdjustment, { id: 'VisitingOrderAdjustment' });
requests.add(prisonerEvent, { id: 'PrisonerEvent' });

const ledgerEntry = z.object({
  key: z.string(),
  kind: z.enum(['issued', 'used', 'given_back', 'adjusted', 'moved']),
  amount: z.number().int(),
  balance: z.number().int().meta({ description: 'The balance after this entry' }),
  renewsOn: z.string().optional(),
  at: z.string().meta({ format: 'date-time' }),
  reference: z.string().optional(),
  week: z.string().optional().meta({ description: 'A remand prisoner’s visit: the Monday of its week' }),
  reason: z.string().optional(),
  by: z.string().optional(),
});

export const visitingOrdersView = z.object({
  prisonerNumber: z.string(),
  balance: z
    .number()
    .int()
    .optional()
    .meta({ description: 'Orders left this period; absent when neither the ledger nor the record says' }),
  renewsOn: z.string().optional().meta({ description: 'When new orders are issued' }),
  remand: z.boolean().optional().meta({ description: 'A remand prisoner: visits limited by week, not orders' }),
  recordChecked: z.boolean().meta({ description: 'Whether the prisoner service answered for this view' }),
  mayAdjust: z.boolean().meta({ description: 'Whether this user’s prison holds the prisoner, and so may adjust' }),
  entries: z.array(ledgerEntry).meta({ description: 'The ledger, newest first' }),
});
responses.add(visitingOrdersView, { id: 'VisitingOrders' });

export const reviewItem = z.object({
  reference: z.string(),
  prisonId: z.string(),
  status: z.string(),
  prisonerName: z.string(),
  prisonerNumber: z.string(),
  slotGranted: z.string().optional(),
  since: z.string().meta({ format: 'date-time' }),
  changes: z.array(
    z.object({
      kind: z.string(),
      detail: z.string(),
      detailCy: z.string().optional(),
      at: z.string(),
      source: z.string(),
    }),
  ),
});
export const reviewList = z.object({ visits: z.array(reviewItem) });
responses.add(reviewList, { id: 'ReviewList' });

export const eventsTold = z.object({
  visits: z.array(z.object({ reference: z.string(), change: z.string() })),
});
responses.add(eventsTold, { id: 'PrisonerEventTold' });

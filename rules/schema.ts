// The rule file of one prison, as policy teams write it in YAML. This schema is the one source: the loader, the
// `rules -- check` command and the editors' JSON Schema (rules/rule-file.schema.json) all come from it.
import { z } from 'zod';
import { rejectionReason } from './vocabulary';

export const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** A visiting time, `HHMM-HHMM` in 24-hour London time, ending after it starts. */
export const timeRange = z
  .string()
  .regex(/^([01]\d|2[0-3])[0-5]\d-([01]\d|2[0-3])[0-5]\d$/, 'must be HHMM-HHMM in 24-hour time, for example 1400-1530')
  .refine((range) => range.slice(0, 4) < range.slice(5), 'must end after it starts')
  .meta({ examples: ['1400-1530'] });

const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine((value) => new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), 'is not a real date');

/** The days the visits booking line can answer, Monday first: a range runs forwards through the week. */
export const phoneDays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type PhoneDay = (typeof phoneDays)[number];

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const clockTime = z
  .string()
  .regex(HH_MM, 'must be HH:MM in 24-hour time, for example 09:00')
  .meta({ examples: ['09:00'] });

/** When the booking line answers on a day, or a run of days; the pages word it in English and in Welsh. */
const phoneTimes = z
  .strictObject({
    first_day: z.enum(phoneDays),
    last_day: z.enum(phoneDays).optional().describe('The last day of the run; leave it out for one day'),
    opens: clockTime,
    closes: clockTime,
  })
  .superRefine((times, ctx) => {
    // Compared only when both are times: a mistyped one has its own error.
    if (HH_MM.test(times.opens) && HH_MM.test(times.closes) && times.closes <= times.opens) {
      ctx.addIssue({ code: 'custom', path: ['closes'], message: `must be after opens (${times.opens})` });
    }
    if (times.last_day !== undefined && phoneDays.indexOf(times.last_day) <= phoneDays.indexOf(times.first_day)) {
      ctx.addIssue({
        code: 'custom',
        path: ['last_day'],
        message: `must come after first_day (${times.first_day}) in a week from Monday to Sunday; leave it out for one day`,
      });
    }
  });

const times = z.array(timeRange).refine((list) => new Set(list).size === list.length, 'lists a time twice');

const capacity = z.strictObject({
  open: z.number().int().min(0).optional().describe('Open visits a slot can hold'),
  closed: z.number().int().min(0).optional().describe('Closed visits a slot can hold'),
});

/** The facts a condition can test; see rules/README.md for their fields. */
export const factNames = ['request', 'visitors', 'contacts', 'prisoner', 'earlierVisits'] as const;

export const operators = [
  'equal',
  'notEqual',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
] as const;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export interface Condition {
  all?: Condition[];
  any?: Condition[];
  not?: Condition;
  fact?: (typeof factNames)[number];
  path?: string;
  operator?: (typeof operators)[number];
  value?: string | number | boolean | (string | number | boolean)[];
}

/** A json-rules-engine condition: `all`, `any` or `not` of conditions, or one test of a fact. */
export const condition: z.ZodType<Condition> = z.lazy(() =>
  z
    .strictObject({
      all: z.array(condition).min(1).optional(),
      any: z.array(condition).min(1).optional(),
      not: condition.optional(),
      fact: z.enum(factNames).optional(),
      path: z
        .string()
        .regex(/^\$(\.[A-Za-z0-9_]+|\[\d+\])+$/, 'must be a path like $.category or $[0].match')
        .optional(),
      operator: z.enum(operators).optional(),
      value: z.union([scalar, z.array(scalar)]).optional(),
    })
    .superRefine((c, ctx) => {
      const kinds = (['all', 'any', 'not', 'fact'] as const).filter((kind) => c[kind] !== undefined);
      if (kinds.length !== 1) {
        ctx.addIssue({ code: 'custom', message: 'needs exactly one of all, any, not or fact' });
      } else if (c.fact !== undefined) {
        if (c.operator === undefined)
          ctx.addIssue({ code: 'custom', path: ['operator'], message: 'is required with fact' });
        if (c.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: 'is required with fact' });
      } else if (c.path !== undefined || c.operator !== undefined || c.value !== undefined) {
        ctx.addIssue({ code: 'custom', message: 'path, operator and value go with fact only' });
      }
    }),
);

const explanation = z.string().min(1).describe('Plain English, shown to staff (and, for a rejection, to the visitor)');

export const eligibilityEvent = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('reject'),
    params: z.strictObject({
      reason: rejectionReason.exclude(['request_expired', 'other']),
      explanation,
      explanation_cy: z
        .string()
        .min(1)
        .optional()
        .describe('The explanation in Welsh, for a visitor who asked in Welsh (else they read the reason’s own words)'),
    }),
  }),
  z.strictObject({
    type: z.literal('flag'),
    params: z.strictObject({
      flag: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case, for example frequent_visits'),
      explanation,
    }),
  }),
  z.strictObject({ type: z.literal('closed_visit'), params: z.strictObject({ explanation }) }),
]);

export const eligibilityRule = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be kebab-case, for example category-a-closed-visits'),
  description: z.string().optional(),
  priority: z.number().int().min(1).optional(),
  conditions: condition,
  event: eligibilityEvent,
});
export type EligibilityRule = z.infer<typeof eligibilityRule>;

export const ruleFileSchema = z
  .strictObject({
    id: z
      .string()
      .regex(
        /^[A-Z]{3}(-[A-Z0-9]+)*$/,
        'must be the prison’s three-letter code, optionally with a part: BNI or BNI-REMAND',
      ),
    name: z.string().min(1),
    name_cy: z.string().min(1).optional().describe('The name in Welsh'),
    address: z.array(z.string().min(1)).optional(),
    postcode: z.string().optional(),
    phone: z.string().optional().describe('The visits booking line'),
    phone_times: z
      .array(phoneTimes)
      .min(1)
      .optional()
      .describe('When the visits booking line answers, worded on the pages in English and Welsh'),
    phone_hours: z
      .string()
      .min(1)
      .optional()
      .describe('Free text, only where phone_times cannot say it; needs phone_hours_cy too'),
    phone_hours_cy: z.string().min(1).optional().describe('phone_hours in Welsh'),
    enabled: z.boolean().default(true).describe('Takes requests through this service'),
    closed: z.boolean().default(false),
    private: z.boolean().default(false).describe('Run privately: books its own visits'),
    booking: z
      .enum(['request', 'instant'])
      .default('request')
      .describe(
        'request: the visitor offers 1 to 3 times and staff book one; instant: one time, booked at once unless a rule flags the request for staff',
      ),
    limits: z
      .strictObject({
        adult_age: z.number().int().min(0).max(18).default(18),
        max_visitors: z.number().int().min(1).max(6).default(6),
        max_adults: z.number().int().min(1).max(6).default(3),
      })
      .prefault({}),
    calendar: z.strictObject({
      lead_days: z
        .number()
        .int()
        .min(0, 'must be 0 or more')
        .max(28, 'must be 28 days or fewer')
        .default(3)
        .describe('Processing days staff have to decide'),
      booking_window: z
        .number()
        .int()
        .min(1, 'must be at least 1 day')
        .max(28, 'must be 28 days or fewer')
        .default(28)
        .describe('Days ahead that can be booked'),
      weekend_processing: z.boolean().default(false),
      recurring: z.strictObject(Object.fromEntries(weekdays.map((day) => [day, times.optional()]))),
      anomalous: z.record(calendarDate, times).default({}).describe('Dates whose times replace the usual ones'),
      unbookable: z.array(calendarDate).default([]).describe('Dates with no visits'),
      capacity: capacity
        .extend({ times: z.record(timeRange, capacity).optional().describe('Per visiting time') })
        .optional()
        .describe('Visits a slot can hold; none means no limit'),
    }),
    reminders: z
      .strictObject({
        visitor_days_before: z.number().int().min(0).max(14).default(2),
        staff_days_before_confirm_by: z.number().int().min(0).max(5).default(1),
      })
      .prefault({}),
    eligibility: z.array(eligibilityRule).default([]),
  })
  .superRefine((file, ctx) => {
    if (file.phone_hours !== undefined && file.phone_times !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['phone_hours'], message: 'give phone_times or phone_hours, not both' });
    } else if (file.phone_hours !== undefined && file.phone_hours_cy === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['phone_hours'],
        message: 'needs phone_hours_cy, the same in Welsh: give the Welsh as well, or use phone_times',
      });
    }
    if (file.phone_hours_cy !== undefined && file.phone_hours === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['phone_hours_cy'],
        message: 'is the Welsh of phone_hours, which is missing',
      });
    }
    for (const date of file.calendar.unbookable) {
      if (date in file.calendar.anomalous) {
        ctx.addIssue({
          code: 'custom',
          path: ['calendar', 'unbookable', file.calendar.unbookable.indexOf(date)],
          message: `${date} is also an anomalous date: a date cannot be both`,
        });
      }
    }
    if (file.limits.max_adults > file.limits.max_visitors) {
      ctx.addIssue({ code: 'custom', path: ['limits', 'max_adults'], message: 'cannot be more than max_visitors' });
    }
    const names = file.eligibility.map((rule) => rule.name);
    names.forEach((name, index) => {
      if (names.indexOf(name) !== index) {
        ctx.addIssue({ code: 'custom', path: ['eligibility', index, 'name'], message: `${name} is used twice` });
      }
    });
  });

export type RuleFile = z.infer<typeof ruleFileSchema>;

/** The JSON Schema that editors use to check rule files as they are typed. */
export function ruleFileJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ruleFileSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Prison visit rule file',
  };
}

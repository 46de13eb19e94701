// The rule file of one prison: its schema (the one source for the loader and the checker) and its loader.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** A visiting time on a weekday, `HHMM-HHMM` in 24-hour London time, ending after it starts. */
const timeRange = z
  .string()
  .regex(/^([01]\d|2[0-3])[0-5]\d-([01]\d|2[0-3])[0-5]\d$/, 'must be HHMM-HHMM, for example 1400-1530')
  .refine((range) => range.slice(0, 4) < range.slice(5), 'must end after it starts');

const recurring = z.strictObject(Object.fromEntries(weekdays.map((day) => [day, z.array(timeRange).optional()])));

export const ruleFileSchema = z.strictObject({
  id: z.string().regex(/^[A-Z]{3}$/, 'must be three capital letters'),
  name: z.string().min(1),
  name_cy: z.string().min(1).optional(),
  phone: z.string().min(1).optional(),
  enabled: z.boolean().default(true),
  closed: z.boolean().default(false),
  private: z.boolean().default(false),
  limits: z
    .strictObject({
      adult_age: z.number().int().min(0).max(18).default(18),
      max_visitors: z.number().int().min(1).max(6).default(6),
      max_adults: z.number().int().min(1).max(6).default(3),
    })
    .prefault({}),
  calendar: z.strictObject({
    lead_days: z.number().int().min(0).max(28).default(3),
    booking_window: z.number().int().min(1).max(28).default(28),
    weekend_processing: z.boolean().default(false),
    recurring,
  }),
});

export type RuleFile = z.infer<typeof ruleFileSchema>;

/** A prison as the code uses it. */
export interface Prison {
  id: string;
  name: string;
  nameCy?: string;
  phone?: string;
  enabled: boolean;
  closed: boolean;
  private: boolean;
  adultAge: number;
  maxVisitors: number;
  maxAdults: number;
  leadDays: number;
  bookingWindowDays: number;
  weekendProcessing: boolean;
  /** Visiting times by weekday, Sunday first, each `HH:MM/HH:MM`. */
  recurring: string[][];
}

function toPrison(file: RuleFile): Prison {
  return {
    id: file.id,
    name: file.name,
    nameCy: file.name_cy,
    phone: file.phone,
    enabled: file.enabled,
    closed: file.closed,
    private: file.private,
    adultAge: file.limits.adult_age,
    maxVisitors: file.limits.max_visitors,
    maxAdults: file.limits.max_adults,
    leadDays: file.calendar.lead_days,
    bookingWindowDays: file.calendar.booking_window,
    weekendProcessing: file.calendar.weekend_processing,
    recurring: weekdays.map((day) =>
      (file.calendar.recurring[day] ?? []).map(
        (range) => `${range.slice(0, 2)}:${range.slice(2, 4)}/${range.slice(5, 7)}:${range.slice(7, 9)}`,
      ),
    ),
  };
}

/** Parses one rule file, throwing an error that names the file and each bad path. */
export function parseRuleFile(text: string, fileName: string): Prison {
  const result = ruleFileSchema.safeParse(parse(text));
  if (result.success) return toPrison(result.data);
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(file)'}: ${issue.message}`);
  throw new Error(`${fileName} is not a valid rule file:\n${lines.join('\n')}`);
}

/** Loads every `*.yaml` rule file of a folder, keyed by prison id. */
export function loadPrisons(dir: string): Map<string, Prison> {
  const prisons = new Map<string, Prison>();
  for (const name of readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()) {
    const prison = parseRuleFile(readFileSync(join(dir, name), 'utf8'), name);
    if (prisons.has(prison.id)) throw new Error(`${name}: prison ${prison.id} is defined twice`);
    prisons.set(prison.id, prison);
  }
  return prisons;
}

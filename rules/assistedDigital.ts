// The assisted-digital settings: for each way a visitor can be helped to ask for a visit (the phone line, the
// visitor centre, a helper organisation on the web form, ...), what a minute of help costs, how many requests a
// month to expect and how long each takes, and how many minutes a week the helpers have, with prisons and organisations that differ. One
// YAML file, `assisted-digital.yaml`, beside the prisons' rule files, read and checked as they are (./ruleFile).
// This schema is its one source: the loader, `npm run rules -- check` and rules/assisted-digital.schema.json.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { checkYamlFile, contentHash, nearest, type RuleFileError } from './ruleFile';
import { ruleFileSchema } from './schema';
import { assistedChannels, channelCode } from './vocabulary';

export const assistedSettingsFileName = 'assisted-digital.yaml';

/**
 * The channels every settings file must price: those of the staff form's assisted request, and `web_helper`, a
 * helper organisation using the visitors' web form. An operator may add channels of their own.
 */
export const requiredChannels = [...assistedChannels, 'web_helper'] as const;

const wholeNumber = z.number().int('must be a whole number').min(0, 'must be 0 or more');

/** The three numbers of a channel; a prison or an organisation may override any of them. */
const numbers = {
  cost_per_minute: z
    .number()
    .positive('must be more than 0')
    .describe('What a minute of a helper’s time costs, in the file’s currency (pounds for GBP)'),
  expected_requests_per_month: wholeNumber.describe('Requests expected through this channel in a month'),
  minutes_per_request: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be 1 or more')
    .max(600, 'must be 600 or less')
    .describe('Minutes of help a request is expected to take: the estimate of minutes and cost'),
  capacity_minutes_per_week: wholeNumber.describe('Minutes of help the channel can give in a week'),
};

const override = z.strictObject(numbers).partial();

/** A map's keys are checked even when some of its values have mistakes of their own, so all are reported at once. */
const evenWithValueErrors = {
  when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null,
};

/** Why `id` is not a prison the settings may name, or undefined when it is one. */
function prisonIdProblem(id: string, prisonIds: readonly string[] | undefined): string | undefined {
  if (prisonIds && !prisonIds.includes(id)) {
    const suggestion = nearest(id, [...prisonIds]);
    return `unknown prison id "${id}": no rule file has it${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
  }
  if (!ruleFileSchema.shape.id.safeParse(id).success) {
    return `"${id}" is not a prison id: the prison’s three-letter code, as in its rule file`;
  }
  return undefined;
}

/** A prison's overrides: keyed by prison id, checked against the rule book's prisons when they are known. */
function prisonOverrides(prisonIds: readonly string[] | undefined) {
  return z
    .record(z.string(), override)
    .superRefine((prisons, ctx) => {
      for (const id of Object.keys(prisons)) {
        const message = prisonIdProblem(id, prisonIds);
        if (message) ctx.addIssue({ code: 'custom', params: { key: id }, message });
      }
    }, evenWithValueErrors)
    .optional()
    .describe('Per prison id, the numbers that differ from the channel’s');
}

/**
 * A helper organisation: what to expect of it and the help it can give are its own (required); its cost and minutes
 * a request are the channel's unless it sets them; it helps the visitors of the prisons listed, or of every prison.
 */
function organisationSchema(prisonIds: readonly string[] | undefined) {
  return z.strictObject({
    cost_per_minute: numbers.cost_per_minute.optional(),
    minutes_per_request: numbers.minutes_per_request.optional(),
    expected_requests_per_month: numbers.expected_requests_per_month,
    capacity_minutes_per_week: numbers.capacity_minutes_per_week,
    prisons: z
      .array(z.string())
      .min(1, 'must list a prison, or be left out for every prison')
      .superRefine((ids, ctx) => {
        ids.forEach((id, index) => {
          const message = prisonIdProblem(id, prisonIds);
          if (message) ctx.addIssue({ code: 'custom', path: [index], message });
        });
      })
      .optional()
      .describe('The prison ids whose visitors it helps; every prison when left out'),
  });
}

/**
 * A name as staff and visitors type it, for matching: compatible characters folded (NFKC), curly apostrophes
 * straightened, spaces collapsed, case ignored.
 */
const nameKey = (name: string) =>
  name.normalize('NFKC').replace(/[‘’`]/g, "'").replace(/\s+/g, ' ').trim().toLowerCase();

function channelSchema(prisonIds: readonly string[] | undefined) {
  return z.strictObject({
    name: z.string().min(1).describe('The channel’s name, as staff read it'),
    name_cy: z.string().min(1).optional().describe('The name in Welsh'),
    ...numbers,
    prisons: prisonOverrides(prisonIds),
    organisations: z
      .record(z.string().min(1), organisationSchema(prisonIds))
      .superRefine((organisations, ctx) => {
        const seen = new Map<string, string>();
        for (const name of Object.keys(organisations)) {
          const first = seen.get(nameKey(name));
          if (first !== undefined) {
            const message = `is the same name as "${first}": names are matched whatever their case and spacing`;
            ctx.addIssue({ code: 'custom', params: { key: name }, message });
          } else seen.set(nameKey(name), name);
        }
      }, evenWithValueErrors)
      .optional()
      .describe('Per helper organisation, by the name staff enter: its own estimate and capacity'),
  });
}

/** The settings file's schema; given the rule book's prison ids, a prison override must name one of them. */
export function assistedSettingsSchema(prisonIds?: readonly string[]) {
  return z.strictObject({
    capacity_warning_share: z
      .number()
      .gt(0, 'must be more than 0')
      .max(1, 'must be 1 or less')
      .default(0.8)
      .describe('Warn when more than this share of a week’s capacity is used'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be a three-letter currency code, like GBP')
      .default('GBP')
      .describe('The currency of cost_per_minute'),
    channels: z
      .record(z.string(), channelSchema(prisonIds))
      .superRefine((channels, ctx) => {
        for (const code of Object.keys(channels)) {
          const message = !channelCode.test(code)
            ? 'is not a channel code: lower-case words joined by _, like web_helper'
            : code === 'web'
              ? 'is the visitors’ own web form, not a way of helping them: web_helper is a helper on the web form'
              : undefined;
          if (message) ctx.addIssue({ code: 'custom', params: { key: code }, message });
        }
        for (const code of requiredChannels) {
          if (!(code in channels)) {
            const message = `is missing: every settings file has ${requiredChannels.join(', ')}`;
            ctx.addIssue({ code: 'custom', params: { key: code }, message });
          }
        }
      }, evenWithValueErrors)
      .describe(`By channel code: ${requiredChannels.join(', ')} and any others the operator adds (snake_case codes)`),
  });
}

type SettingsFile = z.infer<ReturnType<typeof assistedSettingsSchema>>;
type Override = z.infer<typeof override>;

/** What a channel costs and can take; a prison's or an organisation's may differ. */
export interface ChannelNumbers {
  costPerMinute: number;
  expectedRequestsPerMonth: number;
  minutesPerRequest: number;
  capacityMinutesPerWeek: number;
}

/** A helper organisation's own numbers, and the prisons whose visitors it helps (every prison when undefined). */
export interface Organisation extends Partial<ChannelNumbers> {
  expectedRequestsPerMonth: number;
  capacityMinutesPerWeek: number;
  prisons?: string[];
}

export interface AssistedChannel extends ChannelNumbers {
  name: string;
  nameCy?: string;
  /** By prison id. */
  prisons: Record<string, Partial<ChannelNumbers>>;
  /** By organisation name, as written in the file. */
  organisations: Record<string, Organisation>;
}

export interface AssistedSettings {
  file: string;
  /** The start of the SHA-256 of the file's text, as for rule files. */
  version: string;
  currency: string;
  capacityWarningShare: number;
  /** By channel code. */
  channels: Record<string, AssistedChannel>;
}

export type AssistedSettingsResult = { ok: true; settings: AssistedSettings } | { ok: false; errors: RuleFileError[] };

function numbersOf(given: Override): Partial<ChannelNumbers> {
  return {
    ...(given.cost_per_minute !== undefined ? { costPerMinute: given.cost_per_minute } : {}),
    ...(given.expected_requests_per_month !== undefined
      ? { expectedRequestsPerMonth: given.expected_requests_per_month }
      : {}),
    ...(given.minutes_per_request !== undefined ? { minutesPerRequest: given.minutes_per_request } : {}),
    ...(given.capacity_minutes_per_week !== undefined
      ? { capacityMinutesPerWeek: given.capacity_minutes_per_week }
      : {}),
  };
}

const mapValues = <T, U>(record: Record<string, T> | undefined, f: (value: T) => U): Record<string, U> =>
  Object.fromEntries(Object.entries(record ?? {}).map(([key, value]) => [key, f(value)]));

function toSettings(data: SettingsFile, version: string, file: string): AssistedSettings {
  return {
    file,
    version,
    currency: data.currency,
    capacityWarningShare: data.capacity_warning_share,
    channels: mapValues(data.channels, (channel) => ({
      name: channel.name,
      ...(channel.name_cy ? { nameCy: channel.name_cy } : {}),
      costPerMinute: channel.cost_per_minute,
      expectedRequestsPerMonth: channel.expected_requests_per_month,
      minutesPerRequest: channel.minutes_per_request,
      capacityMinutesPerWeek: channel.capacity_minutes_per_week,
      prisons: mapValues(channel.prisons, numbersOf),
      organisations: mapValues(channel.organisations, ({ prisons, ...given }) => ({
        ...numbersOf(given),
        expectedRequestsPerMonth: given.expected_requests_per_month,
        capacityMinutesPerWeek: given.capacity_minutes_per_week,
        ...(prisons ? { prisons } : {}),
      })),
    })),
  };
}

/**
 * Parses and checks the settings file's text; every error names file, line and path, as a rule file's do. Given the
 * rule book's prison ids, an override for any other prison is an error.
 */
export function parseAssistedSettings(
  text: string,
  file: string,
  prisonIds?: readonly string[],
): AssistedSettingsResult {
  const result = checkYamlFile(text, file, assistedSettingsSchema(prisonIds));
  return result.ok ? { ok: true, settings: toSettings(result.data, contentHash(text), file) } : result;
}

/** Where the settings file sits: beside the prisons' folder (`rules/assisted-digital.yaml` for `rules/prisons`). */
export function assistedSettingsPath(rulesDir: string): string {
  return join(dirname(rulesDir), assistedSettingsFileName);
}

/** Reads and checks the settings beside the prisons' folder; undefined when there is no such file. */
export function loadAssistedSettings(
  rulesDir: string,
  prisonIds?: readonly string[],
): AssistedSettingsResult | undefined {
  const path = assistedSettingsPath(rulesDir);
  return existsSync(path) ? parseAssistedSettings(readFileSync(path, 'utf8'), path, prisonIds) : undefined;
}

/** A channel's numbers where they apply, with its code and names. */
export interface EffectiveChannel extends ChannelNumbers {
  channel: string;
  name: string;
  nameCy?: string;
}

/**
 * The organisation of a channel's settings that a name typed by staff or a visitor is, whatever its case and
 * spacing: its name as the settings write it, or undefined when the settings do not name it.
 */
export function organisationOf(settings: AssistedSettings, channel: string, name: string): string | undefined {
  return Object.keys(settings.channels[channel]?.organisations ?? {}).find(
    (written) => nameKey(written) === nameKey(name),
  );
}

/**
 * A channel's numbers for a prison or a helper organisation: each number is the organisation's if it sets it, else
 * the prison's, else the channel's. Undefined for a channel the settings do not have.
 */
export function channelSettings(
  settings: AssistedSettings,
  channel: string,
  where: { prisonId?: string; organisation?: string } = {},
): EffectiveChannel | undefined {
  const settingsOf = settings.channels[channel];
  if (!settingsOf) return undefined;
  const prison = where.prisonId !== undefined ? settingsOf.prisons[where.prisonId] : undefined;
  const named = where.organisation !== undefined ? organisationOf(settings, channel, where.organisation) : undefined;
  const organisation = named !== undefined ? settingsOf.organisations[named] : undefined;
  const pick = (field: keyof ChannelNumbers) => organisation?.[field] ?? prison?.[field] ?? settingsOf[field];
  return {
    channel,
    name: settingsOf.name,
    ...(settingsOf.nameCy ? { nameCy: settingsOf.nameCy } : {}),
    costPerMinute: pick('costPerMinute'),
    expectedRequestsPerMonth: pick('expectedRequestsPerMonth'),
    minutesPerRequest: pick('minutesPerRequest'),
    capacityMinutesPerWeek: pick('capacityMinutesPerWeek'),
  };
}

/** The JSON Schema that editors use to check the settings file as it is typed. */
export function assistedSettingsJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(assistedSettingsSchema(), { io: 'input', unrepresentable: 'any' });
  const channels = (schema.properties as Record<string, Record<string, unknown>>).channels;
  // What the refinement checks, said so an editor can check it too.
  channels.required = [...requiredChannels];
  channels.propertyNames = { pattern: channelCode.source, not: { const: 'web' } };
  return { ...schema, title: 'Prison visits: assisted-digital settings' };
}

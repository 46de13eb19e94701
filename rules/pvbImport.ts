// Converting a prison file of the earlier national service (PVB) into our rule-file format, saying what could not
// be carried over.
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { parseRuleFile, type RuleFileError } from './ruleFile';
import { weekdays } from './schema';

const times = z.array(z.string()).nullish();

/** The earlier service's prison file, as far as we read it; anything else is reported, not silently dropped. */
const pvbFile = z.looseObject({
  name: z.string(),
  nomis_id: z.string(),
  enabled: z.unknown(),
  private: z.unknown(),
  closed: z.unknown(),
  postcode: z.string().nullish(),
  phone_no: z.string().nullish(),
  email_address: z.string().nullish(),
  address: z.string().nullish(),
  adult_age: z.number().int().nullish(),
  lead_days: z.number().int().nullish(),
  booking_window: z.number().int().nullish(),
  weekend_processing: z.boolean().nullish(),
  recurring: z.record(z.string(), times).nullish(),
  anomalous: z.record(z.string(), times).nullish(),
  unbookable: z.array(z.string()).nullish(),
  translations: z.looseObject({ cy: z.looseObject({ name: z.string().optional() }).optional() }).nullish(),
});

const known = new Set(Object.keys(pvbFile.shape));
const validTime = /^([01]\d|2[0-3])[0-5]\d-([01]\d|2[0-3])[0-5]\d$/;

export interface PvbImport {
  id: string;
  /** The rule file's text, with a comment saying where it came from. */
  text: string;
  /** What could not be carried over, in words. */
  notes: string[];
  /** Problems the converted file still has (empty when it passes `rules -- check`). */
  errors: RuleFileError[];
}

/** Converts one PVB prison file's text. */
export function importPvb(source: string, fileName: string, takenIds: ReadonlySet<string> = new Set()): PvbImport {
  const pvb = pvbFile.parse(parse(source));
  const notes: string[] = [];
  let id = pvb.nomis_id;
  if (takenIds.has(id)) {
    // The earlier service split some prisons into parts sharing one NOMIS id (remand only, convicted only...).
    id = `${id}-${fileName
      .replace(/\.yml$/, '')
      .split('-')
      .slice(1)
      .join('-')
      .toUpperCase()}`;
    notes.push(`nomis_id: ${pvb.nomis_id} is shared with another file; this part's id is ${id}`);
  }
  for (const key of Object.keys(pvb)) if (!known.has(key)) notes.push(`${key}: not carried over (no such field here)`);
  if (pvb.email_address) notes.push('email_address: not carried over (visitors are helped by phone)');
  const cy = pvb.translations?.cy ?? {};
  for (const key of Object.keys(cy)) if (key !== 'name') notes.push(`translations.cy.${key}: not carried over`);

  const cleanTimes = (where: string, list: string[] | null | undefined): string[] =>
    (list ?? []).flatMap((raw) => {
      const time = String(raw).trim();
      if (validTime.test(time) && time.slice(0, 4) < time.slice(5)) return [time];
      notes.push(`${where}: dropped the time "${time}" (not HHMM-HHMM ending after it starts)`);
      return [];
    });

  const recurring = Object.fromEntries(
    Object.entries(pvb.recurring ?? {}).flatMap(([day, list]) => {
      if (!(weekdays as readonly string[]).includes(day)) {
        notes.push(`recurring.${day}: not a weekday, dropped`);
        return [];
      }
      const kept = cleanTimes(`recurring.${day}`, list);
      return kept.length ? [[day, kept]] : [];
    }),
  );
  const unbookable = [...new Set((pvb.unbookable ?? []).map(String))].sort();
  const anomalous = Object.fromEntries(
    Object.entries(pvb.anomalous ?? {}).flatMap(([date, list]) => {
      if (unbookable.includes(date)) {
        notes.push(`anomalous.${date}: also unbookable; kept as unbookable`);
        return [];
      }
      return [[date, cleanTimes(`anomalous.${date}`, list)]];
    }),
  );
  /** A yes-or-no setting; anything else is reported and taken as `fallback`. */
  const flag = (key: 'enabled' | 'closed' | 'private', fallback: boolean): boolean => {
    const value = pvb[key];
    if (typeof value === 'boolean') return value;
    if (value !== undefined)
      notes.push(`${key}: "${String(value)}" is not true or false; set to ${fallback}, check it`);
    return fallback;
  };
  let bookingWindow = pvb.booking_window ?? undefined;
  if (bookingWindow !== undefined && bookingWindow > 28) {
    notes.push(`booking_window: ${bookingWindow} is over the limit of 28; set to 28`);
    bookingWindow = 28;
  }

  const ruleFile = {
    id,
    name: pvb.name,
    ...(cy.name ? { name_cy: cy.name } : {}),
    ...(pvb.address
      ? {
          address: pvb.address
            .split('\n')
            .map((line) => line.trim())
            .filter(Boolean),
        }
      : {}),
    ...(pvb.postcode ? { postcode: pvb.postcode } : {}),
    ...(pvb.phone_no ? { phone: pvb.phone_no } : {}),
    enabled: flag('enabled', false),
    closed: flag('closed', false),
    private: flag('private', false),
    ...(pvb.adult_age != null ? { limits: { adult_age: pvb.adult_age } } : {}),
    calendar: {
      ...(pvb.lead_days != null ? { lead_days: pvb.lead_days } : {}),
      ...(bookingWindow !== undefined ? { booking_window: bookingWindow } : {}),
      ...(pvb.weekend_processing ? { weekend_processing: true } : {}),
      recurring,
      ...(Object.keys(anomalous).length ? { anomalous } : {}),
      ...(unbookable.length ? { unbookable } : {}),
    },
  };
  const text = `# Imported from the earlier service's ${fileName}. Review before use.\n${stringify(ruleFile)}`;
  const checked = parseRuleFile(text, `${id}.yaml`);
  return { id, text, notes, errors: checked.ok ? [] : checked.errors };
}

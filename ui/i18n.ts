// English and Welsh words for the pages, from ./locales; a test checks both have every key.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locale } from '../rules/vocabulary';

const load = (locale: Locale) =>
  JSON.parse(readFileSync(join(import.meta.dirname, 'locales', `${locale}.json`), 'utf8')) as Record<string, string>;

export const catalogues: Record<Locale, Record<string, string>> = { en: load('en'), cy: load('cy') };

/** The words for a key in a language, with `{name}` filled in from `values`. */
export function translate(locale: Locale, key: string, values: Record<string, string | number> = {}): string {
  const text = catalogues[locale][key] ?? catalogues.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
}

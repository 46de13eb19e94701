// Rendering pages: Nunjucks with the GOV.UK Frontend macros that ship in `govuk-frontend`, in the visitor's
// language, with the CSP nonce for the template's one inline script and the help line of the prison in hand.
import { join } from 'node:path';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import nunjucks from 'nunjucks';
import type { DatePart } from '../rules/dateFields';
import { phoneHoursOf } from '../rules/phoneHours';
import type { Prison } from '../rules/prison';
import type { Locale } from '../rules/vocabulary';
import { translate } from './i18n';

const env = nunjucks.configure(
  [join(import.meta.dirname, 'views'), join(import.meta.dirname, '../node_modules/govuk-frontend/dist')],
  { autoescape: true, throwOnUndefined: false },
);

export const LANG_COOKIE = 'pvb_lang';

/** Text made safe to put in a page's HTML (a summary list's `html` value, a chart's label). */
export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The visitor's language: `?lang=` switches it (and remembers it), else the cookie, else English. */
export function localeOf(c: Context): Locale {
  const asked = c.req.query('lang');
  if (asked === 'en' || asked === 'cy') {
    setCookie(c, LANG_COOKIE, asked, { path: '/', maxAge: 365 * 86_400, sameSite: 'Lax', httpOnly: true });
    return asked;
  }
  return getCookie(c, LANG_COOKIE) === 'cy' ? 'cy' : 'en';
}

/** An error shown by a field; for a date, the boxes that are wrong when not all of them are. */
interface FieldError {
  text: string;
  parts?: DatePart[];
  visuallyHiddenText?: string;
}

/**
 * The GOV.UK date input's parameters for three fields named `<name>-day`, `-month`, `-year`, labelled in the page's
 * language; an error marks only the boxes it names (every box when it names none).
 */
const dateInputIn =
  (t: (key: string) => string) =>
  (
    id: string,
    name: string,
    legend: string,
    value: { day?: string; month?: string; year?: string } = {},
    error?: FieldError,
    hint?: string,
  ) => {
    const part = (field: DatePart, width: number) => ({
      name: field,
      label: t(`common.${field}`),
      value: value[field],
      classes: `govuk-input--width-${width}`,
      error: error !== undefined && (error.parts ?? [field]).includes(field),
    });
    return {
      id,
      namePrefix: name,
      fieldset: { legend: { text: legend, classes: 'govuk-fieldset__legend--s' } },
      ...(hint ? { hint: { text: hint } } : {}),
      ...(error ? { errorMessage: { text: error.text, visuallyHiddenText: error.visuallyHiddenText } } : {}),
      items: [part('day', 2), part('month', 2), part('year', 4)],
    };
  };

/** Where an error about a field path takes the visitor: the field's id (a date's first wrong box, else its day). */
export function errorHref(path: string, parts?: DatePart[]): string {
  if (path.startsWith('slotOptions')) return '#slotOptions';
  if (path === 'visitors') return '#visitors';
  const id = `#${path.replaceAll('.', '-')}`;
  return path.endsWith('dateOfBirth') ? `${id}-${parts?.[0] ?? 'day'}` : id;
}

/**
 * A link to this page with some query parameters set: always a path on this service. A request for `//host/x` (or
 * `/\host/x`) has that as its path, and written back as a link it would lead off the service.
 */
export function sameSiteLink(requestUrl: string, parameters: Record<string, string>): string {
  const target = new URL(requestUrl);
  for (const [name, value] of Object.entries(parameters)) target.searchParams.set(name, value);
  return `/${target.pathname.replace(/^[/\\]+/, '')}${target.search}`;
}

export interface PageContext {
  title: string;
  prison?: Prison;
  errors?: { path: string; text: string; parts?: DatePart[] }[];
  status?: 200 | 400 | 403 | 404 | 409 | 429 | 500 | 503;
  /** The page's one language, for a page not offered in Welsh (most staff pages); else the visitor's choice. */
  locale?: Locale;
  [key: string]: unknown;
}

/** Renders a view as the page of this request. */
export function render(
  c: Context,
  view: string,
  { prison, errors = [], status = 200, locale: only, ...context }: PageContext,
): Response {
  const locale = only ?? localeOf(c);
  const t = (key: string, values?: Record<string, string | number>) => translate(locale, key, values);
  const visuallyHiddenText = t('common.error');
  const switchTo = (lang: Locale) => sameSiteLink(c.req.url, { lang });
  const html = env.render(`${view}.njk`, {
    ...context,
    locale,
    t,
    dateInput: dateInputIn(t),
    cspNonce: c.get('secureHeadersNonce'),
    switchLanguageUrl: { en: switchTo('en'), cy: switchTo('cy') },
    errors: errors.map((error) => ({ text: error.text, href: errorHref(error.path, error.parts) })),
    fieldErrors: Object.fromEntries(
      errors.map((error) => [error.path, { text: error.text, parts: error.parts, visuallyHiddenText }]),
    ),
    help: prison
      ? {
          prison: (locale === 'cy' && prison.nameCy) || prison.name,
          phone: prison.phone,
          hours: phoneHoursOf(prison, locale),
        }
      : {},
  });
  return c.html(html, status);
}

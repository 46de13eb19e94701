// Rendering pages: Nunjucks with the GOV.UK Frontend macros that ship in `govuk-frontend`, in the visitor's
// language, with the CSP nonce for the template's one inline script and the help line of the prison in hand.
import { join } from 'node:path';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import nunjucks from 'nunjucks';
import type { Prison } from '../rules/prison';
import type { Locale } from '../rules/vocabulary';
import { translate } from './i18n';

const env = nunjucks.configure(
  [join(import.meta.dirname, 'views'), join(import.meta.dirname, '../node_modules/govuk-frontend/dist')],
  { autoescape: true, throwOnUndefined: false },
);

export const LANG_COOKIE = 'pvb_lang';

/** The visitor's language: `?lang=` switches it (and remembers it), else the cookie, else English. */
export function localeOf(c: Context): Locale {
  const asked = c.req.query('lang');
  if (asked === 'en' || asked === 'cy') {
    setCookie(c, LANG_COOKIE, asked, { path: '/', maxAge: 365 * 86_400, sameSite: 'Lax', httpOnly: true });
    return asked;
  }
  return getCookie(c, LANG_COOKIE) === 'cy' ? 'cy' : 'en';
}

/** The GOV.UK date input's parameters for three fields named `<name>-day`, `-month`, `-year`. */
function dateInput(
  id: string,
  name: string,
  legend: string,
  value: { day?: string; month?: string; year?: string } = {},
  error?: { text: string },
  hint?: string,
) {
  const part = (field: 'day' | 'month' | 'year', label: string, width: number) => ({
    name: field,
    label,
    value: value[field],
    classes: `govuk-input--width-${width}${error ? ' govuk-input--error' : ''}`,
  });
  return {
    id,
    namePrefix: name,
    fieldset: { legend: { text: legend, classes: 'govuk-fieldset__legend--s' } },
    ...(hint ? { hint: { text: hint } } : {}),
    ...(error ? { errorMessage: error } : {}),
    items: [part('day', 'Day', 2), part('month', 'Month', 2), part('year', 'Year', 4)],
  };
}

/** Where an error about a field path takes the visitor: the field's id (a date's day box). */
export function errorHref(path: string): string {
  if (path.startsWith('slotOptions')) return '#slotOptions';
  if (path === 'visitors') return '#visitors';
  const id = `#${path.replaceAll('.', '-')}`;
  return path.endsWith('dateOfBirth') ? `${id}-day` : id;
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
  errors?: { path: string; text: string }[];
  status?: 200 | 400 | 403 | 404 | 429 | 500 | 503;
  [key: string]: unknown;
}

/** Renders a view as the page of this request. */
export function render(
  c: Context,
  view: string,
  { prison, errors = [], status = 200, ...context }: PageContext,
): Response {
  const locale = localeOf(c);
  const switchTo = (lang: Locale) => sameSiteLink(c.req.url, { lang });
  const html = env.render(`${view}.njk`, {
    ...context,
    locale,
    t: (key: string, values?: Record<string, string | number>) => translate(locale, key, values),
    dateInput,
    cspNonce: c.get('secureHeadersNonce'),
    switchLanguageUrl: { en: switchTo('en'), cy: switchTo('cy') },
    errors: errors.map((error) => ({ text: error.text, href: errorHref(error.path) })),
    fieldErrors: Object.fromEntries(errors.map((error) => [error.path, { text: error.text }])),
    help: prison
      ? {
          prison: (locale === 'cy' && prison.nameCy) || prison.name,
          phone: prison.phone,
          hours: locale === 'cy' ? (prison.phoneHoursCy ?? prison.phoneHours) : prison.phoneHours,
        }
      : {},
  });
  return c.html(html, status);
}

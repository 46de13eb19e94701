// The page a person sees when something goes wrong: what happened, in their language, with the help line.
import type { Context } from 'hono';
import type { ProblemError } from '../api/problem';
import { translate } from './i18n';
import { localeOf, render } from './render';

const words: Record<number, { en: string; cy: string }> = {
  403: {
    en: 'Your form had expired. Go back and try again.',
    cy: 'Roedd eich ffurflen wedi dod i ben. Ewch yn ôl a rhoi cynnig arall arni.',
  },
  404: {
    en: 'If you typed the web address, check it is correct.',
    cy: 'Os gwnaethoch deipio’r cyfeiriad gwe, gwiriwch ei fod yn gywir.',
  },
  429: {
    en: 'You have sent too many requests. Wait a minute and try again: your answers are kept.',
    cy: 'Rydych wedi anfon gormod o geisiadau. Arhoswch funud a rhowch gynnig arall arni: mae eich atebion wedi’u cadw.',
  },
  503: {
    en: 'The service is busy. Try again in a few minutes: your answers are kept.',
    cy: 'Mae’r gwasanaeth yn brysur. Rhowch gynnig arall arni ymhen ychydig funudau: mae eich atebion wedi’u cadw.',
  },
};

export function errorPage(c: Context, error: ProblemError): Response {
  const locale = localeOf(c);
  const title =
    error.status === 404
      ? translate(locale, 'notFound.title')
      : error.status === 503
        ? locale === 'cy'
          ? 'Mae’n ddrwg gennym, mae problem gyda’r gwasanaeth'
          : 'Sorry, there is a problem with the service'
        : locale === 'cy'
          ? 'Mae problem wedi codi'
          : 'There is a problem';
  const text =
    words[error.status]?.[locale] ?? (locale === 'cy' ? 'Rhowch gynnig arall arni yn nes ymlaen.' : 'Try again later.');
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  // 429 kept as it is, with its Retry-After, for a browser or a client that reads it.
  const status = ([403, 404, 429, 503].includes(error.status) ? error.status : error.status >= 500 ? 500 : 400) as
    400 | 403 | 404 | 429 | 500 | 503;
  return render(c, 'page', { title, paragraphs: [text], status });
}

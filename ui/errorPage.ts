// The page a person sees when something goes wrong: what happened, in their words. A visitor reads it in their
// language with the prison's help line; staff read it inside the staff layout, with the way back to their work.
import type { Context } from 'hono';
import type { ProblemError } from '../api/problem';
import type { StaffUser } from '../api/schemas';
import { translate } from './i18n';
import { localeOf, render } from './render';
import { homeOf } from './staff/common';

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

/** What staff read for an error: a refusal says it is one, and why, never that a form expired. */
function staffWords(error: ProblemError): { title: string; paragraphs: string[] } {
  if (error.code === 'not_your_prison') {
    return {
      title: 'You cannot see this prison’s visits',
      paragraphs: [
        'You do not work at this prison, so its queue and visits are not open to you.',
        'If you should have access, ask an administrator to add the prison to your account.',
      ],
    };
  }
  if (error.status === 403 && error.code !== 'csrf') {
    return { title: 'You do not have access to this', paragraphs: [error.detail ?? 'Your role does not allow it.'] };
  }
  if (error.status === 403) {
    return {
      title: 'Your form had expired',
      paragraphs: ['Nothing was changed. Go back, reload the page and try again.'],
    };
  }
  if (error.status === 404) {
    return { title: 'Page not found', paragraphs: ['If you typed the web address, check it is correct.'] };
  }
  if (error.status === 429) {
    return { title: 'Too many requests', paragraphs: ['Wait a minute and try again.'] };
  }
  return {
    title: 'Sorry, there is a problem with the service',
    paragraphs: ['Nothing was changed. Try again in a few minutes.'],
  };
}

export function errorPage(c: Context, error: ProblemError): Response {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  // 429 kept as it is, with its Retry-After, for a browser or a client that reads it.
  const status = ([403, 404, 429, 503].includes(error.status) ? error.status : error.status >= 500 ? 500 : 400) as
    400 | 403 | 404 | 429 | 500 | 503;
  if (new URL(c.req.url).pathname.startsWith('/staff')) {
    const user = c.get('user') as StaffUser | undefined;
    const link = !user
      ? { href: '/staff/sign-in', text: 'Sign in' }
      : { href: homeOf(user), text: user.role === 'policy' ? 'Go to Try rules' : 'Go to the queue' };
    return render(c, 'staff/message', { ...staffWords(error), link, user, csrf: c.get('csrf'), status, locale: 'en' });
  }
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
  return render(c, 'page', { title, paragraphs: [text], status });
}

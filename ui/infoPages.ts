// The pages every service has: help, cookies, accessibility statement, privacy notice, and feedback.
import { HELP_ANSWERS, recordFeedback } from '../activities/readModel/feedback';
import { Hono, type Context } from 'hono';
import type { Services } from '../api/services';
import { ProblemError } from '../api/problem';
import { translate } from './i18n';
import { csrfMatches, JOURNEY_COOKIE, newJourney, readJourney, writeJourney } from './journeyCookie';
import { LANG_COOKIE, localeOf, render } from './render';
import { VISIT_ACCESS_COOKIE } from './visitAccess';
import { BOOKER_COOKIE } from '../api/bookers';
import { ONE_LOGIN_COOKIE } from './oneLogin';

/** Every cookie the service sets; the cookies page lists exactly these (a browser test compares them). */
export const cookies = [
  { name: JOURNEY_COOKIE, purpose: 'cookies.journey', expires: 'cookies.journeyExpires' },
  { name: LANG_COOKIE, purpose: 'cookies.lang', expires: 'cookies.langExpires' },
  { name: VISIT_ACCESS_COOKIE, purpose: 'cookies.visitAccess', expires: 'cookies.visitAccessExpires' },
  { name: BOOKER_COOKIE, purpose: 'cookies.booker', expires: 'cookies.bookerExpires' },
  { name: ONE_LOGIN_COOKIE, purpose: 'cookies.oneLogin', expires: 'cookies.oneLoginExpires' },
];

export function infoPages({ db, session, secureCookies }: Services) {
  /** A page of its title and body, and more paragraphs where the catalogue has them (`<key>.more`). */
  const page = (key: string) => (c: Context) => {
    const t = (part: string) => translate(localeOf(c), `${key}.${part}`);
    return render(c, 'page', {
      title: t('title'),
      paragraphs: [t('body'), t('more')].filter((text) => text !== `${key}.more`),
    });
  };

  return new Hono()
    .get('/help', page('helpPage'))
    .get('/accessibility', page('accessibility'))
    .get('/privacy', page('privacy'))
    .get('/cookies', (c) => {
      const t = (key: string) => translate(localeOf(c), key);
      return render(c, 'page', {
        title: t('cookies.title'),
        paragraphs: [t('cookies.intro')],
        table: {
          head: [{ text: t('cookies.name') }, { text: t('cookies.purpose') }, { text: t('cookies.expires') }],
          rows: cookies.map((cookie) => [
            { text: cookie.name },
            { text: t(cookie.purpose) },
            { text: t(cookie.expires) },
          ]),
        },
      });
    })
    .on(['GET', 'POST'], '/feedback', async (c) => {
      const found = readJourney(c, session.secret);
      const journey = typeof found === 'string' ? newJourney() : found;
      const t = (key: string) => translate(localeOf(c), key);
      let values = { rating: '', comment: '', aware: '', helped: '' };
      let errors: { path: string; text: string }[] = [];
      if (c.req.method === 'POST') {
        const form = await c.req.parseBody();
        if (!csrfMatches(journey, form._csrf))
          throw new ProblemError(403, 'csrf', 'The form’s security token is missing or wrong.');
        // Control characters (bar line breaks) nobody types, and the store cannot keep NUL: they go.
        // eslint-disable-next-line no-control-regex -- control characters are what it finds
        const comment = String(form.comment ?? '').replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '');
        values = {
          rating: String(form.rating ?? ''),
          comment: comment.slice(0, 1200),
          aware: String(form.aware ?? ''),
          helped: String(form.helped ?? ''),
        };
        errors = feedbackProblems(values).map((path) => ({ path, text: t(`errors.feedback.${path}`) }));
        if (errors.length === 0) {
          const helped = HELP_ANSWERS.find((answer) => answer === values.helped);
          await recordFeedback(db, Number(values.rating), values.comment, new Date(), {
            ...(values.aware ? { aware: values.aware === 'yes' } : {}),
            ...(helped ? { helped } : {}),
          });
          return render(c, 'page', { title: t('feedback.thanks'), paragraphs: [] });
        }
      }
      writeJourney(c, journey, session.secret, secureCookies);
      const items = (field: keyof typeof values, answers: readonly string[]) =>
        answers.map((answer) => ({
          value: answer,
          text: t(`feedback.${field}.${answer}`),
          checked: values[field] === answer,
        }));
      return render(c, 'feedback', {
        title: t('feedback.title'),
        csrf: journey.csrf,
        values,
        errors,
        ratingItems: items('rating', ['5', '4', '3', '2', '1']),
        awareItems: items('aware', AWARE_ANSWERS),
        helpedItems: items('helped', HELP_ANSWERS),
      });
    });
}

const AWARE_ANSWERS = ['yes', 'no'] as const;

/**
 * The feedback form's fields whose answer is not one it offers: a rating must be given; whether the visitor knew of
 * help, and whether they had it, may be left blank.
 */
function feedbackProblems(values: Record<'rating' | 'aware' | 'helped', string>): string[] {
  const blankOrOneOf = (answers: readonly string[], value: string) => value === '' || answers.includes(value);
  return [
    ...(/^[1-5]$/.test(values.rating) ? [] : ['rating']),
    ...(blankOrOneOf(AWARE_ANSWERS, values.aware) ? [] : ['aware']),
    ...(blankOrOneOf(HELP_ANSWERS, values.helped) ? [] : ['helped']),
  ];
}

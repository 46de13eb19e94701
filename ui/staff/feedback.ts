// What visitors said in their feedback, for the admin role: each comment with its score and the visitor's answers
// about help, a month at a time, newest first, a page at a time. The comments come masked from the read model.
import { Hono } from 'hono';
import { feedbackOfMonth, type FeedbackToRead } from '../../activities/readModel/feedback';
import { refuseUnlessAdmin } from '../../api/access';
import type { Services } from '../../api/services';
import { formatMonth } from '../../rules/dateWords';
import { addDays, londonClock } from '../../rules/londonTime';
import { translate } from '../i18n';
import { staffAccess, staffPage, type StaffPageEnv } from './common';
import { londonTime } from './words';

/** Comments on a page: a national year's busiest month stays a few pages' reading, and each page a quick one. */
export const FEEDBACK_PER_PAGE = 50;

/** The months that can be read: this one and the 11 before it (`YYYY-MM`), newest first. */
function lastTwelveMonths(today: string): string[] {
  const months = [today.slice(0, 7)];
  while (months.length < 12) months.push(addDays(`${months[months.length - 1]}-01`, -1).slice(0, 7));
  return months;
}

/** The visitor's words for an answer they chose, as they read it on the feedback form. */
const answerWords = (key: string) => translate('en', key);

/** One piece of feedback as the page shows it: the score in words and as stars, and the answers about help. */
function feedbackInWords(given: FeedbackToRead) {
  return {
    received: londonTime(given.at.toISOString()),
    stars: '★'.repeat(given.rating) + '☆'.repeat(5 - given.rating),
    score: `${given.rating} out of 5: ${answerWords(`feedback.rating.${given.rating}`)}`,
    comment: given.comment,
    aware: given.aware === undefined ? 'Not answered' : answerWords(`feedback.aware.${given.aware ? 'yes' : 'no'}`),
    helped: given.helped === undefined ? 'Not answered' : answerWords(`feedback.helped.${given.helped}`),
  };
}

export function feedbackPages(services: Services) {
  const { signedIn } = staffAccess(services);

  return new Hono<StaffPageEnv>().get('/staff/feedback', signedIn, async (c) => {
    refuseUnlessAdmin(c.get('user'), 'read visitors’ feedback');
    const months = lastTwelveMonths(londonClock(new Date()).date);
    const asked = c.req.query('month');
    const month = asked && months.includes(asked) ? asked : months[0];
    const page = Number(/^[1-9]\d{0,5}$/.exec(c.req.query('page') ?? '')?.[0] ?? 1);
    const { total, feedback } = await feedbackOfMonth(services.db, month, {
      skip: (page - 1) * FEEDBACK_PER_PAGE,
      limit: FEEDBACK_PER_PAGE,
    });
    const pageUrl = (n: number) => `/staff/feedback?month=${month}&page=${n}`;
    const first = (page - 1) * FEEDBACK_PER_PAGE + 1;
    return staffPage(c, 'staff/feedback', {
      title: 'Feedback from visitors',
      active: 'feedback',
      errors: asked === undefined || asked === month ? [] : [{ path: 'month', text: 'Choose a month from the list' }],
      monthItems: months.map((m) => ({ value: m, text: formatMonth(m, 'en'), selected: m === month })),
      month: formatMonth(month, 'en'),
      total,
      shown: feedback.length ? `${first} to ${first + feedback.length - 1}` : '',
      feedback: feedback.map(feedbackInWords),
      previous: page > 1 ? { href: pageUrl(page - 1) } : undefined,
      next: page * FEEDBACK_PER_PAGE < total ? { href: pageUrl(page + 1) } : undefined,
    });
  });
}

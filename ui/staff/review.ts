// The "needs review" list of a prison (visits whose prisoner's record changed after they were asked for) and "no change
// needed" from a visit's page. The actions are the API's (api/prisonerRecords.ts); the list is in English or Welsh.
import { Hono } from 'hono';
import { findVisit } from '../../activities/readModel/lookups';
import { markNoChangeNeeded, reviewListFor } from '../../api/prisonerRecords';
import type { Services } from '../../api/services';
import { formatSlot } from '../../rules/dateWords';
import { refusals } from '../../rules/refusals';
import { Refused } from '../../workflows/client';
import { translate } from '../i18n';
import { escapeHtml, localeOf } from '../render';
import { form, staffAccess, staffPage, type StaffPageEnv } from './common';
import { londonTime } from './words';

/** The form's own key, if it sent a well-formed one. */
const formKeyOf = (body: Record<string, string | string[]>) =>
  typeof body.key === 'string' && /^[0-9a-f]{32}$/.test(body.key) ? body.key : undefined;

export function reviewPages(services: Services) {
  const { rules } = services;
  const { signedIn, prisonsOf, prisonFor, visibleVisit } = staffAccess(services);
  const app = new Hono<StaffPageEnv>();

  app.get('/staff/review', signedIn, async (c) => {
    const user = c.get('user');
    const prisonId = prisonFor(c);
    const items = await reviewListFor(services, user, prisonId);
    const locale = localeOf(c);
    const t = (key: string, values?: Record<string, string | number>) => translate(locale, key, values);
    const prison = rules.get(prisonId);
    const prisonName = (locale === 'cy' && prison?.nameCy) || prison?.name || prisonId;
    // The details are in English but where this service wrote them in Welsh too: the kind of change says it in the
    // page's language, and an English detail on a Welsh page is marked so for screen readers.
    const changeHtml = (change: (typeof items)[number]['changes'][number]) => {
      const welsh = locale === 'cy' && change.detailCy;
      const detail = welsh ? escapeHtml(change.detailCy ?? '') : `<span lang="en">${escapeHtml(change.detail)}</span>`;
      return `<li><strong>${escapeHtml(t(`review.kind.${change.kind}`))}</strong>: ${detail}</li>`;
    };
    return staffPage(c, 'staff/review', {
      bilingual: true,
      title: t('review.title', { prison: prisonName }),
      active: 'review',
      prisonItems: prisonsOf(user).map((p) => ({
        value: p.id,
        text: (locale === 'cy' && p.nameCy) || p.name,
        selected: p.id === prisonId,
      })),
      rows: items.map((item) => [
        {
          html: `<a class="govuk-link" href="/staff/visits/${encodeURIComponent(item.reference)}">${escapeHtml(item.reference)}</a>`,
        },
        {
          html: `${escapeHtml(item.prisonerName)}<br><span class="govuk-hint govuk-!-font-size-16 govuk-!-margin-bottom-0">${escapeHtml(
            item.prisonerNumber,
          )}</span><br><a class="govuk-link govuk-!-font-size-16" href="/staff/prisoners/${encodeURIComponent(
            item.prisonerNumber,
          )}/visiting-orders">${escapeHtml(t('review.visitingOrders'))}<span class="govuk-visually-hidden"> ${escapeHtml(
            t('review.visitingOrdersOf', { name: item.prisonerName }),
          )}</span></a>`,
        },
        { text: item.slotGranted ? formatSlot(item.slotGranted, locale) : t('review.notBooked') },
        { text: item.since ? londonTime(item.since, locale) : '' },
        {
          html: `<ul class="govuk-list govuk-!-font-size-16 govuk-!-margin-bottom-0">${item.changes
            .map(changeHtml)
            .join('')}</ul>`,
        },
      ]),
    });
  });

  // "No change needed": the review closes, and the visit's page says so (post/redirect/get: a reload sends nothing).
  app.post('/staff/visits/:reference/no-change-needed', signedIn, async (c) => {
    const visit = await visibleVisit(c);
    const body = await form(c);
    try {
      await markNoChangeNeeded(services, c.get('user'), visit.reference, formKeyOf(body));
    } catch (error) {
      if (!(error instanceof Refused) || error.code !== refusals.notUnderReview) throw error;
      return c.redirect(`/staff/visits/${visit.reference}?reviewed=gone`, 303);
    }
    return c.redirect(`/staff/visits/${visit.reference}?reviewed=done`, 303);
  });

  return app;
}

/** What the visit's page says after "no change needed", read back from the visit: nothing if it says otherwise. */
export async function reviewNotice(db: Services['db'], reference: string, asked: string | undefined) {
  if (asked !== 'done' && asked !== 'gone') return {};
  const closed = (await findVisit(db, reference))?.reviews?.at(-1)?.closed;
  if (asked === 'done' && closed?.outcome === 'no_change_needed') {
    return { notice: 'Recorded: no change needed. The visit has left the “needs review” list.' };
  }
  if (asked === 'gone' && closed)
    return { important: 'This visit is no longer under review: it was dealt with already.' };
  return {};
}

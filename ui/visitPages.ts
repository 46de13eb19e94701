// The visitor's own visit, reached by the private link in their e-mails: its status, and withdraw or cancel with
// a confirmation step. The link's token is moved into the journey cookie, so it stays out of page URLs.
import { timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { formatDate, formatSlot } from '../activities/emails/render';
import type { Services } from '../api/services';
import { ProblemError } from '../api/problem';
import { sha256, visitClient } from '../workflows/client';
import { findVisit } from '../activities/readModel/lookups';
import { publicView } from '../api/visitViews';
import { translate } from './i18n';
import { csrfMatches, newJourney, readJourney, writeJourney, type Journey } from './journeyCookie';
import { localeOf, render } from './render';

export function visitPages(services: Services) {
  const { db, rules, secureCookies } = services;
  const secret = services.session.secret;
  const journeyFor = (c: Context): Journey => {
    const journey = readJourney(c, secret);
    return typeof journey === 'string' ? newJourney() : journey;
  };

  /** The visit of the path, if the journey holds its access token. */
  async function ownVisit(c: Context, journey: Journey) {
    const reference = c.req.param('reference')?.toUpperCase() ?? '';
    const token = journey.access?.[reference];
    const visit = await findVisit(db, reference);
    if (
      !token ||
      !visit ||
      !timingSafeEqual(Buffer.from(sha256(token)), Buffer.from(visit.accessTokenHash.padEnd(64)))
    ) {
      return undefined;
    }
    return visit;
  }

  const notFound = (c: Context) =>
    render(c, 'page', {
      title: translate(localeOf(c), 'notFound.title'),
      paragraphs: [translate(localeOf(c), 'status.notFound')],
      status: 404,
    });

  return new Hono()
    .get('/visits/:reference', async (c) => {
      const journey = journeyFor(c);
      const reference = c.req.param('reference').toUpperCase();
      const token = c.req.query('token');
      if (token) {
        writeJourney(c, { ...journey, access: { ...journey.access, [reference]: token } }, secret, secureCookies);
        return c.redirect(`/visits/${reference}`);
      }
      const visit = await ownVisit(c, journey);
      if (!visit) return notFound(c);
      writeJourney(c, journey, secret, secureCookies);
      const locale = localeOf(c);
      const t = (key: string, values?: Record<string, string>) => translate(locale, key, values);
      const prison = rules.get(visit.prisonId);
      const prisonName = (prison && ((locale === 'cy' && prison.nameCy) || prison.name)) ?? visit.prisonId;
      const view = publicView(visit);
      const messages = {
        requested: t('status.requested', { date: formatDate(visit.confirmBy, locale) }),
        booked: t('status.booked', { slot: visit.slotGranted ? formatSlot(visit.slotGranted, locale) : '' }),
        rejected: t('status.rejected'),
        withdrawn: t('status.withdrawn'),
        cancelled: t('status.cancelled'),
      };
      const tags = {
        requested: 'govuk-tag--blue',
        booked: 'govuk-tag--green',
        rejected: 'govuk-tag--red',
        withdrawn: 'govuk-tag--grey',
        cancelled: 'govuk-tag--grey',
      };
      return render(c, 'status', {
        title: t('status.title', { prison: prisonName }),
        prison,
        visit: view,
        message: messages[visit.status],
        tagClass: tags[visit.status],
        closedText: visit.status === 'booked' && visit.closed ? t('status.bookedClosed') : '',
        reasons: visit.rejection?.explanations ?? [],
        actionUrl: `/visits/${visit.reference}/cancel`,
      });
    })
    .on(['GET', 'POST'], '/visits/:reference/cancel', async (c) => {
      const journey = journeyFor(c);
      const visit = await ownVisit(c, journey);
      if (!visit) return notFound(c);
      const view = publicView(visit);
      const statusUrl = `/visits/${visit.reference}`;
      if (!view.canWithdraw && !view.canCancel) return c.redirect(statusUrl);
      if (c.req.method === 'POST') {
        const form = await c.req.parseBody();
        if (!csrfMatches(journey, form._csrf))
          throw new ProblemError(403, 'csrf', 'The form’s security token is missing or wrong.');
        await visitClient(services).cancelByVisitor(visit.reference);
        return c.redirect(statusUrl);
      }
      writeJourney(c, journey, secret, secureCookies);
      const t = (key: string) => translate(localeOf(c), key);
      return render(c, 'cancel', {
        title: t(view.canWithdraw ? 'cancel.withdrawTitle' : 'cancel.cancelTitle'),
        yesText: t(view.canWithdraw ? 'cancel.yesWithdraw' : 'cancel.yesCancel'),
        backUrl: statusUrl,
        csrf: journey.csrf,
        prison: rules.get(visit.prisonId),
      });
    });
}

// The visitor's own visit, reached by the link in their e-mails: its status, and withdraw or cancel with a
// confirmation step. A link's one-time code is used at its first opening and gives this browser access to the visit
// for a while, kept in a signed cookie; the code leaves the address bar at once. A link used or expired (or no access
// at all) leads to a page that e-mails a new link to the visit's own address.
import { timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { formatDate, formatSlot } from '../rules/dateWords';
import { rejectionExplanations } from '../activities/emails/render';
import { findVisit } from '../activities/readModel/lookups';
import type { VisitDocument } from '../activities/readModel/visits';
import { LINK_DAYS, useVisitLink } from '../activities/readModel/visitLinks';
import { ProblemError } from '../api/problem';
import { rateLimit } from '../api/rateLimit';
import type { Services } from '../api/services';
import { publicView } from '../api/visitViews';
import { submission } from '../rules/shapes';
import type { Locale } from '../rules/vocabulary';
import { sha256, visitClient } from '../workflows/client';
import { translate } from './i18n';
import { csrfMatches, newJourney, readJourney, writeJourney, type Journey } from './journeyCookie';
import { escapeHtml, localeOf, render } from './render';
import { bookerOfPage } from './account';
import { visitAccess } from './visitAccess';

/** Requests for a new link one client may make in the window: each starts a workflow and may send an e-mail. */
const NEW_LINKS = { limit: 10, windowMs: 10 * 60_000 };

/** A reference as the service makes them: 8 characters of Crockford base 32. */
const REFERENCE = /^[0-9A-HJKMNP-TV-Z]{8}$/;

/** Why the visitor needs a new link: theirs is used or expired, or they opened the visit without one. */
type Why = 'used' | 'none';

/**
 * Which visit this is, in the visitor's words: the prison, the prisoner, who is visiting, and the times asked for or
 * the time booked. An anonymised visit has lost its names, so it shows only what remains. Never the contact details.
 */
function visitDetails(visit: VisitDocument, prisonName: string, locale: Locale) {
  const named = !visit.anonymised;
  const times = visit.slotGranted ? [visit.slotGranted] : visit.slotOptions;
  return {
    prisonName,
    prisonerName: named ? `${visit.prisoner.firstName} ${visit.prisoner.lastName}` : '',
    visitorNames: named ? visit.visitors.map((visitor) => `${visitor.firstName} ${visitor.lastName}`) : [],
    times: times.map((slot) => formatSlot(slot, locale)),
    booked: Boolean(visit.slotGranted),
  };
}

/** The details as GOV.UK summary-list rows, with the reference first and the confirm-by date for a request. */
function detailRows(visit: VisitDocument, details: ReturnType<typeof visitDetails>, locale: Locale) {
  const t = (key: string) => translate(locale, key);
  const row = (key: string, html: string) => ({ key: { text: t(key) }, value: { html } });
  return [
    row('status.reference', escapeHtml(visit.reference)),
    row('status.details.prison', escapeHtml(details.prisonName)),
    ...(details.prisonerName ? [row('status.details.prisoner', escapeHtml(details.prisonerName))] : []),
    ...(details.visitorNames.length
      ? [row('status.details.visitors', details.visitorNames.map(escapeHtml).join('<br>'))]
      : []),
    row(
      details.booked ? 'status.details.timeBooked' : 'status.details.timesRequested',
      details.times.map(escapeHtml).join('<br>'),
    ),
    ...(visit.status === 'requested'
      ? [row('status.details.confirmBy', escapeHtml(formatDate(visit.confirmBy, locale)))]
      : []),
  ];
}

export function visitPages(services: Services) {
  const { db, rules, secureCookies } = services;
  const secret = services.session.secret;
  const journeyFor = (c: Context): Journey => {
    const journey = readJourney(c, secret);
    return typeof journey === 'string' ? newJourney() : journey;
  };
  const referenceOf = (c: Context) => c.req.param('reference')?.toUpperCase() ?? '';
  /** The prison's name in the visitor's language (its Welsh name where it has one). */
  const prisonNameOf = (prisonId: string, locale: Locale) => {
    const prison = rules.get(prisonId);
    return (prison && ((locale === 'cy' && prison.nameCy) || prison.name)) ?? prisonId;
  };

  const { of: accessOf, grant } = visitAccess(secret, secureCookies);

  /**
   * Whether `token` opens the visit: a link's one-time code, used now, or the visit's access token itself (the links
   * in e-mails sent before the codes, and the confirmation page's).
   */
  async function opens(reference: string, token: string): Promise<boolean> {
    if (await useVisitLink(db, reference, token)) return true;
    const visit = await findVisit(db, reference);
    if (!visit?.accessTokenHash) return false;
    const [given, expected] = [Buffer.from(sha256(token)), Buffer.from(visit.accessTokenHash)];
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  const bookerOf = bookerOfPage(services);

  /** The visit of the path, if this browser may see it: opened by its link here, or the signed-in booker's own. */
  async function ownVisit(c: Context) {
    const reference = referenceOf(c);
    if (reference in (await accessOf(c))) return (await findVisit(db, reference)) ?? undefined;
    const booker = await bookerOf(c);
    if (!booker || !REFERENCE.test(reference)) return undefined;
    const visit = await findVisit(db, reference);
    return visit?.bookerId === booker.booker.bookerId ? visit : undefined;
  }

  const notFound = (c: Context) =>
    render(c, 'page', {
      title: translate(localeOf(c), 'notFound.title'),
      paragraphs: [translate(localeOf(c), 'status.notFound')],
      status: 404,
    });

  /** The page that offers a new link: after a link used or expired, or with no access at all. */
  function newLinkPage(c: Context, why: Why, form: { email?: string; error?: string } = {}): Response {
    const journey = journeyFor(c);
    writeJourney(c, journey, secret, secureCookies);
    const t = (key: string) => translate(localeOf(c), key, { days: LINK_DAYS });
    return render(c, 'visitLink', {
      title: t(why === 'used' ? 'visitLink.usedTitle' : 'visitLink.noneTitle'),
      reason: t(why === 'used' ? 'visitLink.used' : 'visitLink.none'),
      why,
      actionUrl: `/visits/${referenceOf(c)}/link`,
      csrf: journey.csrf,
      email: form.email ?? '',
      errors: form.error ? [{ path: 'email', text: form.error }] : [],
      status: form.error ? 400 : 200,
    });
  }

  return (
    new Hono()
      .get('/visits/:reference', async (c) => {
        const reference = referenceOf(c);
        const token = c.req.query('token');
        if (!REFERENCE.test(reference)) return notFound(c);
        if (token !== undefined) {
          if (await opens(reference, token)) await grant(c, reference);
          // A used link opened again on the device that used it still shows the visit, while its access lasts.
          else if (!(reference in (await accessOf(c)))) return newLinkPage(c, 'used');
          return c.redirect(`/visits/${reference}`);
        }
        const visit = await ownVisit(c);
        if (!visit) return newLinkPage(c, 'none');
        const journey = journeyFor(c);
        writeJourney(c, journey, secret, secureCookies);
        const locale = localeOf(c);
        const t = (key: string, values?: Record<string, string>) => translate(locale, key, values);
        const prison = rules.get(visit.prisonId);
        const prisonName = prisonNameOf(visit.prisonId, locale);
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
          reasons: rejectionExplanations(visit, locale),
          rows: detailRows(visit, visitDetails(visit, prisonName, locale), locale),
          actionUrl: `/visits/${visit.reference}/cancel`,
        });
      })
      .on(['GET', 'POST'], '/visits/:reference/cancel', async (c) => {
        const journey = journeyFor(c);
        const visit = await ownVisit(c);
        if (!visit) return newLinkPage(c, 'none');
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
        const locale = localeOf(c);
        const t = (key: string, values?: Record<string, string>) => translate(locale, key, values);
        const details = visitDetails(visit, prisonNameOf(visit.prisonId, locale), locale);
        const about = {
          prisoner: details.prisonerName,
          prison: details.prisonName,
          times: details.times.join(` ${t('cancel.or')} `),
        };
        // An anonymised visit has no prisoner to name: the question stays general.
        const title = details.prisonerName
          ? t(view.canWithdraw ? 'cancel.withdrawVisit' : 'cancel.cancelVisit', about)
          : t(view.canWithdraw ? 'cancel.withdrawTitle' : 'cancel.cancelTitle');
        return render(c, 'cancel', {
          title,
          rows: detailRows(visit, details, locale),
          yesText: t(view.canWithdraw ? 'cancel.yesWithdraw' : 'cancel.yesCancel'),
          backUrl: statusUrl,
          csrf: journey.csrf,
          prison: rules.get(visit.prisonId),
        });
      })
      // Anyone may ask; the link goes only to the visit's own address, and the answer is the same either way.
      .post(
        '/visits/:reference/link',
        rateLimit({ ...NEW_LINKS, trustedProxyHops: services.trustedProxyHops }),
        async (c) => {
          const reference = referenceOf(c);
          if (!REFERENCE.test(reference)) return notFound(c);
          const form = await c.req.parseBody();
          if (!csrfMatches(journeyFor(c), form._csrf))
            throw new ProblemError(403, 'csrf', 'The form’s security token is missing or wrong.');
          const email = typeof form.email === 'string' ? form.email.trim() : '';
          if (!submission.shape.contact.shape.email.safeParse(email).success) {
            const why: Why = form.why === 'none' ? 'none' : 'used';
            return newLinkPage(c, why, { email, error: translate(localeOf(c), 'errors.invalid_email') });
          }
          await visitClient(services).requestLink(reference, email);
          return c.redirect(`/visits/${reference}/link-sent`);
        },
      )
      .get('/visits/:reference/link-sent', (c) => {
        const t = (key: string) => translate(localeOf(c), key, { days: LINK_DAYS });
        return render(c, 'page', {
          title: t('visitLink.sentTitle'),
          paragraphs: [t('visitLink.sent'), t('visitLink.sentOnce')],
        });
      })
  );
}

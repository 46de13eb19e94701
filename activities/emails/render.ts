// Rendering the e-mails of a visit from the templates in ./templates: text and HTML, in English or Welsh.
import { join } from 'node:path';
import nunjucks from 'nunjucks';
import { formatDate, formatSlot } from '../../rules/dateWords';
import { phoneHoursOf } from '../../rules/phoneHours';
import type { Prison } from '../../rules/prison';
import type { Visit } from '../../workflows/visit';
import type { Locale } from '../../rules/vocabulary';
import { LINK_DAYS } from '../readModel/visitLinks';

export type Template =
  'received' | 'booked' | 'changed' | 'rejected' | 'cancelled' | 'message' | 'reminder' | 'link' | 'staff_reminder';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/**
 * Stands for the one-time code in a visitor's link while the e-mail waits in the outbox: the code is made, and put in
 * its place, only in the copy handed to the mail provider (`withLinkCode`), so the outbox never holds one.
 */
export const LINK_CODE_PLACEHOLDER = 'ONE-TIME-CODE-ADDED-WHEN-SENT';

/** A message with a link: an e-mail (text and HTML), or a text message (text only). */
type Linking = { text: string; html?: string };

/** Whether the e-mail (or text message) has a link for a one-time code (a cancellation, for one, has none). */
export const hasLinkCode = (email: Linking) =>
  email.text.includes(LINK_CODE_PLACEHOLDER) || Boolean(email.html?.includes(LINK_CODE_PLACEHOLDER));

/** The e-mail (or text message) with the one-time code in its link. */
export function withLinkCode<Email extends Linking>(email: Email, code: string): Email {
  const fill = (body: string) => body.split(LINK_CODE_PLACEHOLDER).join(encodeURIComponent(code));
  return { ...email, text: fill(email.text), ...(email.html === undefined ? {} : { html: fill(email.html) }) };
}

const dir = join(import.meta.dirname, 'templates');
const html = new nunjucks.Environment(new nunjucks.FileSystemLoader(dir), { autoescape: true, throwOnUndefined: true });
const text = new nunjucks.Environment(new nunjucks.FileSystemLoader(dir), {
  autoescape: false,
  throwOnUndefined: true,
});

/** The words for reasons and outcomes, as a visitor reads them. */
const words: Record<Locale, Record<string, string>> = {
  en: {
    serviceName: 'Prison visits',
    help: 'Need help? Call {phone}{hours}.',
    hoursPrefix: ', ',
    linkNote:
      'The link works once, for {days} days. After that it takes you to a page where you can ask for a new one.',
    child_protection_issues: 'there are child protection concerns',
    no_allowance: 'the prisoner has no visiting allowance left',
    prisoner_details_incorrect: 'the prisoner’s details are not correct',
    prisoner_moved: 'the prisoner has moved to another prison',
    prisoner_non_association: 'the prisoner cannot have visits with someone on this request',
    prisoner_released: 'the prisoner has been released',
    slot_unavailable: 'none of the times you chose are available',
    visitor_banned: 'a visitor is banned from visiting',
    visitor_not_on_list: 'a visitor is not on the prisoner’s contact list',
    duplicate_visit_request: 'you have already asked for this visit',
    prisoner_out_of_prison: 'the prisoner is out of prison at that time',
    visitor_other_reason: 'a visitor cannot visit',
    other: 'the prison could not book the visit',
    request_expired: 'the prison did not reply in time and the times you chose have passed',
    prisoner_vos: 'the prisoner has no visiting orders left',
    prisoner_cancelled: 'the prisoner cancelled the visit',
    booked_in_error: 'the visit was booked in error',
    capacity_issues: 'the visits hall is full',
    visitor_cancelled: 'you cancelled the visit',
    banned: 'banned',
    not_on_list: 'not on the prisoner’s contact list',
    other_visitor: 'the prison will explain',
  },
  cy: {
    serviceName: 'Ymweliadau carchar',
    help: 'Angen help? Ffoniwch {phone}{hours}.',
    hoursPrefix: ', ',
    linkNote:
      'Mae’r ddolen yn gweithio unwaith, am {days} diwrnod. Wedi hynny, mae’n mynd â chi i dudalen lle gallwch ofyn am un newydd.',
    child_protection_issues: 'mae pryderon amddiffyn plant',
    no_allowance: 'nid oes gan y carcharor lwfans ymweld ar ôl',
    prisoner_details_incorrect: 'nid yw manylion y carcharor yn gywir',
    prisoner_moved: 'mae’r carcharor wedi symud i garchar arall',
    prisoner_non_association: 'ni chaiff y carcharor ymweliadau gan rywun ar y cais hwn',
    prisoner_released: 'mae’r carcharor wedi cael ei ryddhau',
    slot_unavailable: 'nid oes yr un o’r amseroedd a ddewisoch ar gael',
    visitor_banned: 'mae ymwelydd wedi’i wahardd rhag ymweld',
    visitor_not_on_list: 'nid yw ymwelydd ar restr cysylltiadau’r carcharor',
    duplicate_visit_request: 'rydych eisoes wedi gofyn am yr ymweliad hwn',
    prisoner_out_of_prison: 'bydd y carcharor allan o’r carchar ar yr adeg honno',
    visitor_other_reason: 'ni all ymwelydd ymweld',
    other: 'nid oedd modd i’r carchar drefnu’r ymweliad',
    request_expired: 'ni atebodd y carchar mewn pryd ac mae’r amseroedd a ddewisoch wedi mynd heibio',
    prisoner_vos: 'nid oes gan y carcharor orchmynion ymweld ar ôl',
    prisoner_cancelled: 'canslodd y carcharor yr ymweliad',
    booked_in_error: 'trefnwyd yr ymweliad mewn camgymeriad',
    capacity_issues: 'mae’r neuadd ymweld yn llawn',
    visitor_cancelled: 'fe wnaethoch ganslo’r ymweliad',
    banned: 'wedi’i wahardd',
    not_on_list: 'ddim ar restr cysylltiadau’r carcharor',
    other_visitor: 'bydd y carchar yn esbonio',
  },
};

/**
 * Why the rules rejected a request, in the visitor's language: the rules' explanations, or in Welsh, when a rule file
 * gives no `explanation_cy`, the Welsh words for the reasons themselves; none when no rule rejected it.
 */
export function rejectionExplanations(visit: Pick<Visit, 'rejection'>, locale: Locale): string[] {
  const rejection = visit.rejection;
  if (!rejection?.explanations?.length) return [];
  if (locale === 'en') return rejection.explanations;
  return rejection.explanationsCy ?? rejection.reasons.map((reason) => words.cy[reason] ?? reason);
}

export interface EmailContext {
  visit: Visit;
  prison: Prison;
  statusUrl: string;
  queueUrl: string;
  message?: string;
}

function context({ visit, prison, statusUrl, queueUrl, message }: EmailContext, locale: Locale) {
  const say = words[locale];
  const hours = phoneHoursOf(prison, locale);
  const latestChange = visit.changes?.[visit.changes.length - 1];
  const reasons = visit.status === 'cancelled' ? (visit.cancellation?.reasons ?? []) : (visit.rejection?.reasons ?? []);
  return {
    locale,
    serviceName: say.serviceName,
    linkNote: say.linkNote.replace('{days}', String(LINK_DAYS)),
    help: say.help
      .replace('{phone}', prison.phone ?? '0300 060 6000')
      .replace('{hours}', hours ? `${say.hoursPrefix}${hours}` : ''),
    reference: visit.reference,
    prisonName: (locale === 'cy' && prison.nameCy) || prison.name,
    prisonerName: `${visit.prisoner.firstName} ${visit.prisoner.lastName}`,
    slotOptions: visit.slotOptions.map((slot) => formatSlot(slot, locale)),
    slotGranted: visit.slotGranted ? formatSlot(visit.slotGranted, locale) : '',
    // What the latest change was, for the e-mail that says it: the time before it, or new visitors.
    slotBefore: latestChange?.slot ? formatSlot(latestChange.slot.from, locale) : '',
    visitorsChanged: latestChange?.visitors !== undefined,
    // A visit booked at once has no prison's reference yet: its own is the one to quote.
    referenceNo: visit.referenceNo ?? visit.reference,
    closed: Boolean(visit.closed),
    confirmBy: formatDate(visit.confirmBy, locale),
    visitors: visit.visitors.map((visitor) => ({
      name: `${visitor.firstName} ${visitor.lastName}`,
      allowed: (visitor.outcome ?? 'allowed') === 'allowed',
      reason: say[visitor.outcome === 'other' ? 'other_visitor' : (visitor.outcome ?? 'other_visitor')] ?? '',
    })),
    // A rule's own explanation says more than the reason's words; "other" keeps its staff-only detail private.
    reasons: visit.rejection?.explanations?.length
      ? rejectionExplanations(visit, locale)
      : reasons.map((reason) => say[reason] ?? reason),
    allowanceRenewsOn: visit.rejection?.allowanceRenewsOn ? formatDate(visit.rejection.allowanceRenewsOn, locale) : '',
    message: message ?? '',
    statusUrl,
    queueUrl,
  };
}

/** Renders one e-mail; the subject is the text template's first line, `Subject: ...`. */
export function renderEmail(template: Template, locale: Locale, email: EmailContext): RenderedEmail {
  const use: Locale = template === 'staff_reminder' ? 'en' : locale;
  const values = context(email, use);
  const [first, ...rest] = text.render(`${use}/${template}.txt.njk`, values).split('\n');
  const subject = first.replace(/^Subject: /, '').trim();
  return {
    subject,
    text: rest.join('\n').trim() + '\n',
    html: html.render(`${use}/${template}.html.njk`, { ...values, subject }),
  };
}

/** Renders the e-mail with a booker's sign-in link (`signInUrl` holds the link-code placeholder until it is sent). */
export function renderSignInEmail(locale: Locale, values: { signInUrl: string; minutes: number }): RenderedEmail {
  const say = words[locale];
  const all = {
    ...values,
    locale,
    serviceName: say.serviceName,
    help: say.help.replace('{phone}', '0300 060 6000').replace('{hours}', ''),
  };
  const [first, ...rest] = text.render(`${locale}/sign_in.txt.njk`, all).split('\n');
  const subject = first.replace(/^Subject: /, '').trim();
  return {
    subject,
    text: rest.join('\n').trim() + '\n',
    html: html.render(`${locale}/sign_in.html.njk`, { ...all, subject }),
  };
}

// The text messages of a visit, in English or Welsh: short and plain, saying the prison, the time and the reference,
// with the visit's link where the e-mail of the same event has one (its one-time code added only as it is sent).
import { formatSlot } from '../../rules/dateWords';
import type { Prison } from '../../rules/prison';
import type { Locale } from '../../rules/vocabulary';
import type { Visit } from '../../workflows/visit';
import type { Template } from '../emails/render';
import { LINK_DAYS } from '../readModel/visitLinks';
import type { OutgoingText } from './providers';

/** The e-mails that a visitor may have as text messages instead, or as well. */
export const textTemplates = ['booked', 'changed', 'cancelled', 'reminder'] as const satisfies readonly Template[];
export type TextTemplate = (typeof textTemplates)[number];

export const isTextTemplate = (template: Template): template is TextTemplate =>
  (textTemplates as readonly Template[]).includes(template);

export interface TextContext {
  visit: Visit;
  prison: Prison;
  /** The visitor's link, holding the one-time code's placeholder. */
  statusUrl: string;
}

interface Values {
  prison: string;
  slot: string;
  /** The time before the latest change, when it moved the visit. */
  slotBefore: string;
  reference: string;
  referenceNo: string;
  link: string;
}

type Words = Record<Exclude<TextTemplate, 'changed'> | 'changedTime' | 'changedVisitors', (v: Values) => string>;

const words: Record<Locale, Words> = {
  en: {
    booked: (v) =>
      `Prison visits: your visit to ${v.prison} is booked for ${v.slot}. Booking reference: ${v.referenceNo}. ` +
      `Bring photo ID for every adult. To see or cancel your visit: ${v.link} (works once, for ${LINK_DAYS} days)`,
    changedTime: (v) =>
      `Prison visits: the prison has changed the time of your visit to ${v.prison}. New time: ${v.slot}.` +
      `${v.slotBefore ? ` It was: ${v.slotBefore}.` : ''} Booking reference: ${v.referenceNo}. ` +
      `To see or cancel your visit: ${v.link} (works once, for ${LINK_DAYS} days)`,
    changedVisitors: (v) =>
      `Prison visits: the prison has changed who can come on your visit to ${v.prison} on ${v.slot}. ` +
      `Booking reference: ${v.referenceNo}. To see your visit: ${v.link} (works once, for ${LINK_DAYS} days)`,
    cancelled: (v) =>
      `Prison visits: the prison has cancelled your visit to ${v.prison}${v.slot ? ` on ${v.slot}` : ''}. ` +
      `Your reference was ${v.reference}. You can ask for another visit.`,
    reminder: (v) =>
      `Prison visits: a reminder of your visit to ${v.prison} on ${v.slot}. Booking reference: ${v.referenceNo}. ` +
      `Bring photo ID for every adult. If you cannot go, cancel your visit: ${v.link} (works once, for ${LINK_DAYS} days)`,
  },
  cy: {
    booked: (v) =>
      `Ymweliadau carchar: mae eich ymweliad â ${v.prison} wedi'i drefnu ar gyfer ${v.slot}. ` +
      `Cyfeirnod archebu: ${v.referenceNo}. Dewch â dull adnabod gyda llun ar gyfer pob oedolyn. ` +
      `I weld neu ganslo eich ymweliad: ${v.link} (yn gweithio unwaith, am ${LINK_DAYS} diwrnod)`,
    changedTime: (v) =>
      `Ymweliadau carchar: mae'r carchar wedi newid amser eich ymweliad â ${v.prison}. Amser newydd: ${v.slot}.` +
      `${v.slotBefore ? ` Yr hen amser: ${v.slotBefore}.` : ''} Cyfeirnod archebu: ${v.referenceNo}. ` +
      `I weld neu ganslo eich ymweliad: ${v.link} (yn gweithio unwaith, am ${LINK_DAYS} diwrnod)`,
    changedVisitors: (v) =>
      `Ymweliadau carchar: mae'r carchar wedi newid pwy sy'n dod ar eich ymweliad â ${v.prison} ar ${v.slot}. ` +
      `Cyfeirnod archebu: ${v.referenceNo}. I weld eich ymweliad: ${v.link} (yn gweithio unwaith, am ${LINK_DAYS} diwrnod)`,
    cancelled: (v) =>
      `Ymweliadau carchar: mae'r carchar wedi canslo eich ymweliad â ${v.prison}${v.slot ? ` ar ${v.slot}` : ''}. ` +
      `Eich cyfeirnod oedd ${v.reference}. Gallwch ofyn am ymweliad arall.`,
    reminder: (v) =>
      `Ymweliadau carchar: nodyn i'ch atgoffa am eich ymweliad â ${v.prison} ar ${v.slot}. ` +
      `Cyfeirnod archebu: ${v.referenceNo}. Dewch â dull adnabod gyda llun ar gyfer pob oedolyn. ` +
      `Os na allwch fynd, canslwch eich ymweliad: ${v.link} (yn gweithio unwaith, am ${LINK_DAYS} diwrnod)`,
  },
};

/** Renders one text message: its words, with the link's one-time-code placeholder where it has a link. */
export function renderText(template: TextTemplate, locale: Locale, { visit, prison, statusUrl }: TextContext): string {
  const latestChange = visit.changes?.[visit.changes.length - 1];
  const values: Values = {
    prison: (locale === 'cy' && prison.nameCy) || prison.name,
    slot: visit.slotGranted ? formatSlot(visit.slotGranted, locale) : '',
    slotBefore: latestChange?.slot ? formatSlot(latestChange.slot.from, locale) : '',
    reference: visit.reference,
    // A visit booked at once has no prison's reference yet: its own is the one to quote.
    referenceNo: visit.referenceNo ?? visit.reference,
    link: statusUrl,
  };
  const which = template === 'changed' ? (latestChange?.visitors ? 'changedVisitors' : 'changedTime') : template;
  return words[locale][which](values);
}

/** A visit's text message for an event, if the event has one and the visitor asked for texts (`contact.notifyBy`). */
export function textFor(template: Template, key: string, context: TextContext): OutgoingText | undefined {
  const { visit } = context;
  const notifyBy = visit.contact.notifyBy ?? 'email';
  if (!isTextTemplate(template) || notifyBy === 'email') return undefined;
  return {
    to: visit.contact.phone,
    // Beside the e-mail's `<reference>.<key>` in the outbox.
    id: `${visit.reference}.${key}.text`,
    text: renderText(template, visit.locale, context),
  };
}

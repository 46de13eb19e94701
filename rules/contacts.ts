// The visitors of a request against the prisoner's list of approved contacts: who is on it (exactly, or nearly, with
// what differs), and what restrictions on them are in force on the dates asked for; then what that means for the
// request, in words staff (and, for a rejection, visitors) read. The same at every prison. Pure: no clock, no I/O.
import type { Contact, ContactRestriction } from './prisonerRecord';
import { formatDate } from './dateWords';

/** A visitor as the request names them. */
export interface Visitor {
  firstName: string;
  lastName: string;
  dateOfBirth: string;
}

/** One way a visitor differs from the contact they nearly match. `onRecord` absent: the record says nothing. */
export interface VisitorDifference {
  field: 'firstName' | 'lastName' | 'dateOfBirth';
  given: string;
  onRecord?: string;
}

/** How one visitor of a request stands against the prisoner's approved contacts. */
export interface VisitorCheck {
  /** `exact`: names (ignoring case, accents, spacing and the kind of apostrophe) and date of birth agree. */
  match: 'exact' | 'near' | 'none';
  /** The contact matched, exactly or nearly. */
  contactId?: string;
  relationship?: string;
  /** What differs, for a near match. */
  differences?: VisitorDifference[];
  /** A ban covers every date asked for; `until` absent: until lifted. */
  banned?: { until?: string };
  /** The dates asked for that a ban covers, when it does not cover them all. */
  bannedOnSomeDates?: string[];
  /** A closed-visits restriction covers at least one date asked for (a booking could land on it). */
  closed?: true;
  /** The dates asked for that restriction covers, when it does not cover them all. */
  closedOnSomeDates?: string[];
}

/** Checks each visitor, in order (the first is the lead visitor), against the approved contacts on the visit dates. */
export function checkVisitors(visitors: Visitor[], contacts: Contact[], visitDates: string[]): VisitorCheck[] {
  const approved = contacts.filter((c) => c.approved);
  const dates = [...new Set(visitDates)].sort();
  return visitors.map((visitor) => {
    const best = closestContact(visitor, approved);
    if (!best) return { match: 'none' };
    const { contact, differences } = best;
    return {
      match: differences.length === 0 ? 'exact' : 'near',
      contactId: contact.id,
      ...(contact.relationship ? { relationship: contact.relationship } : {}),
      ...(differences.length > 0 ? { differences } : {}),
      ...restrictionsOn(contact.restrictions, dates),
    };
  });
}

/** A name as compared: case, accents, spacing and the kind of apostrophe or hyphen do not count. */
export function foldName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[‘’ʼ`´′]/gu, "'")
    .replace(/[‐‑‒–—]/gu, '-')
    .replace(/\s+/g, ' ')
    .replace(/ ?([-']) ?/g, '$1')
    .trim();
}

/** Edits (insert, delete, replace, swap two neighbours) from one word to the other: optimal string alignment. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/** Typos a name of this length may hold and still be taken for the name: one in a short name, two in a longer. */
const typosAllowed = (a: string, b: string) => (Math.max(a.length, b.length) <= 4 ? 1 : 2);

type Birth = 'equal' | 'missing' | 'typo' | 'other';

/** One field of a date wrong, or day and month swapped: a slip of the keyboard rather than another person. */
function compareBirth(given: string, onRecord: string | undefined): Birth {
  if (onRecord === undefined) return 'missing';
  if (given === onRecord) return 'equal';
  const [gy, gm, gd] = given.split('-');
  const [ry, rm, rd] = onRecord.split('-');
  const fieldsOff = [gy !== ry, gm !== rm, gd !== rd].filter(Boolean).length;
  return fieldsOff === 1 || (gy === ry && gm === rd && gd === rm) ? 'typo' : 'other';
}

/**
 * The approved contact the visitor is, or is most likely meant to be, with what differs: none differs for an exact
 * match. Near enough: with the date of birth equal (or none on record), each name within a typo or two; with
 * another date of birth, the same names (a typo in the date, by the cost, is preferred to another one). Otherwise
 * none: a slip in a name and in the date of birth together is as likely another person.
 */
function closestContact(visitor: Visitor, contacts: Contact[]) {
  const first = foldName(visitor.firstName);
  const last = foldName(visitor.lastName);
  let best: { contact: Contact; cost: number } | undefined;
  for (const contact of contacts) {
    const [recordFirst, recordLast] = [foldName(contact.firstName), foldName(contact.lastName)];
    const typos = editDistance(first, recordFirst) + editDistance(last, recordLast);
    const birth = compareBirth(visitor.dateOfBirth, contact.dateOfBirth);
    const near =
      birth === 'equal' || birth === 'missing'
        ? editDistance(first, recordFirst) <= typosAllowed(first, recordFirst) &&
          editDistance(last, recordLast) <= typosAllowed(last, recordLast)
        : typos === 0;
    if (!near) continue;
    const cost = typos + { equal: 0, missing: 1, typo: 1, other: 3 }[birth];
    if (!best || cost < best.cost) best = { contact, cost };
  }
  if (!best) return undefined;
  const { contact } = best;
  const differences: VisitorDifference[] = [];
  if (first !== foldName(contact.firstName)) {
    differences.push({ field: 'firstName', given: visitor.firstName.trim(), onRecord: contact.firstName });
  }
  if (last !== foldName(contact.lastName)) {
    differences.push({ field: 'lastName', given: visitor.lastName.trim(), onRecord: contact.lastName });
  }
  if (visitor.dateOfBirth !== contact.dateOfBirth) {
    differences.push({
      field: 'dateOfBirth',
      given: visitor.dateOfBirth,
      ...(contact.dateOfBirth ? { onRecord: contact.dateOfBirth } : {}),
    });
  }
  return { contact, differences };
}

const covers = (restriction: ContactRestriction, date: string) =>
  (!restriction.from || restriction.from <= date) && (!restriction.until || restriction.until >= date);

/**
 * The restrictions in force on the dates asked for. A ban counts against the request only if it covers them all
 * (staff can book a date it does not cover); closed visits count if they cover any, as a booking might land there.
 */
function restrictionsOn(restrictions: ContactRestriction[], dates: string[]): Partial<VisitorCheck> {
  if (dates.length === 0) return {};
  const found: Partial<VisitorCheck> = {};
  const bans = restrictions.filter((r) => r.type === 'banned' && dates.some((date) => covers(r, date)));
  const bannedDates = dates.filter((date) => bans.some((r) => covers(r, date)));
  if (bannedDates.length === dates.length) {
    const until = bans.some((r) => !r.until) ? undefined : bans.map((r) => r.until as string).sort()[bans.length - 1];
    found.banned = until ? { until } : {};
  } else if (bannedDates.length > 0) {
    found.bannedOnSomeDates = bannedDates;
  }
  const closedDates = dates.filter((date) => restrictions.some((r) => r.type === 'closed' && covers(r, date)));
  if (closedDates.length > 0) found.closed = true;
  if (closedDates.length > 0 && closedDates.length < dates.length) found.closedOnSomeDates = closedDates;
  return found;
}

/** What the contact check finds, in the shapes of eligibility's findings. */
export interface VisitorFindings {
  rejections: { rule: string; reason: 'visitor_banned'; explanation: string; explanationCy: string }[];
  flags: { rule: string; flag: 'visitor_banned' | 'visitor_near_match' | 'visitor_not_on_list'; explanation: string }[];
  closedVisit?: { rule: string; explanation: string };
}

/** The name the contact check's findings go by. */
export const CONTACT_CHECK = 'contact-check';
const rule = CONTACT_CHECK;
const fullName = (visitor: Visitor) => `${visitor.firstName.trim()} ${visitor.lastName.trim()}`.replace(/\s+/g, ' ');
const inWords = (dates: string[]) => dates.map((date) => formatDate(date, 'en')).join(' and ');

function bannedUntil(name: string, banned: { until?: string }) {
  return {
    explanation: `${name} is banned from visiting ${
      banned.until ? `until ${formatDate(banned.until, 'en', { weekday: false })}` : 'until further notice'
    }.`,
    // "A ban stops <name> visiting until …": Welsh that needs no gender for the visitor.
    explanationCy: `Mae gwaharddiad yn atal ${name} rhag ymweld ${
      banned.until ? `tan ${formatDate(banned.until, 'cy', { weekday: false })}` : 'hyd nes y ceir hysbysiad pellach'
    }.`,
  };
}

function differencesInWords(differences: VisitorDifference[]): string {
  const words = { firstName: 'first name', lastName: 'last name', dateOfBirth: 'date of birth' };
  return differences
    .map(({ field, given, onRecord }) =>
      onRecord === undefined
        ? `${words[field]} ${given} given, none on record`
        : `${words[field]} ${given} given, ${onRecord} on record`,
    )
    .join('; ');
}

/**
 * The findings from the visitors' checks. Only an exact match rejects or makes the visit closed: the request is
 * rejected (`visitor_banned`) when the lead visitor (and so when every visitor) is banned on every date asked for.
 * A ban on another visitor, a ban on some dates, a near match (with its restrictions) and a visitor not on the list
 * are flagged for staff to decide.
 */
export function visitorFindings(visitors: Visitor[], checks: VisitorCheck[]): VisitorFindings {
  const findings: VisitorFindings = { rejections: [], flags: [] };
  if (checks.length === 0) return findings;
  const bannedExactly = (check: VisitorCheck) => check.match === 'exact' && check.banned !== undefined;
  // Every visitor banned includes the lead: the lead decides.
  const leadBanned = bannedExactly(checks[0]);
  checks.forEach((check, index) => {
    const name = fullName(visitors[index]);
    if (check.match === 'none') {
      findings.flags.push({
        rule,
        flag: 'visitor_not_on_list',
        explanation: `${name} is not on the prisoner’s list of approved contacts.`,
      });
      return;
    }
    if (check.match === 'near') {
      findings.flags.push({
        rule,
        flag: 'visitor_near_match',
        explanation: `${name} nearly matches an approved contact: ${differencesInWords(check.differences ?? [])}.${
          check.closed ? ' That contact may only have closed visits.' : ''
        }`,
      });
    }
    const maybe = check.match === 'near' ? `${name} may be a contact who` : name;
    if (check.banned && leadBanned && check.match === 'exact') {
      findings.rejections.push({ rule, reason: 'visitor_banned', ...bannedUntil(name, check.banned) });
    } else if (check.banned) {
      findings.flags.push({
        rule,
        flag: 'visitor_banned',
        explanation: bannedUntil(maybe, check.banned).explanation,
      });
    } else if (check.bannedOnSomeDates) {
      findings.flags.push({
        rule,
        flag: 'visitor_banned',
        explanation: `${maybe} is banned from visiting on ${inWords(check.bannedOnSomeDates)}; the other dates asked for can be booked.`,
      });
    }
    if (check.closed && check.match === 'exact' && !findings.closedVisit) {
      findings.closedVisit = {
        rule,
        explanation: check.closedOnSomeDates
          ? `${name} may only have closed visits on ${inWords(check.closedOnSomeDates)}.`
          : `${name} may only have closed visits.`,
      };
    }
  });
  return findings;
}

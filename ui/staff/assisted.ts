// Assisted digital: a helper enters a request for a visitor who asked by phone, in person, by email, by post, or
// through another channel of the assisted-digital settings. The request goes through the same checks and workflow as
// one from the web form, with the channel and minutes noted.
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { assistedSettingsOf } from '../../api/assistedSettings';
import { messageFor } from '../../api/errorMessages';
import type { Services } from '../../api/services';
import { toFieldErrors } from '../../api/validation';
import type { AssistedSettings } from '../../rules/assistedDigital';
import { blockedOfPrison, leaveOutBlocked } from '../../activities/readModel/blockedDates';
import { bookableSlots } from '../../rules/calendar';
import { isoDateOf, readDateFields } from '../../rules/dateFields';
import { londonClock } from '../../rules/londonTime';
import { submission } from '../../rules/shapes';
import { checkSubmission } from '../../rules/submission';
import { assistedChannels } from '../../rules/vocabulary';
import { translate } from '../i18n';
import { typedDateProblems, withDates } from '../request/common';
import { form, staffAccess, staffPage, type StaffPageEnv } from './common';
import { slotInWords } from './words';
import { visitClient } from '../../workflows/client';
import { refuseUnlessMayChangeVisits } from '../../api/access';

/** Whose answer a field is, as a helper reads it: after "Enter", and at the start of a sentence. */
function whose(path: string): { enter: string; start: string } {
  const visitor = /^visitors\.(\d+)\./.exec(path);
  if (path.startsWith('prisoner.')) return { enter: 'the prisoner’s', start: 'Prisoner’s' };
  if (visitor?.[1] === '0') return { enter: 'the lead visitor’s', start: 'Lead visitor’s' };
  if (visitor) return { enter: `visitor ${Number(visitor[1]) + 1}’s`, start: `Visitor ${Number(visitor[1]) + 1}’s` };
  return { enter: 'the visitor’s', start: 'Visitor’s' };
}

const fieldNames: Record<string, string> = {
  firstName: 'first name',
  lastName: 'last name',
  number: 'prison number',
  email: 'email address',
  phone: 'UK phone number',
};

/**
 * A problem with the assisted form in words that name the field and whose it is ("Enter the lead visitor's first
 * name", "Prisoner's date of birth must be a real date"), as the visitor's own form does.
 */
function helperWords(problem: { path: string; code: string; message?: string }, typed: string): string {
  const field = problem.path.split('.').pop() ?? '';
  const { enter, start } = whose(problem.path);
  const dateKey = `errors.date.${problem.code}`;
  if (field === 'dateOfBirth' && translate('en', dateKey) !== dateKey) {
    return translate('en', dateKey, { enter: `${enter} date of birth`, must: `${start} date of birth` });
  }
  if (problem.path === 'slotOptions' && (problem.code === 'required' || problem.code === 'too_few')) {
    return 'Choose at least one time';
  }
  if (typed === '' && fieldNames[field]) return `Enter ${enter} ${fieldNames[field]}`;
  return problem.message || messageFor(problem.code);
}

/** What was typed at a request's path (`visitors.0.firstName`), or '' for nothing or something that is not text. */
function typedAt(request: unknown, path: string): string {
  const value = path
    .split('.')
    .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], request);
  return typeof value === 'string' ? value : '';
}

/** Where a field comes on the form, so the error summary lists problems in the order of the page. */
function formOrder(path: string): number {
  const sections = ['channel', 'minutes', 'organisation', 'prisoner', 'visitors', 'slotOptions', 'contact'];
  const fields = ['firstName', 'lastName', 'dateOfBirth', 'number', 'email', 'phone'];
  const [section, ...rest] = path.split('.');
  const visitor = Number(/^visitors\.(\d+)/.exec(path)?.[1] ?? 0);
  return sections.indexOf(section) * 1000 + visitor * 10 + Math.max(0, fields.indexOf(rest.at(-1) ?? ''));
}

/** The standard channels' names, for when there are no assisted-digital settings to name them. */
const standardChannelNames: Record<(typeof assistedChannels)[number], string> = {
  phone: 'Phone',
  in_person: 'In person',
  email: 'Email',
  post: 'Post',
};

/**
 * The channels a helper can choose, with the names staff read: the settings' channels in the file's order, but for
 * `web_helper`, a helper organisation on the visitors' own web form, not an entry here. The standard four when there
 * are no settings, or they have mistakes.
 */
export function channelChoices(settings: AssistedSettings | undefined): { value: string; text: string }[] {
  if (!settings) return assistedChannels.map((code) => ({ value: code, text: standardChannelNames[code] }));
  return Object.entries(settings.channels)
    .filter(([code]) => code !== 'web_helper' && code !== 'web')
    .map(([code, { name }]) => ({ value: code, text: name }));
}

export function assistedPages(services: Services) {
  const { rules } = services;
  const { signedIn, prisonsOf, prisonFor } = staffAccess(services);

  return new Hono<StaffPageEnv>().on(['GET', 'POST'], '/staff/assisted', signedIn, async (c) => {
    const user = c.get('user');
    refuseUnlessMayChangeVisits(user, 'enter requests');
    const prisons = prisonsOf(user);
    const asked = c.req.query('prisonId');
    const prison = asked ? rules.get(prisonFor(c)) : undefined;
    const page = {
      title: 'Enter a request for a visitor',
      user,
      csrf: c.get('csrf'),
      active: 'assisted',
      prisonItems: prisons.map((p) => ({ value: p.id, text: p.name })),
    };
    if (!prison) return staffPage(c, 'staff/assisted', page);
    const today = londonClock(new Date()).date;
    const maxVisitors = Math.min(6, prison.maxVisitors);
    const channels = channelChoices(assistedSettingsOf(services));
    let values: Record<string, unknown> = { minutes: '', locale: 'en' };
    let errors: { path: string; text: string }[] = [];
    let key = randomBytes(16).toString('hex');
    if (c.req.method === 'POST') {
      const body = await form(c);
      const field = (name: string) => String(body[name] ?? '').trim();
      const dob = (name: string) => readDateFields(name, field);
      key = /^[0-9a-f]{32}$/.test(field('key')) ? field('key') : key;
      values = {
        ...Object.fromEntries(Object.entries(body).map(([k, v]) => [k, v])),
        'prisoner-dob': dob('prisoner-dob'),
      };
      const visitors = [];
      const typedDates = typedDateProblems('prisoner.dateOfBirth', dob('prisoner-dob'));
      for (let i = 0; i < maxVisitors; i++) {
        values[`visitor-${i}-dob`] = dob(`visitor-${i}-dob`);
        const visitor = {
          firstName: field(`visitor-${i}-firstName`),
          lastName: field(`visitor-${i}-lastName`),
          dateOfBirth: isoDateOf(dob(`visitor-${i}-dob`)),
        };
        if (i === 0 || visitor.firstName || visitor.lastName || visitor.dateOfBirth) {
          typedDates.push(...typedDateProblems(`visitors.${visitors.length}.dateOfBirth`, dob(`visitor-${i}-dob`)));
          visitors.push(visitor);
        }
      }
      const request = {
        prisonId: prison.id,
        prisoner: {
          firstName: field('prisoner-firstName'),
          lastName: field('prisoner-lastName'),
          dateOfBirth: isoDateOf(dob('prisoner-dob')),
          number: field('prisoner-number'),
        },
        visitors,
        slotOptions: ([] as string[]).concat(body.slotOptions ?? []),
        contact: { email: field('email'), phone: field('phone') },
        locale: field('locale') === 'cy' ? 'cy' : 'en',
      };
      const minutes = Number(field('minutes'));
      const organisation = field('organisation');
      const organisationProblem =
        organisation === ''
          ? 'Enter the organisation you are helping from'
          : organisation.length > 100 || /[<>\p{Cc}]/u.test(organisation)
            ? 'Enter the organisation in up to 100 characters, without < or >'
            : undefined;
      const chosen = channels.find((choice) => choice.value === field('channel'));
      const parsed = submission.safeParse(request);
      const problems = [
        ...(chosen ? [] : [{ path: 'channel', code: 'required', message: 'Choose how the visitor asked' }]),
        ...(field('minutes') !== '' && Number.isInteger(minutes) && minutes >= 0 && minutes <= 600
          ? []
          : [{ path: 'minutes', code: 'required', message: 'Enter the minutes spent, a whole number from 0 to 600' }]),
        ...(organisationProblem ? [{ path: 'organisation', code: 'invalid', message: organisationProblem }] : []),
        ...withDates(
          parsed.success
            ? checkSubmission(parsed.data, prison, today, await blockedOfPrison(services.db, prison.id))
            : toFieldErrors(parsed.error),
          typedDates,
        ).map((p) => ({ ...p, message: helperWords(p, typedAt(request, p.path)) })),
      ].sort((a, b) => formOrder(a.path) - formOrder(b.path));
      if (problems.length === 0 && parsed.success && chosen && !organisationProblem) {
        const assisted = { channel: chosen.value, minutes, by: user.email, organisation };
        const sent = await visitClient(services).submit(parsed.data, { idempotencyKey: key, assisted, today });
        return c.redirect(`/staff/visits/${sent.reference}`);
      }
      errors = problems.map((p) => ({ path: p.path, text: p.message, parts: 'parts' in p ? p.parts : undefined }));
    }
    return staffPage(c, 'staff/assisted', {
      ...page,
      forPrison: prison,
      key,
      maxVisitors,
      values,
      errors,
      status: errors.length ? 400 : 200,
      channelItems: channels.map((choice) => ({ ...choice, checked: values.channel === choice.value })),
      slotItems: (await leaveOutBlocked(services.db, prison.id, bookableSlots(prison, today))).map((slot) => ({
        value: slot,
        text: slotInWords(slot),
        checked: ([] as unknown[]).concat(values.slotOptions ?? []).includes(slot),
      })),
    });
  });
}

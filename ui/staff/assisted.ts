// Assisted digital: a helper enters a request for a visitor who asked by phone, in person, by email or by post. The
// request goes through the same checks and workflow as one from the web form, with the channel and minutes noted.
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { formatSlot } from '../../rules/dateWords';
import { messageFor } from '../../api/errorMessages';
import type { Services } from '../../api/services';
import { toFieldErrors } from '../../api/validation';
import { bookableSlots } from '../../rules/calendar';
import { isoDateOf, readDateFields } from '../../rules/dateFields';
import { londonClock } from '../../rules/londonTime';
import { submission } from '../../rules/shapes';
import { checkSubmission } from '../../rules/submission';
import { channel } from '../../rules/vocabulary';
import { form, staffAccess, staffPage, type StaffPageEnv } from './common';
import { visitClient } from '../../workflows/client';
import { refuseUnlessMayChangeVisits } from '../../api/access';

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
      for (let i = 0; i < maxVisitors; i++) {
        values[`visitor-${i}-dob`] = dob(`visitor-${i}-dob`);
        const visitor = {
          firstName: field(`visitor-${i}-firstName`),
          lastName: field(`visitor-${i}-lastName`),
          dateOfBirth: isoDateOf(dob(`visitor-${i}-dob`)),
        };
        if (i === 0 || visitor.firstName || visitor.lastName || visitor.dateOfBirth) visitors.push(visitor);
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
      const channelOf = channel.exclude(['web']).safeParse(field('channel'));
      const parsed = submission.safeParse(request);
      const problems = [
        ...(channelOf.success ? [] : [{ path: 'channel', code: 'required', message: 'Choose how the visitor asked' }]),
        ...(field('minutes') !== '' && Number.isInteger(minutes) && minutes >= 0 && minutes <= 600
          ? []
          : [{ path: 'minutes', code: 'required', message: 'Enter the minutes spent, a whole number from 0 to 600' }]),
        ...(parsed.success ? checkSubmission(parsed.data, prison, today) : toFieldErrors(parsed.error)).map((p) => ({
          ...p,
          message: 'message' in p && p.message ? p.message : messageFor(p.code),
        })),
      ];
      if (problems.length === 0 && parsed.success && channelOf.success) {
        const assisted = { channel: channelOf.data, minutes, by: user.email };
        const sent = await visitClient(services).submit(parsed.data, { idempotencyKey: key, assisted, today });
        return c.redirect(`/staff/visits/${sent.reference}`);
      }
      errors = problems.map((p) => ({ path: p.path, text: p.message ?? p.code }));
    }
    return staffPage(c, 'staff/assisted', {
      ...page,
      forPrison: prison,
      key,
      maxVisitors,
      values,
      errors,
      status: errors.length ? 400 : 200,
      channelItems: [
        ['phone', 'Phone'],
        ['in_person', 'In person'],
        ['email', 'Email'],
        ['post', 'Post'],
      ].map(([value, text]) => ({ value, text, checked: values.channel === value })),
      slotItems: bookableSlots(prison, today).map((slot) => ({
        value: slot,
        text: formatSlot(slot, 'en'),
        checked: ([] as unknown[]).concat(values.slotOptions ?? []).includes(slot),
      })),
    });
  });
}

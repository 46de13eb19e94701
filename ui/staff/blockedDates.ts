// The staff's blocked dates at their prison: the list, with reason, who and when; a form to block a date or one of
// its sessions; a button to unblock each. The same actions as the API's (api/blockedDates.ts).
import { Hono, type Context } from 'hono';
import { blockedDateActions, blockWords, type BlockInput } from '../../api/blockedDates';
import { ProblemError } from '../../api/problem';
import { blockDateRequest } from '../../api/schemas';
import type { Services } from '../../api/services';
import { toFieldErrors } from '../../api/validation';
import { sessionsOf } from '../../rules/calendar';
import { isoDateOf, readDateFields, type DateFields } from '../../rules/dateFields';
import { formatDate, timeRange } from '../../rules/dateWords';
import type { Prison } from '../../rules/prison';
import { form, staffAccess, staffPage, type StaffPageEnv } from './common';
import { londonTime } from './words';

/** The words for a problem with the form, naming its field. */
const problemWords: Record<string, Record<string, string>> = {
  date: {
    required: 'Enter the date to block',
    invalid_date: 'The date to block must be a real date',
    date_in_past: 'The date to block must be today or in the future',
  },
  session: {
    invalid_session: 'Choose the whole day or one of the visiting times',
    session_not_on_date: 'Choose the whole day, or a visiting time the prison has on that date',
  },
  reason: {
    required: 'Enter why the date is blocked',
    invalid_characters: 'Remove the control characters from the reason',
    too_long: 'The reason must be 300 characters or fewer',
  },
};

/** A problem in words, at the field it names; a date's at its first box, which the error summary links to. */
const wordsFor = ({ path, code, message }: { path: string; code: string; message: string }) => ({
  path: path === 'date' ? 'date-day' : path,
  text: problemWords[path]?.[code] ?? message,
});

const sessionWords = (session: string) => timeRange(session.slice(0, 5), session.slice(6), 'en');

export function blockedDatePages(services: Services) {
  const { rules } = services;
  const { signedIn, prisonsOf, prisonFor } = staffAccess(services);
  const actions = blockedDateActions(services);

  async function page(
    c: Context<StaffPageEnv>,
    prison: Prison,
    shown: {
      values?: { date?: Partial<DateFields>; session?: string; reason?: string };
      errors?: { path: string; text: string }[];
      notice?: string;
      important?: string;
    } = {},
  ) {
    const { values = {}, errors = [] } = shown;
    const user = c.get('user');
    const blocked = await actions.list(user, prison.id);
    return staffPage(c, 'staff/blockedDates', {
      title: `Blocked dates: ${prison.name}`,
      active: 'blocked',
      prison: undefined,
      forPrison: prison,
      status: errors.length > 0 ? 400 : 200,
      errors,
      notice: shown.notice,
      important: shown.important,
      values,
      prisonItems: prisonsOf(user).map((p) => ({ value: p.id, text: p.name, selected: p.id === prison.id })),
      sessionItems: [
        { value: '', text: 'The whole day' },
        ...sessionsOf(prison).map((session) => ({
          value: session,
          text: sessionWords(session),
          selected: values.session === session,
        })),
      ],
      blocked: blocked.map((block) => ({
        date: block.date,
        session: block.session ?? '',
        when: `${formatDate(block.date, 'en')}`,
        times: block.session ? sessionWords(block.session) : 'Whole day',
        reason: block.reason,
        by: block.by,
        at: londonTime(block.at),
      })),
    });
  }

  return new Hono<StaffPageEnv>()
    .get('/staff/blocked-dates', signedIn, async (c) => {
      const prison = rules.get(prisonFor(c));
      return prison ? page(c, prison) : c.notFound();
    })
    .post('/staff/blocked-dates', signedIn, async (c) => {
      const prison = rules.get(prisonFor(c));
      if (!prison) return c.notFound();
      const body = await form(c);
      const field = (name: string) => String(body[name] ?? '').trim();
      const typed = readDateFields('date', field);
      const values = { date: typed, session: field('session'), reason: field('reason') };
      const parsed = blockDateRequest.safeParse({
        date: isoDateOf(typed),
        ...(values.session ? { session: values.session } : {}),
        reason: values.reason,
      });
      if (!parsed.success) return page(c, prison, { values, errors: toFieldErrors(parsed.error).map(wordsFor) });
      const input: BlockInput = parsed.data;
      try {
        const { blockedDate, created, flagged, notFlagged } = await actions.block(c.get('user'), prison.id, input);
        const what = blockWords(blockedDate).replace(/^The prison blocked (.*?): .*$/s, '$1');
        const visits = `${flagged} visit${flagged === 1 ? '' : 's'}`;
        return page(c, prison, {
          notice: `${created ? 'Blocked' : 'Already blocked'}: ${what}. ${visits} on it flagged for review.`,
          ...(notFlagged > 0
            ? {
                important:
                  `${notFlagged} visit${notFlagged === 1 ? '' : 's'} on it could not be flagged just now. ` +
                  'Block the same date again in a few minutes to flag them.',
              }
            : {}),
        });
      } catch (error) {
        if (!(error instanceof ProblemError && error.status === 422)) throw error;
        return page(c, prison, { values, errors: (error.errors ?? []).map(wordsFor) });
      }
    })
    .post('/staff/blocked-dates/unblock', signedIn, async (c) => {
      const prison = rules.get(prisonFor(c));
      if (!prison) return c.notFound();
      const body = await form(c);
      const [date, session] = [String(body.date ?? ''), String(body.session ?? '')];
      try {
        const removed = await actions.unblock(c.get('user'), prison.id, date, session || undefined);
        const times = removed.session ? ` (${sessionWords(removed.session)})` : '';
        return page(c, prison, {
          notice: `Unblocked: ${formatDate(removed.date, 'en')}${times}. Its times are offered again.`,
        });
      } catch (error) {
        if (!(error instanceof ProblemError && error.code === 'not_blocked')) throw error;
        return page(c, prison, { important: 'That date was not blocked: someone may have unblocked it already.' });
      }
    });
}

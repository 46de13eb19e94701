// Staff change who comes with a booked visit's lead visitor: a page of its own, off the visit's page, whose form sends
// the same change as the API (the visit client's `changeVisitors`), and the visitor is told by e-mail.
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { findVisit } from '../../activities/readModel/lookups';
import type { VisitDocument } from '../../activities/readModel/visits';
import { refuseUnlessMayChangeVisits } from '../../api/access';
import { messageFor } from '../../api/errorMessages';
import { visitorsChange } from '../../api/schemas';
import type { Services } from '../../api/services';
import { toFieldErrors } from '../../api/validation';
import { dateFieldsOf, isoDateOf, readDateFields } from '../../rules/dateFields';
import { NotValid, Refused, visitClient } from '../../workflows/client';
import { visitChangeRefusal } from '../../workflows/visit';
import { form, staffAccess, staffPage, type StaffPageEnv } from './common';

/** Rows for visitors besides the lead: with the lead, the most any prison allows (6). */
const ROWS = 5;

type Values = Record<string, string | Partial<Record<'day' | 'month' | 'year', string>>>;
type Problem = { path: string; code: string; message?: string };

const fieldWords: Record<string, string> = { firstName: 'first name', lastName: 'last name' };

/** A problem in words that name the visitor and the field, as the other staff forms do. */
function inWords({ path, code, message }: Problem): string {
  const [, row, field = ''] = /^additionalVisitors\.(\d+)\.(\w+)/.exec(path) ?? [];
  if (row === undefined) return message ?? messageFor(code);
  const whose = `visitor ${Number(row) + 2}’s`;
  if (field === 'dateOfBirth') {
    if (code === 'invalid_date' || code === 'required') {
      return `Enter ${whose} date of birth as a real date, for example 27 3 2015`;
    }
    return `${whose[0].toUpperCase()}${whose.slice(1)} date of birth: ${message ?? messageFor(code)}`;
  }
  if (code === 'required') return `Enter ${whose} ${fieldWords[field] ?? field}`;
  return `${whose[0].toUpperCase()}${whose.slice(1)} ${fieldWords[field] ?? field}: ${message ?? messageFor(code)}`;
}

export function staffVisitorsPages(services: Services) {
  const { db } = services;
  const { signedIn, visibleVisit } = staffAccess(services);
  const visits = visitClient(services);
  const app = new Hono<StaffPageEnv>();

  function visitorsPage(c: Context<StaffPageEnv>, visit: VisitDocument, values: Values, problems: Problem[] = []) {
    return staffPage(c, 'staff/visitors', {
      title: 'Change the visitors',
      visit,
      lead: `${visit.visitors[0].firstName} ${visit.visitors[0].lastName}`,
      rows: Array.from({ length: ROWS }, (_, row) => row),
      values,
      errors: problems.map((problem) => ({ path: problem.path, text: inWords(problem) })),
      status: problems.length ? 400 : 200,
      formKey: typeof values.key === 'string' && values.key ? values.key : randomBytes(16).toString('hex'),
    });
  }

  /** The visit the path names, if the user may change it and it can still change; else undefined. */
  async function changeableVisit(c: Context<StaffPageEnv>): Promise<VisitDocument | undefined> {
    const visit = await visibleVisit(c);
    refuseUnlessMayChangeVisits(c.get('user'));
    return visitChangeRefusal(visit, new Date()) ? undefined : visit;
  }

  app.get('/staff/visits/:reference/visitors', signedIn, async (c) => {
    const visit = await changeableVisit(c);
    if (!visit) return c.redirect(`/staff/visits/${c.req.param('reference')}`);
    const values: Values = {};
    visit.visitors.slice(1).forEach((visitor, row) => {
      values[`visitor-${row}-firstName`] = visitor.firstName;
      values[`visitor-${row}-lastName`] = visitor.lastName;
      values[`visitor-${row}-dob`] = dateFieldsOf(visitor.dateOfBirth);
    });
    return visitorsPage(c, visit, values);
  });

  app.post('/staff/visits/:reference/visitors', signedIn, async (c) => {
    const visit = await changeableVisit(c);
    const body = await form(c);
    if (!visit) return c.redirect(`/staff/visits/${c.req.param('reference')}`, 303);
    const field = (name: string) => (typeof body[name] === 'string' ? body[name].trim() : '');
    const values: Values = { key: field('key') };
    // The rows filled in, in order; an empty row is no visitor. Problems name the row, as the page shows it.
    const filled: number[] = [];
    const additionalVisitors = [];
    for (let row = 0; row < ROWS; row++) {
      const dob = readDateFields(`visitor-${row}-dob`, field);
      values[`visitor-${row}-firstName`] = field(`visitor-${row}-firstName`);
      values[`visitor-${row}-lastName`] = field(`visitor-${row}-lastName`);
      values[`visitor-${row}-dob`] = dob;
      const visitor = {
        firstName: field(`visitor-${row}-firstName`),
        lastName: field(`visitor-${row}-lastName`),
        dateOfBirth: isoDateOf(dob),
      };
      if (visitor.firstName || visitor.lastName || visitor.dateOfBirth) {
        filled.push(row);
        additionalVisitors.push(visitor);
      }
    }
    const toRows = (problems: Problem[]) =>
      problems.map((problem) => ({
        ...problem,
        path: problem.path.replace(/^additionalVisitors\.(\d+)/, (_, index: string) => {
          return `additionalVisitors.${filled[Number(index)] ?? index}`;
        }),
      }));
    const parsed = visitorsChange.safeParse({ additionalVisitors });
    if (!parsed.success) return visitorsPage(c, visit, values, toRows(toFieldErrors(parsed.error)));
    const key = typeof body.key === 'string' && /^[0-9a-f]{32}$/.test(body.key) ? body.key : undefined;
    try {
      await visits.changeVisitors(visit, parsed.data.additionalVisitors, { email: c.get('user').email }, key);
    } catch (error) {
      if (error instanceof NotValid) return visitorsPage(c, visit, values, toRows(error.problems));
      if (!(error instanceof Refused)) throw error;
      const latest = (await findVisit(db, visit.reference)) ?? visit;
      const text = 'The visit has changed: it can no longer be changed. Look at it again.';
      return visitorsPage(c, latest, values, [{ path: 'additionalVisitors', code: error.code, message: text }]);
    }
    return c.redirect(`/staff/visits/${visit.reference}?visitorsChanged=1`, 303);
  });

  return app;
}

// A prisoner's visiting orders: the balance, when new ones are issued, the ledger, and a form to add or take some away
// with a reason. The actions are the API's (api/prisonerRecords.ts); the page is in English or Welsh.
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { adjustVisitingOrders, visitingOrdersFor } from '../../api/prisonerRecords';
import { ProblemError } from '../../api/problem';
import { visitingOrderAdjustment } from '../../api/schemas';
import type { Services } from '../../api/services';
import { formatDate } from '../../rules/dateWords';
import type { Locale } from '../../rules/vocabulary';
import { REMAND_VISITS_PER_WEEK } from '../../workflows/visitingOrders';
import { catalogues, translate } from '../i18n';
import { escapeHtml, localeOf } from '../render';
import { form, staffAccess, staffPage, type StaffPageEnv } from './common';
import { londonTime } from './words';

type Entry = Awaited<ReturnType<typeof visitingOrdersFor>>['entries'][number];

/** A fresh key for the form: sent back with it, so that a second press of its button adjusts nothing more. */
const newKey = () => randomBytes(16).toString('hex');

/** The amount as typed: a number where it is one ("+2", "-1", "−1"), NaN where it is not, undefined when blank. */
function amountOf(typed: string): number | undefined {
  const text = typed.trim().replace(/^[−–]/, '-');
  if (!text) return undefined;
  return /^[+-]?\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
}

export function visitingOrderPages(services: Services) {
  const { signedIn } = staffAccess(services);
  const app = new Hono<StaffPageEnv>();

  /** What one line of the ledger says, as HTML: a visit's reference links to the visit. */
  function entryHtml(entry: Entry, t: (key: string, values?: Record<string, string>) => string, locale: Locale) {
    const visit = entry.reference
      ? ` <a class="govuk-link" href="/staff/visits/${encodeURIComponent(entry.reference)}">${escapeHtml(entry.reference)}</a>`
      : '';
    const week = entry.week ? `${escapeHtml(t('orders.usedWeek', { date: formatDate(entry.week, locale) }))} ` : '';
    switch (entry.kind) {
      case 'issued':
        return escapeHtml(
          entry.renewsOn ? t('orders.issued', { date: formatDate(entry.renewsOn, locale) }) : t('orders.issuedUndated'),
        );
      case 'used':
        return `${week}${escapeHtml(t('orders.used'))}${visit}`;
      case 'given_back':
        return `${week}${escapeHtml(t('orders.givenBack'))}${visit}`;
      case 'adjusted':
        return escapeHtml(t('orders.adjusted', { by: entry.by ?? '', reason: entry.reason ?? '' }));
      case 'moved':
        return `${escapeHtml(t('orders.moved', { date: formatDate(entry.week ?? '', locale) }))}${visit}`;
    }
  }

  async function ordersPage(
    c: Context<StaffPageEnv>,
    {
      errors = [],
      sent = {},
      adjusted = false,
    }: { errors?: { path: string; text: string }[]; sent?: Record<string, string>; adjusted?: boolean } = {},
  ) {
    const seen = await visitingOrdersFor(services, c.get('user'), c.req.param('number') ?? '');
    const locale = localeOf(c);
    const t = (key: string, values?: Record<string, string | number>) => translate(locale, key, values);
    const name = seen.record ? `${seen.record.firstName} ${seen.record.lastName}` : '';
    return staffPage(c, 'staff/visitingOrders', {
      bilingual: true,
      title: t('orders.title'),
      errors,
      // Back from an adjustment (post/redirect/get): the balance it left, as the ledger says.
      notice: adjusted && seen.balance !== undefined ? t('orders.adjustedNotice', { count: seen.balance }) : '',
      status: errors.length ? (sent.belowZero ? 409 : 400) : 200,
      prisonerNumber: seen.prisonerNumber,
      name,
      summary: [
        ...(name ? [{ key: { text: t('orders.prisoner') }, value: { text: name } }] : []),
        { key: { text: t('orders.prisonNumber') }, value: { text: seen.prisonerNumber } },
        {
          key: { text: t('orders.balance') },
          value: { text: seen.balance === undefined ? t('orders.balanceUnknown') : String(seen.balance) },
        },
        ...(seen.renewsOn
          ? [{ key: { text: t('orders.renewsOn') }, value: { text: formatDate(seen.renewsOn, locale) } }]
          : []),
      ],
      remand: seen.remand ? t('orders.remand', { count: REMAND_VISITS_PER_WEEK }) : '',
      notChecked: seen.recordChecked ? '' : t('orders.notChecked'),
      // Newest first; the orders issued for a period come before what used them in the same instant (one workflow task).
      rows: [...seen.entries]
        .sort((a, b) => b.at.localeCompare(a.at) || Number(a.kind === 'issued') - Number(b.kind === 'issued'))
        .map((entry) => [
          { text: londonTime(entry.at, locale) },
          { html: entryHtml(entry, t, locale) },
          { text: entry.amount > 0 ? `+${entry.amount}` : String(entry.amount).replace('-', '−'), format: 'numeric' },
          { text: String(entry.balance), format: 'numeric' },
        ]),
      values: { amount: sent.amount ?? '', reason: sent.reason ?? '' },
      formKey: sent.key || newKey(),
      // Only the prison that holds the prisoner adjusts their orders.
      mayAdjust: seen.mayAdjust,
    });
  }

  app.get('/staff/prisoners/:number/visiting-orders', signedIn, (c) =>
    ordersPage(c, { adjusted: c.req.query('adjusted') !== undefined }),
  );

  app.post('/staff/prisoners/:number/visiting-orders', signedIn, async (c) => {
    const user = c.get('user');
    // Whether the user may see the prisoner at all comes first: another prison's prisoner is 404, form or not.
    const seen = await visitingOrdersFor(services, user, c.req.param('number') ?? '');
    const body = await form(c);
    const sent = {
      amount: String(body.amount ?? ''),
      reason: String(body.reason ?? ''),
      key: typeof body.key === 'string' && /^[0-9a-f]{32}$/.test(body.key) ? body.key : '',
    };
    const locale = localeOf(c);
    const t = (key: string, values?: Record<string, string | number>) => translate(locale, key, values);
    const amount = amountOf(sent.amount);
    const parsed = visitingOrderAdjustment.safeParse({ amount, reason: sent.reason });
    if (!parsed.success) {
      // The schema's messages are its codes (api/schemas.ts): each field's first says what is wrong with it.
      const issues = parsed.error.issues.map((issue) => ({ path: String(issue.path[0]), code: issue.message }));
      const errors = issues
        .filter((issue, index) => issues.findIndex((other) => other.path === issue.path) === index)
        .map(({ path, code }) => {
          const known = `orders.error.${path}.${path === 'amount' && amount === undefined ? 'required' : code}`;
          return { path, text: t(known in catalogues.en ? known : `orders.error.${path}.required`) };
        });
      return ordersPage(c, { sent, errors });
    }
    const key = sent.key || newKey();
    try {
      await adjustVisitingOrders(services, user, seen, parsed.data, key);
    } catch (error) {
      if (!(error instanceof ProblemError) || error.code !== 'below_zero') throw error;
      const left = (await visitingOrdersFor(services, user, seen.prisonerNumber)).balance ?? 0;
      return ordersPage(c, {
        sent: { ...sent, belowZero: 'yes' },
        errors: [{ path: 'amount', text: t('orders.error.amount.below_zero', { count: left }) }],
      });
    }
    return c.redirect(`/staff/prisoners/${encodeURIComponent(seen.prisonerNumber)}/visiting-orders?adjusted`, 303);
  });

  return app;
}

// E-mails: every template in English and Welsh, sent once through the outbox however often it is tried, over real
// SMTP (a local server) and over the GOV.UK Notify API (faked with msw, being a third party).
import { createHmac, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { MongoClient } from 'mongodb';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { outbox, sendOnce } from '../activities/emails/outbox';
import { createNotifyProvider, createSmtpProvider } from '../activities/emails/providers';
import { rejectionExplanations, renderEmail, renderSignInEmail, type Template } from '../activities/emails/render';
import type { Visit } from '../workflows/visit';
import { formatSlot } from '../rules/dateWords';
import { prison } from './harness';
import { startSmtpSink, type SmtpSink } from './smtpSink';

const mongo = new MongoClient(inject('mongoUrl'));
const db = mongo.db(`test_email_${randomBytes(4).toString('hex')}`);
let sink: SmtpSink;

const NOTIFY = 'http://notify.test';
const SERVICE_ID = '26785a09-ab16-4eb0-8407-a37497a57506';
const SECRET = '3d844edf-8d35-48ac-975b-e847b4f122b0';
const notified: { body: Record<string, unknown>; token: string }[] = [];
const notify = setupServer(
  http.post(`${NOTIFY}/v2/notifications/email`, async ({ request }) => {
    notified.push({
      body: (await request.json()) as Record<string, unknown>,
      token: request.headers.get('Authorization') ?? '',
    });
    return HttpResponse.json({ id: randomBytes(8).toString('hex') }, { status: 201 });
  }),
  http.get(`${NOTIFY}/v2/notifications`, ({ request }) => {
    const reference = new URL(request.url).searchParams.get('reference');
    return HttpResponse.json({ notifications: notified.filter((n) => n.body.reference === reference) });
  }),
);

beforeAll(async () => {
  sink = await startSmtpSink();
  notify.listen({ onUnhandledRequest: 'bypass' });
});
afterAll(async () => {
  notify.close();
  await sink.close();
  await db.dropDatabase();
  await mongo.close();
});

function visit(overrides: Partial<Visit> = {}): Visit {
  return {
    reference: randomBytes(4).toString('hex').toUpperCase(),
    prisonId: 'AFL',
    status: 'booked',
    version: 3,
    prisoner: { firstName: 'Oscar', lastName: 'Wilde', dateOfBirth: '1980-10-16', number: 'A1234BC' },
    visitors: [
      { firstName: 'Ada', lastName: 'Wilde', dateOfBirth: '1985-01-01', outcome: 'allowed' },
      { firstName: 'Tom', lastName: '<Wilde>', dateOfBirth: '2015-01-01', outcome: 'banned' },
    ],
    slotOptions: ['2026-12-02T14:00/15:30'],
    slotGranted: '2026-12-02T14:00/15:30',
    referenceNo: 'AF-1',
    closed: true,
    confirmBy: '2026-11-27',
    contact: { email: 'ada@example.com', phone: '07700 900123' },
    locale: 'en',
    accessTokenHash: 'hash',
    submittedAt: '2026-11-24T10:00:00.000Z',
    rejection: { reasons: ['no_allowance'], auto: false, allowanceRenewsOn: '2027-01-04' },
    cancellation: { reasons: ['prisoner_moved'], by: 'staff' },
    messages: [],
    channel: 'web',
    timeline: [],
    ...overrides,
  };
}

const context = (v: Visit) => ({
  visit: v,
  prison: prison('AFL'),
  statusUrl: 'http://x/s',
  queueUrl: 'http://x/q',
  message: 'Hi',
});

describe('the e-mail templates', () => {
  const templates = readdirSync('activities/emails/templates/en')
    .filter((file) => file.endsWith('.txt.njk') && file !== 'sign_in.txt.njk')
    .map((file) => file.replace('.txt.njk', '') as Template);

  it('exist in Welsh for every e-mail a visitor gets, in text and HTML', () => {
    const welsh = readdirSync('activities/emails/templates/cy');
    for (const template of templates.filter((t) => t !== 'staff_reminder')) {
      expect(welsh).toContain(`${template}.txt.njk`);
      expect(welsh).toContain(`${template}.html.njk`);
    }
    expect(templates.length).toBe(9);
  });

  it.each(templates.flatMap((t) => [[t, 'en'] as const, [t, 'cy'] as const]))(
    '%s renders in %s',
    (template, locale) => {
      const email = renderEmail(template, locale, context(visit({ locale })));
      expect(email.subject.length).toBeGreaterThan(10);
      expect(email.subject).not.toMatch(/Subject:|{{|undefined/);
      expect(email.text).not.toMatch(/{{|{%|undefined/);
      expect(email.html).toMatch(/^<!DOCTYPE html>/);
      expect(email.html).not.toContain('<Wilde>');
    },
  );

  it('sign a booker in, in either language, with no visit in it', () => {
    for (const locale of ['en', 'cy'] as const) {
      const email = renderSignInEmail(locale, { signInUrl: 'http://visits.test/account/sign-in/CODE', minutes: 20 });
      expect(email.subject).toBe(locale === 'en' ? 'Sign in to Prison visits' : 'Mewngofnodi i Ymweliadau carchar');
      expect(email.text).toContain('http://visits.test/account/sign-in/CODE');
      expect(email.text).toContain('20');
      expect(email.html).toMatch(/^<!DOCTYPE html>/);
      expect(`${email.text}${email.html}`).not.toMatch(/{{|{%|undefined/);
    }
    expect(readdirSync('activities/emails/templates/cy')).toContain('sign_in.html.njk');
  });

  it('say booked visits in the visitor’s language, with dates in the GOV.UK style', () => {
    expect(renderEmail('booked', 'en', context(visit())).text).toContain('Wednesday 2 December 2026, 2pm to 3:30pm');
    expect(renderEmail('booked', 'cy', context(visit({ locale: 'cy' }))).text).toContain(
      'Dydd Mercher 2 Rhagfyr 2026, 2pm i 3:30pm',
    );
    expect(renderEmail('booked', 'cy', context(visit({ locale: 'cy' }))).subject).toContain('CEM Afon Las');
  });

  it('give a rule’s explanation in the visitor’s language, or in Welsh the reason’s own words when it has none', () => {
    const rejected = (extra: object) => ({
      rejection: { reasons: ['no_allowance' as const], auto: true, explanations: ['No visits left.'], ...extra },
    });
    expect(rejectionExplanations(rejected({}), 'en')).toEqual(['No visits left.']);
    expect(rejectionExplanations(rejected({ explanationsCy: ['Dim ymweliadau ar ôl.'] }), 'cy')).toEqual([
      'Dim ymweliadau ar ôl.',
    ]);
    expect(rejectionExplanations(rejected({}), 'cy')).toEqual(['nid oes gan y carcharor lwfans ymweld ar ôl']);
    expect(rejectionExplanations({ rejection: { reasons: ['other'], auto: false } }, 'cy')).toEqual([]);
  });

  it('word times as people say them: no 24-hour clock, midday by name (mutated in Welsh after “i”)', () => {
    expect(formatSlot('2026-12-02T09:30/12:00', 'en')).toBe('Wednesday 2 December 2026, 9:30am to midday');
    expect(formatSlot('2026-12-02T12:00/13:05', 'en')).toBe('Wednesday 2 December 2026, midday to 1:05pm');
    expect(formatSlot('2026-12-02T09:30/12:00', 'cy')).toBe('Dydd Mercher 2 Rhagfyr 2026, 9:30am i ganol dydd');
    expect(formatSlot('2026-12-02T12:00/13:00', 'cy')).toBe('Dydd Mercher 2 Rhagfyr 2026, canol dydd i 1pm');
  });
});

describe('the outbox', () => {
  const email = (id: string) => ({ ...renderEmail('received', 'en', context(visit())), to: 'ada@example.com', id });

  it('sends an e-mail once however often it is asked to', async () => {
    const smtp = createSmtpProvider(sink.url, 'visits@visits.test');
    const id = `${randomBytes(4).toString('hex')}.received`;
    expect(await sendOnce(db, smtp, 'REF', email(id))).toBe('sent');
    expect(await sendOnce(db, smtp, 'REF', email(id))).toBe('sent');
    expect(sink.messages.filter((m) => m.messageId === `<${id}@visits.test>`)).toHaveLength(1);
  });

  it('keeps an e-mail the provider refused, and sends it once the provider is back', async () => {
    const smtp = createSmtpProvider(sink.url, 'visits@visits.test');
    const id = `${randomBytes(4).toString('hex')}.booked`;
    sink.down = true;
    try {
      await expect(sendOnce(db, smtp, 'REF', email(id))).rejects.toThrow();
      expect(await outbox(db).findOne({ _id: id })).toMatchObject({ status: 'pending', attempts: 1 });
    } finally {
      sink.down = false;
    }
    expect(await sendOnce(db, smtp, 'REF', email(id))).toBe('sent');
    expect(sink.messages.filter((m) => m.messageId === `<${id}@visits.test>`)).toHaveLength(1);
    expect((await outbox(db).findOne({ _id: id }))?.lastError).not.toContain('ada@example.com');
  });

  it('marks an e-mail refused for good (no such mailbox) as failed, and does not try again', async () => {
    const smtp = createSmtpProvider(sink.url, 'visits@visits.test');
    const id = `${randomBytes(4).toString('hex')}.booked`;
    sink.rejectRecipients = true;
    try {
      expect(await sendOnce(db, smtp, 'REF', email(id))).toBe('failed');
    } finally {
      sink.rejectRecipients = false;
    }
    expect(await sendOnce(db, smtp, 'REF', email(id))).toBe('failed');
    expect(await outbox(db).findOne({ _id: id })).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'SMTP 550',
    });
  });

  it('sends nothing from an attempt that is out of time, as Temporal may have started a retry', async () => {
    const smtp = createSmtpProvider(sink.url, 'visits@visits.test');
    const id = `${randomBytes(4).toString('hex')}.received`;
    await expect(sendOnce(db, smtp, 'REF', email(id), Date.now() - 1)).rejects.toThrow(/out of time/);
    expect(sink.messages.filter((m) => m.messageId === `<${id}@visits.test>`)).toHaveLength(0);
  });

  it('leaves an e-mail an earlier attempt may still be sending alone until that attempt’s claim runs out', async () => {
    const smtp = createSmtpProvider(sink.url, 'visits@visits.test');
    const id = `${randomBytes(4).toString('hex')}.received`;
    const claimed = { ...email(id), _id: id, reference: 'REF', status: 'sending' as const, createdAt: new Date() };
    await outbox(db).insertOne({ ...claimed, attempts: 1, claimedUntil: new Date(Date.now() + 60_000) });
    await expect(sendOnce(db, smtp, 'REF', email(id))).rejects.toThrow(/earlier attempt/);
    expect(sink.messages.filter((m) => m.messageId === `<${id}@visits.test>`)).toHaveLength(0);

    // The claim run out, the attempt is taken for cut off mid-send, and the e-mail sent again.
    await outbox(db).updateOne({ _id: id }, { $set: { claimedUntil: new Date(Date.now() - 1) } });
    expect(await sendOnce(db, smtp, 'REF', email(id))).toBe('sent');
    expect(sink.messages.filter((m) => m.messageId === `<${id}@visits.test>`)).toHaveLength(1);
  });

  it('holds e-mails unsent when no provider is configured', async () => {
    const id = `${randomBytes(4).toString('hex')}.received`;
    expect(await sendOnce(db, undefined, 'REF', email(id))).toBe('held');
  });
});

describe('GOV.UK Notify', () => {
  const provider = createNotifyProvider({
    apiKey: `pvb_test-${SERVICE_ID}-${SECRET}`,
    templateId: 'tpl',
    baseUrl: NOTIFY,
  });

  it('is sent our subject and body with a signed token and our reference', async () => {
    const id = `${randomBytes(4).toString('hex')}.booked`;
    const rendered = renderEmail('booked', 'en', context(visit()));
    await sendOnce(db, provider, 'REF', { ...rendered, to: 'ada@example.com', id });
    const sent = notified.find((n) => n.body.reference === id);
    expect(sent?.body).toMatchObject({
      email_address: 'ada@example.com',
      template_id: 'tpl',
      personalisation: { subject: rendered.subject, body: rendered.text },
    });
    const [header, payload, signature] = (sent?.token ?? '').replace('Bearer ', '').split('.');
    expect(createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url')).toBe(signature);
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({ iss: SERVICE_ID });
  });

  it('is asked, after an attempt cut off mid-send, whether it already has the e-mail, and not sent it twice', async () => {
    const id = `${randomBytes(4).toString('hex')}.reminder`;
    const rendered = { ...renderEmail('reminder', 'en', context(visit())), to: 'ada@example.com', id };
    await provider.send(rendered); // the attempt that reached Notify...
    await outbox(db).insertOne({
      ...rendered,
      _id: id,
      reference: 'REF',
      status: 'sending',
      attempts: 1,
      createdAt: new Date(),
    });
    expect(await sendOnce(db, provider, 'REF', rendered)).toBe('sent'); // ...then the retry
    expect(notified.filter((n) => n.body.reference === id)).toHaveLength(1);
  });
});

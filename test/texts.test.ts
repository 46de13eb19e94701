// Text messages: a visitor who asks for them (`contact.notifyBy`) is texted that their visit is booked, changed or
// cancelled, and reminded of it, in English or Welsh, through GOV.UK Notify's SMS API, once each however often the
// activity is tried; e-mailed as well when they asked for both. Notify, a third party, is a small HTTP server here
// that speaks its API. The visits run on the real Temporal and store.
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox, sendOnce, type OutboxDocument } from '../activities/emails/outbox';
import { LINK_CODE_PLACEHOLDER } from '../activities/emails/render';
import { findVisit } from '../activities/readModel/lookups';
import { createNotifySmsProvider, createTextSink, type OutgoingText } from '../activities/texts/providers';
import { renderText, textTemplates } from '../activities/texts/render';
import { loadConfig } from '../config';
import { formatSlot } from '../rules/dateWords';
import type { Locale } from '../rules/vocabulary';
import type { Visit } from '../workflows/visit';
import { checkPage, openSite, type Site } from './browser';
import { eventually, prison, startTestService, visitRequestBody, type TestService } from './harness';

const SERVICE_ID = '26785a09-ab16-4eb0-8407-a37497a57506';
const SECRET = '3d844edf-8d35-48ac-975b-e847b4f122b0';
const API_KEY = `pvb_test-${SERVICE_ID}-${SECRET}`;
const TEMPLATE_ID = 'f33517ff-2a88-4f6e-b855-c550268ce08a';

interface NotifiedText {
  phone_number: string;
  template_id: string;
  reference: string;
  personalisation: { body: string };
}

/** GOV.UK Notify's SMS API, as far as the service uses it: it checks each request's token, and can be made to fail. */
async function startFakeNotify() {
  const fake = {
    url: '',
    /** The texts Notify has taken. */
    texts: [] as NotifiedText[],
    /** Every POST of a text, taken or not. */
    posts: [] as NotifiedText[],
    /** Answer this many of the next POSTs with 500, taking nothing. */
    failNext: 0,
    /** Answer a text to this number with 400 (a number Notify cannot text). */
    refuseNumber: '',
    close: (): Promise<void> => Promise.resolve(),
  };
  const read = async (request: IncomingMessage) => {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    return body;
  };
  const signed = (request: IncomingMessage) => {
    const [header, payload, signature] = (request.headers.authorization ?? '').replace(/^Bearer /, '').split('.');
    const good = createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url') === signature;
    return good && JSON.parse(Buffer.from(payload, 'base64url').toString()).iss === SERVICE_ID;
  };
  const server = createServer(async (request, response) => {
    const answer = (status: number, body: object) => {
      response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    };
    const url = new URL(request.url ?? '/', 'http://notify');
    const body = await read(request);
    if (!signed(request)) return answer(403, { errors: [{ error: 'AuthError' }] });
    if (request.method === 'POST' && url.pathname === '/v2/notifications/sms') {
      const text = JSON.parse(body) as NotifiedText;
      fake.posts.push(text);
      if (fake.failNext > 0) {
        fake.failNext -= 1;
        return answer(500, { errors: [{ error: 'Exception' }] });
      }
      if (text.phone_number === fake.refuseNumber) return answer(400, { errors: [{ error: 'BadRequestError' }] });
      fake.texts.push(text);
      return answer(201, { id: randomBytes(8).toString('hex'), reference: text.reference });
    }
    if (request.method === 'GET' && url.pathname === '/v2/notifications') {
      const type = url.searchParams.get('template_type');
      const found = fake.texts.filter((t) => type === 'sms' && t.reference === url.searchParams.get('reference'));
      return answer(200, { notifications: found });
    }
    answer(404, { errors: [{ error: 'NotFound' }] });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise<void>((closed) => server.close(() => closed()));
  return fake;
}

let notify: Awaited<ReturnType<typeof startFakeNotify>>;
let service: TestService;
let staff: string;

beforeAll(async () => {
  notify = await startFakeNotify();
  service = await startTestService('texts', {
    texts: createNotifySmsProvider({ apiKey: API_KEY, templateId: TEMPLATE_ID, baseUrl: notify.url }),
  });
  staff = await service.staffToken('staff', ['NGT']);
});
afterAll(async () => {
  await service?.close();
  await notify?.close();
});

/** A visit asked for with this contact, and booked by staff; its reference and the time booked. */
async function booked(contact: { phone: string; notifyBy?: string }, locale: Locale = 'en') {
  const body = visitRequestBody({ contact: { email: 'ada@example.com', ...contact }, locale });
  const sent = await service.call('POST', '/api/visits', { body });
  expect(sent.status, JSON.stringify(sent.body)).toBe(201);
  const reference = sent.body.reference as string;
  const [slot] = body.slotOptions;
  const accepted = await service.call('POST', `/api/staff/visits/${reference}/decision`, {
    token: staff,
    body: { outcome: 'accept', slot, referenceNo: 'NG-TXT' },
  });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  return { reference, slot, slotOptions: body.slotOptions };
}

/** Once the visit's workflow has no activity left running (its e-mails and texts done): what Notify and SMTP have. */
async function settled(reference: string) {
  await eventually(async () => {
    const { raw } = await service.client.workflow.getHandle(`visit-${reference}`).describe();
    return (raw.pendingActivities ?? []).length === 0 ? true : undefined;
  }, 20_000);
  return {
    texts: notify.texts.filter((t) => t.reference.startsWith(`${reference}.`)),
    mails: service.mail.messages.filter((m) => (m.messageId ?? '').startsWith(`<${reference}.`)),
  };
}

const mailIds = (mails: { messageId?: string }[]) => mails.map((m) => m.messageId).sort();

/** The text about a visit that Notify took, by its key (booked, cancelled...), once it has. */
const textOf = (reference: string, key: string) =>
  eventually(async () => notify.texts.find((t) => t.reference === `${reference}.${key}.text`), 20_000);

describe('a visitor who asks for texts', () => {
  it('is texted and e-mailed that the visit is booked, once each, in Welsh for a Welsh request', async () => {
    const { reference, slot } = await booked({ phone: '07700 900123', notifyBy: 'both' }, 'cy');
    const text = await textOf(reference, 'booked');
    expect(text).toMatchObject({ phone_number: '07700900123', template_id: TEMPLATE_ID });
    const words = text.personalisation.body;
    expect(words).toContain(`Ymweliadau carchar: mae eich ymweliad â HMP Northgate wedi'i drefnu`);
    expect(words).toContain(formatSlot(slot, 'cy'));
    expect(words).toContain('Cyfeirnod archebu: NG-TXT');
    // The link has a one-time code of its own; the outbox keeps only the placeholder.
    expect(words).toMatch(new RegExp(`http://visits\\.test/visits/${reference}\\?token=[\\w-]{43} `));
    // Marked sent once Notify has answered, a moment after it took the text: waited for, with a deadline.
    const kept = await eventually(async () => {
      const found = await outbox(service.db).findOne({ _id: `${reference}.booked.text` });
      return found?.status === 'sending' ? undefined : found;
    });
    expect(kept).toMatchObject({ status: 'sent', provider: 'notify', to: '07700 900123' });
    expect(JSON.stringify(kept)).toContain(LINK_CODE_PLACEHOLDER);

    const mail = await eventually(
      async () => service.mail.messages.find((m) => m.messageId === `<${reference}.booked@visits.test>`),
      20_000,
    );
    expect(mail.subject).toContain("Ymweliad wedi'i drefnu");
    const { texts, mails } = await settled(reference);
    expect(texts.map((t) => t.reference)).toEqual([`${reference}.booked.text`]);
    expect(mailIds(mails)).toEqual([`<${reference}.booked@visits.test>`, `<${reference}.received@visits.test>`]);
  });

  it('who asks for texts alone is texted, not e-mailed, about the booking, a new time and the cancellation', async () => {
    const { reference, slot, slotOptions } = await booked({ phone: '+44 7700 900456', notifyBy: 'text' });
    expect((await textOf(reference, 'booked')).personalisation.body).toContain(
      `Prison visits: your visit to HMP Northgate is booked for ${formatSlot(slot, 'en')}. Booking reference: NG-TXT.`,
    );

    const later = slotOptions[1];
    const changed = await service.call('POST', `/api/staff/visits/${reference}/change`, {
      token: staff,
      body: { slot: later },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const changedText = (await textOf(reference, 'changed-1')).personalisation.body;
    expect(changedText).toContain(`New time: ${formatSlot(later, 'en')}. It was: ${formatSlot(slot, 'en')}.`);

    const cancelled = await service.call('POST', `/api/staff/visits/${reference}/cancel`, {
      token: staff,
      body: { reasons: ['prisoner_moved'] },
    });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect((await textOf(reference, 'cancelled')).personalisation.body).toContain(
      `the prison has cancelled your visit to HMP Northgate on ${formatSlot(later, 'en')}. Your reference was ${reference}.`,
    );
    // No link in a cancellation: nothing to fill.
    expect((await textOf(reference, 'cancelled')).personalisation.body).not.toContain('http');

    const { texts, mails } = await settled(reference);
    expect(texts.map((t) => t.reference).sort()).toEqual(
      [`${reference}.booked.text`, `${reference}.cancelled.text`, `${reference}.changed-1.text`].sort(),
    );
    expect(texts[0].phone_number).toBe('+447700900456');
    // The request's receipt is always e-mailed; the rest went by text only.
    expect(mailIds(mails)).toEqual([`<${reference}.received@visits.test>`]);
    expect(await outbox(service.db).countDocuments({ reference })).toBe(4);
  });

  it('who asks for e-mails (or says nothing) is sent no text', async () => {
    for (const contact of [{ phone: '07700 900789', notifyBy: 'email' }, { phone: '07700 900789' }]) {
      const { reference } = await booked(contact);
      await eventually(
        async () => service.mail.messages.find((m) => m.messageId === `<${reference}.booked@visits.test>`),
        20_000,
      );
      const { texts } = await settled(reference);
      expect(texts).toEqual([]);
      expect(notify.posts.filter((t) => t.reference.startsWith(reference))).toEqual([]);
      expect(await outbox(service.db).countDocuments({ _id: { $regex: `^${reference}\\..*\\.text$` } })).toBe(0);
    }
  });

  it('is texted once when Notify fails at first: the activity is retried, and the outbox stops a repeat', async () => {
    notify.failNext = 1;
    const { reference } = await booked({ phone: '07700 900321', notifyBy: 'text' });
    await textOf(reference, 'booked');
    const { texts } = await settled(reference);
    expect(texts).toHaveLength(1);
    expect(notify.posts.filter((t) => t.reference === `${reference}.booked.text`)).toHaveLength(2);
    expect(await outbox(service.db).findOne({ _id: `${reference}.booked.text` })).toMatchObject({
      status: 'sent',
      attempts: 2,
    });
  });

  it('is texted once when the e-mail beside it fails at first, and the retried activity sends the e-mail', async () => {
    service.mail.down = true;
    try {
      const { reference } = await booked({ phone: '07700 900432', notifyBy: 'both' });
      await textOf(reference, 'booked');
      await eventually(async () => {
        const email = await outbox(service.db).findOne({ _id: `${reference}.booked` });
        return email && email.attempts >= 2 ? true : undefined; // tried, and retried, while the text had gone
      }, 20_000);
      service.mail.down = false;
      const { texts, mails } = await settled(reference);
      expect(texts.map((t) => t.reference)).toEqual([`${reference}.booked.text`]);
      expect(notify.posts.filter((t) => t.reference === `${reference}.booked.text`)).toHaveLength(1);
      expect(mailIds(mails)).toContain(`<${reference}.booked@visits.test>`);
    } finally {
      service.mail.down = false;
    }
  });

  it('is e-mailed instead when Notify refuses the number for good', async () => {
    notify.refuseNumber = '07700900654';
    try {
      const { reference } = await booked({ phone: '07700 900654', notifyBy: 'text' });
      await eventually(
        async () => service.mail.messages.find((m) => m.messageId === `<${reference}.booked@visits.test>`),
        20_000,
      );
      const { texts } = await settled(reference);
      expect(texts).toEqual([]);
      expect(await outbox(service.db).findOne({ _id: `${reference}.booked.text` })).toMatchObject({
        status: 'failed',
        attempts: 1,
      });
    } finally {
      notify.refuseNumber = '';
    }
  });

  it('is asked, after an attempt cut off mid-send, whether Notify already has the text, and not texted twice', async () => {
    const provider = createNotifySmsProvider({ apiKey: API_KEY, templateId: TEMPLATE_ID, baseUrl: notify.url });
    const id = `${randomBytes(4).toString('hex').toUpperCase()}.reminder.text`;
    const text = { to: '07700 900111', id, text: 'Prison visits: a reminder' };
    await provider.send(text); // the attempt that reached Notify...
    await service.db.collection<OutboxDocument<OutgoingText>>('outbox').insertOne({
      ...text,
      _id: id,
      reference: 'REF',
      status: 'sending',
      attempts: 1,
      createdAt: new Date(),
    });
    expect(await sendOnce(service.db, provider, 'REF', text)).toBe('sent'); // ...then the retry
    expect(notify.posts.filter((t) => t.reference === id)).toHaveLength(1);
  });

  it('must give a UK mobile number: a landline is refused, naming contact.phone', async () => {
    for (const notifyBy of ['text', 'both']) {
      const body = visitRequestBody({ contact: { email: 'ada@example.com', phone: '01632 960001', notifyBy } });
      const refused = await service.call('POST', '/api/visits', { body });
      expect(refused.status).toBe(422);
      expect(refused.body.errors).toEqual([
        { path: 'contact.phone', code: 'not_a_mobile', message: expect.stringContaining('UK mobile') },
      ]);
    }
    // A landline does for e-mails, as before.
    const body = visitRequestBody({ contact: { email: 'ada@example.com', phone: '01632 960001', notifyBy: 'email' } });
    expect((await service.call('POST', '/api/visits', { body })).status).toBe(201);
  });
});

describe('the text messages', () => {
  const visit = (locale: Locale): Visit => ({
    reference: 'ABCD1234',
    prisonId: 'AFL',
    status: 'booked',
    version: 3,
    prisoner: { firstName: 'Oscar', lastName: 'Wilde', dateOfBirth: '1980-10-16', number: 'A1234BC' },
    visitors: [{ firstName: 'Ada', lastName: 'Wilde', dateOfBirth: '1985-01-01', outcome: 'allowed' }],
    slotOptions: ['2026-12-02T14:00/15:30'],
    slotGranted: '2026-12-02T14:00/15:30',
    referenceNo: 'AF-1',
    confirmBy: '2026-11-27',
    contact: { email: 'ada@example.com', phone: '07700 900123', notifyBy: 'text' },
    locale,
    accessTokenHash: 'hash',
    submittedAt: '2026-11-24T10:00:00.000Z',
    cancellation: { reasons: ['prisoner_moved'], by: 'staff' },
    messages: [],
    channel: 'web',
    timeline: [],
  });
  const link = `http://x/visits/ABCD1234?token=${LINK_CODE_PLACEHOLDER}`;

  it.each(textTemplates.flatMap((t) => [[t, 'en'] as const, [t, 'cy'] as const]))(
    '%s in %s says the prison, the time and the reference, in a few lines',
    (template, locale) => {
      const words = renderText(template, locale, { visit: visit(locale), prison: prison('AFL'), statusUrl: link });
      expect(words).toContain(locale === 'cy' ? 'CEM Afon Las' : 'HMP Afon Las');
      expect(words).toContain(formatSlot('2026-12-02T14:00/15:30', locale));
      expect(words).toContain(template === 'cancelled' ? 'ABCD1234' : 'AF-1');
      expect(words.includes(link)).toBe(template !== 'cancelled');
      expect(words).not.toMatch(/undefined|Oscar|Wilde/);
      expect(words.length).toBeLessThan(420); // three text message parts, link included
    },
  );
});

describe('the text providers', () => {
  it('are chosen by TEXT_PROVIDER: Notify needs its key and an SMS template; the sink is for development only', () => {
    expect(() => loadConfig({ TEXT_PROVIDER: 'notify' })).toThrow(/NOTIFY_SMS_TEMPLATE_ID: is required/);
    expect(
      loadConfig({ TEXT_PROVIDER: 'notify', NOTIFY_API_KEY: API_KEY, NOTIFY_SMS_TEMPLATE_ID: TEMPLATE_ID }).text,
    ).toMatchObject({ provider: 'notify', notify: { templateId: TEMPLATE_ID } });
    expect(() => loadConfig({ TEXT_PROVIDER: 'sink', NODE_ENV: 'production' })).toThrow(/TEXT_PROVIDER: cannot be/);
    expect(loadConfig({}).text.provider).toBe('none');
  });

  it('keep a text taken by the sink in the outbox as sent', async () => {
    const id = `${randomBytes(4).toString('hex')}.booked.text`;
    const text = { to: '07700 900123', id, text: 'Prison visits: booked' };
    expect(await sendOnce(service.db, createTextSink(), 'SINK', text)).toBe('sent');
    expect(await outbox(service.db).findOne({ _id: id })).toMatchObject({ status: 'sent', provider: 'sink' });
  });
});

describe('the contact step', () => {
  let site: Site;
  beforeAll(async () => {
    site = await openSite((request) => service.app.fetch(request));
  });
  afterAll(async () => site?.close());

  it('asks, without JavaScript, how to tell the visitor, wants a mobile for texts, and shows the choice', async () => {
    const page = await site.page({ javaScriptEnabled: false });
    page.setDefaultTimeout(10_000);
    const next = () => page.getByRole('button', { name: 'Continue' }).click();
    await page.goto('/request/prison');
    await page.getByLabel('HMP Northgate').check();
    await next();
    await page.fill('#prisoner-firstName', 'Oscar');
    await page.fill('#prisoner-lastName', 'Wilde');
    for (const [part, value] of Object.entries({ day: '16', month: '10', year: '1980' }))
      await page.fill(`#prisoner-dateOfBirth-${part}`, value);
    await page.fill('#prisoner-number', 'A1234BC');
    await next();
    await page.fill('#visitors-0-firstName', 'Ada');
    await page.fill('#visitors-0-lastName', 'Wilde');
    for (const [part, value] of Object.entries({ day: '1', month: '1', year: '1985' }))
      await page.fill(`#visitors-0-dateOfBirth-${part}`, value);
    await next();
    await page.locator('input[name="slotOptions"]').first().check();
    await next();

    await page.waitForURL('**/request/contact');
    expect(await page.isChecked('#contact-notifyBy')).toBe(true); // e-mail, unless another is chosen
    await page.fill('#contact-email', 'ada@example.com');
    await page.fill('#contact-phone', '01632 960001');
    await page.getByLabel('Text message').check();
    await next();
    expect((await page.locator('.govuk-error-summary__list a').allTextContents()).map((t) => t.trim())).toEqual([
      'Enter a UK mobile number, like 07700 900 982, to get text messages, or choose email',
    ]);
    expect(await page.getAttribute('.govuk-error-summary__list a', 'href')).toBe('#contact-phone');
    expect(await page.getByLabel('Text message').isChecked()).toBe(true);

    await page.goto('/request/contact?lang=cy');
    expect(await page.textContent('legend')).toContain('Sut dylen ni roi gwybod i chi am eich ymweliad?');
    await page.fill('#contact-email', 'ada@example.com');
    await page.fill('#contact-phone', '07700 900123');
    await page.getByLabel('Y ddau').check();
    await page.getByRole('button', { name: 'Parhau' }).click();
    await page.waitForURL('**/request/check');
    expect(await page.textContent('main')).toContain('Newyddion am eich ymweliad drwy e-bost a neges destun');

    await page.goto('/request/contact?lang=en');
    await page.getByLabel('Text message').check();
    await next();
    expect(await page.textContent('main')).toContain('Updates about your visit by text message');
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.waitForURL('**/request/confirmation');
    const reference = (await page.textContent('.govuk-panel strong')) ?? '';
    const saved = await eventually(async () => (await findVisit(service.db, reference)) ?? undefined);
    expect(saved.contact).toMatchObject({ phone: '07700 900123', notifyBy: 'text' });
  });

  it('asks its question accessibly', async () => {
    const page = await site.page();
    await page.goto('/request/prison');
    await page.getByLabel('HMP Northgate').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.goto('/request/contact');
    await page.getByLabel('Both').check();
    await checkPage(page, 'contact-notify-by');
  });
});

// The links in visitors' e-mails: each carries a one-time code made when the e-mail is sent, never the visit's access
// token; the store keeps neither (the outbox a placeholder, `visitLinks` the code's hash). A link opens the visit once
// and lets that browser in for a while; a used or expired link leads to a page that e-mails a new one, only to the
// visit's own address. Links in e-mails sent before the codes, with the access token itself, still open the visit.
import { createHash } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities';
import { outbox } from '../activities/emails/outbox';
import { LINK_CODE_PLACEHOLDER } from '../activities/emails/render';
import { createPrisonerService } from '../activities/prisonerService';
import { findVisit } from '../activities/readModel/lookups';
import { createVisitLink, linkAddressHash, visitLinks } from '../activities/readModel/visitLinks';
import { linkWorkflowId } from '../workflows/client';
import { checkPage, openSite, type Site } from './browser';
import { PRISONER_SERVICE_URL } from './fakePrisonerService';
import { eventually, rules, startTestService, testApp, visitRequestBody, type TestService } from './harness';

let service: TestService;
let staff: string;
let site: Site;

beforeAll(async () => {
  service = await startTestService('links');
  staff = await service.staffToken('staff', ['NGT']);
  site = await openSite(service.app.fetch);
}, 120_000);
afterAll(async () => {
  await site?.close();
  await service?.close();
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function submit() {
  const response = await service.call('POST', '/api/visits', { body: visitRequestBody() });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { reference: string; accessToken: string };
}

/** The e-mail about a visit whose subject matches, once it has arrived. */
const mailAbout = (reference: string, subject: RegExp) =>
  eventually(
    async () =>
      service.mail.messages.find((m) => `${m.subject} ${m.text}`.includes(reference) && subject.test(m.subject ?? '')),
    30_000,
  );

/** The code in an e-mail's link to its visit: the same in its text and its HTML. */
function codeIn(mail: ParsedMail, reference: string): string {
  const link = new RegExp(`http://visits\\.test/visits/${reference}\\?token=([^\\s"&<]+)`);
  const [fromText, fromHtml] = [link.exec(mail.text ?? '')?.[1], link.exec(String(mail.html))?.[1]];
  expect(fromText).toBeDefined();
  expect(fromHtml).toBe(fromText);
  return decodeURIComponent(fromText ?? '');
}

/** A browser of the app through `app.request`: it keeps the cookies it is given and follows nothing by itself. */
function browser() {
  const cookies = new Map<string, string>();
  const send = async (method: string, path: string, form?: Record<string, string>) => {
    const response = await service.app.request(path, {
      method,
      redirect: 'manual',
      headers: {
        Cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return { status: response.status, location: response.headers.get('Location'), text: await response.text() };
  };
  return {
    cookies,
    get: (path: string) => send('GET', path),
    post: (path: string, form: Record<string, string>) => send('POST', path, form),
  };
}

const csrfIn = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
const USED = 'This link has expired or has already been used';

describe('an e-mail to a visitor', () => {
  it('links to the visit with a one-time code, and the outbox keeps neither the code nor the access token', async () => {
    const { reference, accessToken } = await submit();
    const mail = await mailAbout(reference, /received/);
    const code = codeIn(mail, reference);
    expect(code).not.toBe(accessToken);
    expect(mail.text).not.toContain(accessToken);
    expect(mail.messageId).toBe(`<${reference}.received@visits.test>`);

    const kept = await eventually(async () => {
      const found = await outbox(service.db).findOne({ _id: `${reference}.received` });
      return found?.status === 'sent' ? found : undefined;
    });
    expect(kept.text).toContain(`/visits/${reference}?token=${LINK_CODE_PLACEHOLDER}`);
    expect(kept.html).toContain(`/visits/${reference}?token=${LINK_CODE_PLACEHOLDER}`);
    const stored = JSON.stringify(await outbox(service.db).find({ reference }).toArray());
    expect(stored).not.toContain(accessToken);
    expect(stored).not.toContain(code);

    // The store has the code's hash only, for this visit, good for 7 days from the e-mail.
    const links = await visitLinks(service.db).find({ reference }).toArray();
    expect(JSON.stringify(links)).not.toContain(code);
    const link = links.find((found) => found._id === sha256(code));
    expect(link).toBeDefined();
    expect(((link?.expiresAt.getTime() ?? 0) - (link?.createdAt.getTime() ?? 0)) / 86_400_000).toBe(7);
  });

  it('held unsent (no mail provider) keeps no access token and no code, and makes none', async () => {
    const { reference, accessToken } = await submit();
    await mailAbout(reference, /received/);
    const visit = await findVisit(service.db, reference);
    if (!visit) throw new Error('the visit is not in the read model');
    const held = createActivities({
      db: service.db,
      rules,
      prisonerService: createPrisonerService({ baseUrl: PRISONER_SERVICE_URL, timeoutMs: 1000 }),
      temporal: service.client,
      taskQueue: service.taskQueue,
      mail: undefined,
      publicUrl: 'http://visits.test',
      retentionDays: 183,
    });
    const linksBefore = await visitLinks(service.db).countDocuments({ reference });
    const environment = new MockActivityEnvironment({ startToCloseTimeoutMs: 15_000 });
    const request = { key: 'held', template: 'received' as const, visit, accessToken };
    expect(await environment.run(held.sendEmail, request)).toBe('held');
    expect(await environment.run(held.sendEmail, request)).toBe('held');

    const kept = await outbox(service.db).findOne({ _id: `${reference}.held` });
    expect(kept).toMatchObject({ status: 'held' });
    expect(kept?.text).toContain(`/visits/${reference}?token=${LINK_CODE_PLACEHOLDER}`);
    expect(JSON.stringify(kept)).not.toContain(accessToken);
    expect(await visitLinks(service.db).countDocuments({ reference })).toBe(linksBefore);
  });
});

describe('a link in an e-mail', () => {
  it('opens the visit once: used again elsewhere, it offers a new link; on the browser that used it, it still opens', async () => {
    const { reference } = await submit();
    const code = codeIn(await mailAbout(reference, /received/), reference);
    const link = `/visits/${reference}?token=${encodeURIComponent(code)}`;

    const first = browser();
    expect(await first.get(link)).toMatchObject({ status: 302, location: `/visits/${reference}` });
    const page = await first.get(`/visits/${reference}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Your request is waiting for the prison to reply');
    expect(page.text).toContain(reference);
    const used = await visitLinks(service.db).findOne({ _id: sha256(code) });
    expect(used?.usedAt).toBeInstanceOf(Date);

    const second = browser();
    const refused = await second.get(link);
    expect(refused.status).toBe(200);
    expect(refused.text).toContain(USED);
    expect(refused.text).toContain('Send me a new link');
    expect(refused.text).not.toContain(reference + '</'); // nothing of the visit is shown
    expect((await second.get(`/visits/${reference}`)).text).not.toContain('Your request is waiting');

    expect(await first.get(link)).toMatchObject({ status: 302, location: `/visits/${reference}` });
  });

  it('opened from several tabs at the same moment, opens the visit once', async () => {
    const { reference } = await submit();
    const codes = [codeIn(await mailAbout(reference, /received/), reference)];
    // More links of the visit, as later e-mails bring, so that a race has many chances to show.
    for (let more = 0; more < 9; more++) codes.push(await createVisitLink(service.db, reference));
    const opened = await Promise.all(
      codes.map(async (code) => {
        const link = `/visits/${reference}?token=${encodeURIComponent(code)}`;
        const openings = await Promise.all(Array.from({ length: 8 }, () => browser().get(link)));
        return openings.filter((opening) => opening.status === 302).length;
      }),
    );
    expect(opened).toEqual(codes.map(() => 1));
  });

  it('once expired, does not open the visit and offers a new link', async () => {
    const { reference } = await submit();
    const accepted = await service.call('POST', `/api/staff/visits/${reference}/decision`, {
      token: staff,
      body: { outcome: 'accept', slot: visitRequestBody().slotOptions[0], referenceNo: 'NG-1' },
    });
    expect(accepted.status).toBe(200);
    const code = codeIn(await mailAbout(reference, /booked/), reference);
    // Eight days on, as far as the link knows.
    await visitLinks(service.db).updateOne(
      { _id: sha256(code) },
      { $set: { expiresAt: new Date(Date.now() - 86_400_000) } },
    );
    const visitor = browser();
    const refused = await visitor.get(`/visits/${reference}?token=${encodeURIComponent(code)}`);
    expect(refused.status).toBe(200);
    expect(refused.text).toContain(USED);
    expect((await visitor.get(`/visits/${reference}`)).text).not.toContain('Your visit is booked');
  });

  it('grants a browser that can withdraw the request', async () => {
    const { reference, accessToken } = await submit();
    const code = codeIn(await mailAbout(reference, /received/), reference);
    expect(code).not.toBe(accessToken);
    const visitor = browser();
    await visitor.get(`/visits/${reference}?token=${encodeURIComponent(code)}`);
    const confirm = await visitor.get(`/visits/${reference}/cancel`);
    expect(confirm.text).toContain('Yes, withdraw my request');
    const withdrawn = await visitor.post(`/visits/${reference}/cancel`, { _csrf: csrfIn(confirm.text) });
    expect(withdrawn).toMatchObject({ status: 302, location: `/visits/${reference}` });
    expect((await visitor.get(`/visits/${reference}`)).text).toContain('You withdrew this request.');
    expect((await findVisit(service.db, reference))?.status).toBe('withdrawn');
  });

  it('sent before the codes, with the visit’s access token, still opens the visit, as often as asked', async () => {
    const { reference, accessToken } = await submit();
    for (let opening = 0; opening < 2; opening++) {
      const visitor = browser();
      const link = `/visits/${reference}?token=${encodeURIComponent(accessToken)}`;
      expect(await visitor.get(link)).toMatchObject({ status: 302, location: `/visits/${reference}` });
      expect((await visitor.get(`/visits/${reference}`)).text).toContain('Your request is waiting');
    }
    expect((await browser().get(`/visits/${reference}?token=${accessToken.slice(1)}x`)).text).toContain(USED);
  });
});

describe('a new link', () => {
  /** The workflow of a request for a link, once its e-mail is sent or found not to be owed. */
  const askedFor = (reference: string, email: string) =>
    eventually(async () => {
      const handle = service.client.workflow.getHandle(
        linkWorkflowId(service.secret, reference, linkAddressHash(reference, email)),
      );
      const history = await handle.fetchHistory().catch(() => undefined);
      const done = history?.events?.some((event) => event.activityTaskCompletedEventAttributes);
      return done ? handle.describe() : undefined;
    }, 30_000);

  it('goes only to the address the request was made with, says the same either way, and opens the visit', async () => {
    const { reference } = await submit();
    await mailAbout(reference, /received/);
    const visitor = browser();
    const page = await visitor.get(`/visits/${reference}`);
    expect(page.text).toContain('Get a link to your visit');

    const wrong = await visitor.post(`/visits/${reference}/link`, {
      _csrf: csrfIn(page.text),
      email: 'someone.else@example.com',
    });
    const right = await visitor.post(`/visits/${reference}/link`, {
      _csrf: csrfIn(page.text),
      email: ' ADA@example.com',
    });
    expect(wrong).toEqual(right);
    expect(right).toMatchObject({ status: 302, location: `/visits/${reference}/link-sent` });
    const sent = await visitor.get(right.location ?? '');
    expect(sent.text).toContain('If that is the email address you gave when you asked for the visit');

    const mail = await mailAbout(reference, /new link|Your link/);
    expect(mail.to).toMatchObject({ text: 'ada@example.com' });
    await askedFor(reference, 'someone.else@example.com');
    const asked = await askedFor(reference, 'ada@example.com');
    const firstRun = asked.runId;
    // Temporal keeps workflow ids in clear: the id must not let a guessed address be tested against it.
    expect(asked.workflowId).not.toContain(linkAddressHash(reference, 'ada@example.com').slice(0, 16));
    // Sent again (a double press), it joins the first request and sends nothing more.
    await visitor.post(`/visits/${reference}/link`, { _csrf: csrfIn(page.text), email: 'ada@example.com' });
    expect((await askedFor(reference, 'ada@example.com')).runId).toBe(firstRun);
    const linkMails = service.mail.messages.filter(
      (m) => m.subject?.includes(reference) && /Your link/.test(m.subject),
    );
    expect(linkMails).toHaveLength(1);
    const kept = await outbox(service.db).find({ reference }).toArray();
    expect(kept.filter((email) => email._id.startsWith(`${reference}.link-`))).toHaveLength(1);

    const code = codeIn(mail, reference);
    const elsewhere = browser();
    expect(await elsewhere.get(`/visits/${reference}?token=${encodeURIComponent(code)}`)).toMatchObject({
      status: 302,
      location: `/visits/${reference}`,
    });
    expect((await elsewhere.get(`/visits/${reference}`)).text).toContain('Your request is waiting');
  });

  it('is asked for at most 10 times in 10 minutes from one client', async () => {
    const app = testApp({ db: service.db, temporal: service.client, taskQueue: service.taskQueue });
    const page = await app.request('/visits/ZZZZZZZZ');
    const cookie = page.headers
      .getSetCookie()
      .map((header) => header.split(';')[0])
      .join('; ');
    const csrf = csrfIn(await page.text());
    const ask = () =>
      app.request('/visits/ZZZZZZZZ/link', {
        method: 'POST',
        headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, email: 'nobody@example.com' }).toString(),
      });
    for (let asked = 0; asked < 10; asked++) expect((await ask()).status).toBe(302);
    expect((await ask()).status).toBe(429);
  });

  it('is asked for on pages that pass axe, in English and Welsh', async () => {
    const { reference } = await submit();
    const code = codeIn(await mailAbout(reference, /received/), reference);
    await browser().get(`/visits/${reference}?token=${encodeURIComponent(code)}`);
    const page = await site.page();
    for (const lang of ['en', 'cy']) {
      await page.goto(`/visits/${reference}?token=${encodeURIComponent(code)}&lang=${lang}`);
      await checkPage(page, `link-used-${lang}`);
      await page.fill('#email', 'not an address');
      await page.locator('form button.govuk-button').click();
      expect(await page.locator('.govuk-error-summary a').getAttribute('href')).toBe('#email');
      await checkPage(page, `link-error-${lang}`);
      await page.fill('#email', 'ada@example.com');
      await page.locator('form button.govuk-button').click();
      expect(new URL(page.url()).pathname).toBe(`/visits/${reference}/link-sent`);
      await checkPage(page, `link-sent-${lang}`);
    }
    await page.context().close();
  });
});

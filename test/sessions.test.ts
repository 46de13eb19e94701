// Staff sessions kept in the store: signing out (API and page), a new password, 30 minutes idle or 8 hours old each
// end a session at once, wherever its token is; the queue page's event stream ends with its session, and one user
// holds at most 3 streams. Time is moved by writing a session's times in the store, not by waiting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCollection } from '../api/audit';
import { saveStaffAccount } from '../api/staffAccounts';
import { eventually, PASSWORD, startTestService, type TestService } from './harness';

let service: TestService;
beforeAll(async () => {
  service = await startTestService('sessions');
});
afterAll(() => service.close());

let accounts = 0;
/** A new staff account of NGT, signed in: its e-mail and token. */
async function signedIn(): Promise<{ email: string; token: string }> {
  const email = `session${++accounts}@test.example`;
  await saveStaffAccount(service.db, { email, role: 'staff', prisons: ['NGT'], password: PASSWORD });
  return { email, token: await signIn(email) };
}

async function signIn(email: string, password = PASSWORD): Promise<string> {
  const { status, body } = await service.call('POST', '/api/staff/session', { body: { email, password } });
  expect(status).toBe(200);
  return body.token as string;
}

const queueByApi = async (token: string) => (await service.call('GET', '/api/staff/queue', { token })).status;

/** A staff page with the token as the session cookie. */
const page = (path: string, token: string, init: RequestInit = {}) =>
  service.app.request(path, { ...init, headers: { Cookie: `pvb_session=${token}`, ...init.headers } });

/** The queue page's status with the token as its cookie, and where a redirect sends it. */
async function queuePage(token: string) {
  const response = await page('/staff/queue?prisonId=NGT', token);
  return { status: response.status, location: response.headers.get('Location'), html: await response.text() };
}

/** The account's one session, as the store keeps it. */
const sessionOf = async (email: string) => {
  const found = await service.db.collection('sessions').find({ email }).toArray();
  expect(found).toHaveLength(1);
  return found[0];
};
const setSessionTimes = (email: string, times: { createdAt?: Date; lastSeenAt?: Date }) =>
  service.db.collection('sessions').updateMany({ email }, { $set: times });
const ago = (ms: number) => new Date(Date.now() - ms);
const MINUTE = 60_000;

describe('signing out', () => {
  it('by the API ends the session at once: the same token is refused (401) by the API and the pages', async () => {
    const { email, token } = await signedIn();
    expect(await queueByApi(token)).toBe(200);
    expect((await service.call('DELETE', '/api/staff/session')).status).toBe(401);
    const signedOut = await service.call('DELETE', '/api/staff/session', { token });
    expect(signedOut.status).toBe(204);
    expect(signedOut.headers.get('Set-Cookie')).toMatch(/^pvb_session=;/);
    expect(await queueByApi(token)).toBe(401);
    expect(await queuePage(token)).toMatchObject({ status: 302, location: '/staff/sign-in' });
    expect((await service.call('DELETE', '/api/staff/session', { token })).status).toBe(401);
    const entries = await auditCollection(service.db)
      .find({ actor: email }, { projection: { _id: 0, at: 0 } })
      .toArray();
    expect(entries).toEqual([
      { actor: email, action: 'sign_in', outcome: 'ok' },
      { actor: email, action: 'sign_out', outcome: 'ok' },
    ]);
  });

  it('on the pages ends the session at once: the cookie (and the API token) is refused', async () => {
    const { token } = await signedIn();
    const before = await queuePage(token);
    expect(before.status).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(before.html)?.[1] ?? '';
    expect(csrf).not.toBe('');
    const signOut = await page('/staff/sign-out', token, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${encodeURIComponent(csrf)}`,
    });
    expect(signOut.status).toBe(302);
    expect(signOut.headers.get('Location')).toBe('/staff/sign-in');
    expect(await queuePage(token)).toMatchObject({ status: 302, location: '/staff/sign-in' });
    expect(await queueByApi(token)).toBe(401);
  });
});

describe('a new password', () => {
  it('ends every open session of the account', async () => {
    const { email, token } = await signedIn();
    const another = await signIn(email);
    const otherAccount = await signedIn();
    expect([await queueByApi(token), await queueByApi(another)]).toEqual([200, 200]);
    await saveStaffAccount(service.db, { email, role: 'staff', prisons: ['NGT'], password: 'a-new-password-2' });
    expect([await queueByApi(token), await queueByApi(another)]).toEqual([401, 401]);
    expect(await queuePage(token)).toMatchObject({ status: 302, location: '/staff/sign-in' });
    expect(await queueByApi(otherAccount.token)).toBe(200);
    expect(await queueByApi(await signIn(email, 'a-new-password-2'))).toBe(200);
  });
});

describe('a session', () => {
  it('left idle for 30 minutes is refused, by the API and the pages', async () => {
    const { email, token } = await signedIn();
    await setSessionTimes(email, { lastSeenAt: ago(30 * MINUTE + 1000) });
    expect(await queueByApi(token)).toBe(401);
    const page = await signedIn();
    await setSessionTimes(page.email, { lastSeenAt: ago(30 * MINUTE + 1000) });
    expect(await queuePage(page.token)).toMatchObject({ status: 302, location: '/staff/sign-in' });
  });

  it('used within 30 minutes goes on, its last use written at most once a minute', async () => {
    const { email, token } = await signedIn();
    await setSessionTimes(email, { lastSeenAt: ago(29 * MINUTE) });
    expect(await queueByApi(token)).toBe(200);
    const touched = (await sessionOf(email)).lastSeenAt as Date;
    expect(Date.now() - touched.getTime()).toBeLessThan(MINUTE);
    // Within the minute, a request writes nothing.
    const recently = ago(30_000);
    await setSessionTimes(email, { lastSeenAt: recently });
    expect(await queueByApi(token)).toBe(200);
    expect((await sessionOf(email)).lastSeenAt).toEqual(recently);
  });

  it('8 hours old is refused, even in use', async () => {
    const { email, token } = await signedIn();
    await setSessionTimes(email, { createdAt: ago(8 * 60 * MINUTE + 1000), lastSeenAt: ago(MINUTE) });
    expect(await queueByApi(token)).toBe(401);
    const younger = await signedIn();
    await setSessionTimes(younger.email, { createdAt: ago(8 * 60 * MINUTE - MINUTE), lastSeenAt: ago(MINUTE) });
    expect(await queueByApi(younger.token)).toBe(200);
  });
});

/** Opens the queue's event stream, and reads it until it says it is watching. */
async function openStream(token: string) {
  const response = await page('/staff/queue/events?prisonId=NGT', token);
  if (response.status !== 200 || !response.body) return { response, read: undefined };
  const reader = response.body.getReader();
  let text = '';
  // A read left waiting at a deadline is the next call's: a second read would take what it should have.
  let pending: ReturnType<typeof reader.read> | undefined;
  /** Reads until the stream ends (true) or the deadline passes (false), keeping what it said. */
  const readToEnd = async (withinMs: number) => {
    const deadline = Date.now() + withinMs;
    while (Date.now() < deadline) {
      pending ??= reader.read();
      const next = await Promise.race([
        pending,
        new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), deadline - Date.now())),
      ]);
      if (next === 'late') return false;
      pending = undefined;
      if (next.done) return true;
      text += new TextDecoder().decode(next.value);
    }
    return false;
  };
  await eventually(async () => ((await readToEnd(500)) || text.includes('event: watching') ? true : undefined));
  return { response, read: { readToEnd, said: () => text, close: () => reader.cancel() } };
}

describe('the queue page’s event stream', () => {
  it('ends once its session is signed out, saying so', async () => {
    const { token } = await signedIn();
    const { read } = await openStream(token);
    expect(read?.said()).toContain('event: watching');
    expect(await read?.readToEnd(1000)).toBe(false); // still open
    expect((await service.call('DELETE', '/api/staff/session', { token })).status).toBe(204);
    // The stream asks again at its next poll, every 3 seconds.
    expect(await read?.readToEnd(10_000)).toBe(true);
    expect(read?.said()).toContain('event: signed-out');
    expect(read?.said()).not.toContain('queue-changed');
  });

  it('is refused a 4th time for one user (429), and a closed one makes room', async () => {
    const { email, token } = await signedIn();
    const second = await signIn(email); // the limit is the user's, whichever session
    await setSessionTimes(email, { lastSeenAt: ago(10 * MINUTE) });
    const streams = [await openStream(token), await openStream(token), await openStream(second)];
    expect(streams.map((stream) => stream.response.status)).toEqual([200, 200, 200]);
    const fourth = await openStream(second);
    expect(fourth.response.status).toBe(429);
    expect(fourth.response.headers.get('Retry-After')).toBeTruthy();
    // Another user is not held back by this one's streams.
    const other = await signedIn();
    const theirs = await openStream(other.token);
    expect(theirs.response.status).toBe(200);
    // An open stream is no activity of its user's: each session's last use is the one before the streams.
    const sessions = await service.db.collection('sessions').find({ email }).toArray();
    expect(sessions.map((session) => Date.now() - (session.lastSeenAt as Date).getTime() > 9 * MINUTE)).toEqual([
      true,
      true,
    ]);

    await streams[0].read?.close();
    const again = await eventually(async () => {
      const opened = await openStream(token);
      if (opened.response.status === 200) return opened;
      await opened.response.body?.cancel();
      return undefined;
    });
    for (const stream of [...streams.slice(1), again, theirs]) await stream.read?.close();
  });
});

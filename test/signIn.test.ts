// Staff sign-in under attack: guesses at one account counted before any password is checked, so that a burst gets no
// more than the limit; limits per account and address, per account and per address; a bounded number of passwords
// hashed at once; the audit trail of it all, with nothing typed in it; and old password hashes moved to today's
// parameters. Client addresses come from X-Forwarded-For, through an app that trusts one proxy.
import { randomBytes, scryptSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCollection } from '../api/audit';
import { createLog } from '../api/log';
import { attemptKeys, beginAttempt, WINDOW_MS } from '../api/signInThrottle';
import { hashPassword } from '../api/staffAccounts';
import { eventually, PASSWORD, startTestService, testApp, type TestService } from './harness';

let service: TestService;
let app: ReturnType<typeof testApp>;
/** Every line the app logged. */
const logged: string[] = [];
/** A hash of PASSWORD made once, for the accounts made here: hashing is slow on purpose. */
let passwordHash = '';

beforeAll(async () => {
  service = await startTestService('sign_in');
  app = testApp({
    db: service.db,
    temporal: service.client,
    taskQueue: service.taskQueue,
    trustedProxyHops: 1,
    log: createLog('debug', (line) => logged.push(line)),
  });
  passwordHash = await hashPassword(PASSWORD);
});
afterAll(() => service.close());

let accounts = 0;
/** A staff account with PASSWORD, written straight to the store. */
async function account(): Promise<string> {
  const email = `signin${++accounts}@test.example`;
  await service.db
    .collection('staff')
    .insertOne({ _id: email, email, role: 'staff', prisons: ['NGT'], passwordHash } as never);
  return email;
}

let addresses = 0;
/** A client address of its own, so that the limits of one test do not reach another. */
const address = () => `198.51.100.${++addresses}`;

async function signIn(from: string, email: string, password: string) {
  const response = await app.request('/api/staff/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': from },
    body: JSON.stringify({ email, password }),
  });
  return {
    status: response.status,
    retryAfter: Number(response.headers.get('Retry-After')),
    body: await response.json(),
  };
}

const auditOf = (actor: string) =>
  auditCollection(service.db)
    .find({ actor }, { projection: { _id: 0, at: 0 } })
    .toArray();

describe('guessing at one account', () => {
  it('20 wrong passwords at once check at most 5 (401); the rest are refused (429), and 5 in all lock the account there', async () => {
    const email = await account();
    const from = address();
    const burst = await Promise.all(Array.from({ length: 20 }, () => signIn(from, email, 'wrong-password-1')));
    const statuses = burst.map((answer) => answer.status);
    const checked = statuses.filter((status) => status === 401).length;
    expect(checked).toBeLessThanOrEqual(5);
    expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
    for (const refused of burst.filter((answer) => answer.status === 429)) {
      expect(refused.body.code).toBe('too_many_attempts');
      expect(refused.retryAfter).toBeGreaterThan(0);
    }
    // One after another, the guesses checked reach 5 in all, then even the right password is refused.
    let failures = checked;
    for (let more = 0; more < 6; more++) {
      const { status } = await signIn(from, email, 'wrong-password-2');
      if (status === 429) break;
      expect(status).toBe(401);
      failures += 1;
    }
    expect(failures).toBe(5);
    const locked = await signIn(from, email, PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.retryAfter).toBeGreaterThan(800);
    // Each check is in the audit trail, and the lock once.
    const entries = await auditOf(email);
    expect(entries.filter((entry) => entry.outcome === 'failed')).toHaveLength(5);
    // Recorded by the failure that reached the limit (by each, should two at once both reach it).
    expect(entries.filter((entry) => entry.outcome === 'locked')).toContainEqual({
      actor: email,
      action: 'sign_in',
      outcome: 'locked',
      subject: 'account_from_address',
    });
  });

  it('from one address locks the account from that address only; 20 failures from 4 addresses lock it everywhere', async () => {
    const email = await account();
    const [first, second, third, fourth, elsewhere] = [address(), address(), address(), address(), address()];
    for (let i = 0; i < 5; i++) expect((await signIn(first, email, 'wrong-password')).status).toBe(401);
    expect((await signIn(first, email, PASSWORD)).status).toBe(429);
    expect((await signIn(second, email, PASSWORD)).status).toBe(200);
    // Two addresses at a time (the machine's two cores), which never makes more than 20 in all.
    const guessFrom = async (from: string) => {
      for (let i = 0; i < 5; i++) expect((await signIn(from, email, 'wrong-password')).status, from).toBe(401);
    };
    await Promise.all([guessFrom(second), guessFrom(third)]);
    await guessFrom(fourth);
    const everywhere = await signIn(elsewhere, email, PASSWORD);
    expect(everywhere.status).toBe(429);
    expect(everywhere.retryAfter).toBeGreaterThan(800);
    expect((await auditOf(email)).filter((entry) => entry.outcome === 'locked').map((entry) => entry.subject)).toEqual(
      expect.arrayContaining(['account_from_address', 'account']),
    );
  }, 90_000);
});

describe('the sign-in page', () => {
  it('is held by the same limits: 429 with Retry-After, saying how long to wait', async () => {
    const email = await account();
    const from = address();
    for (let i = 0; i < 5; i++) expect((await signIn(from, email, 'wrong-password')).status).toBe(401);
    const form = await app.request('/staff/sign-in', { headers: { 'X-Forwarded-For': from } });
    const cookie = /pvb_journey=[^;]+/.exec(form.headers.get('Set-Cookie') ?? '')?.[0] ?? '';
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const posted = await app.request('/staff/sign-in', {
      method: 'POST',
      headers: { 'X-Forwarded-For': from, Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, email, password: PASSWORD }).toString(),
    });
    expect(posted.status).toBe(429);
    expect(Number(posted.headers.get('Retry-After'))).toBeGreaterThan(800);
    expect(await posted.text()).toContain('Too many failed attempts. Wait 15 minutes before you try again.');
  });
});

describe('password spraying', () => {
  it('one wrong password at each of 21 accounts from one address: 20 are checked, then that address is refused for every account', async () => {
    const sprayed = await Promise.all(Array.from({ length: 21 }, () => account()));
    const from = address();
    const statuses: number[] = [];
    // Two at a time (the machine's two cores): never more than 20 in all before the last.
    for (let i = 0; i < sprayed.length; i += 2) {
      const pair = sprayed.slice(i, i + 2).map((email) => signIn(from, email, 'Winter2026!'));
      statuses.push(...(await Promise.all(pair)).map((answer) => answer.status));
    }
    expect(statuses).toEqual([...Array<number>(20).fill(401), 429]);
    // The address, not the accounts: each still signs in from elsewhere, but not from there.
    expect((await signIn(from, sprayed[0], PASSWORD)).status).toBe(429);
    expect((await signIn(address(), sprayed[20], PASSWORD)).status).toBe(200);
    // By the failure that reached the limit: the last pair, sent together.
    const lockedBy = await auditCollection(service.db).find({ outcome: 'locked', subject: 'address' }).toArray();
    expect(lockedBy.length).toBeGreaterThan(0);
    for (const entry of lockedBy) expect(sprayed.slice(18, 20)).toContain(entry.actor);
  }, 90_000);
});

describe('passwords hashed at once', () => {
  it('are bounded: beyond the few checked or waiting, sign-in answers 503 with Retry-After', async () => {
    // Unknown e-mails from addresses of their own: no limit is reached, so only the cap stands in the way.
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signIn(address(), `nobody${i}@test.example`, 'a-guess-of-12')),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status !== 401 && status !== 503)).toEqual([]);
    const busy = answers.filter((answer) => answer.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    for (const answer of busy) {
      expect(answer.body.code).toBe('busy');
      expect(answer.retryAfter).toBeGreaterThan(0);
    }
  });
});

describe('the audit trail of sign-in', () => {
  it('records failures, the lock and a success, naming only accounts, and nothing typed is stored or logged', async () => {
    const email = await account();
    const from = address();
    const typedPassword = `typed-${randomBytes(6).toString('hex')}`;
    const typedAddress = `not-an-account-${randomBytes(6).toString('hex')}@test.example`;
    expect((await signIn(from, typedAddress, typedPassword)).status).toBe(401);
    for (let i = 0; i < 4; i++) expect((await signIn(from, email, typedPassword)).status).toBe(401);
    expect((await signIn(address(), email, PASSWORD)).status).toBe(200);
    expect((await signIn(from, email, typedPassword)).status).toBe(401);
    expect((await signIn(from, email, PASSWORD)).status).toBe(429);

    const entries = await auditOf(email);
    const sorted = (list: object[]) => list.map((entry) => JSON.stringify(entry)).sort();
    expect(sorted(entries)).toEqual(
      sorted([
        ...Array<object>(5).fill({ actor: email, action: 'sign_in', outcome: 'failed' }),
        { actor: email, action: 'sign_in', outcome: 'ok' },
        { actor: email, action: 'sign_in', outcome: 'locked', subject: 'account_from_address' },
      ]),
    );
    expect(await auditOf('unknown')).toContainEqual({ actor: 'unknown', action: 'sign_in', outcome: 'failed' });

    const stored: string[] = [];
    for (const { name } of await service.db.listCollections({}, { nameOnly: true }).toArray()) {
      stored.push(JSON.stringify(await service.db.collection(name).find({}).toArray()));
    }
    for (const text of [...stored, ...logged]) {
      expect(text).not.toContain(typedPassword);
      expect(text).not.toContain(typedAddress);
      expect(text).not.toContain(PASSWORD);
    }
    expect(logged.join('\n')).toContain('"action":"sign_in","outcome":"locked"');
  }, 60_000);
});

describe('a password hashed with older, weaker parameters', () => {
  it('still signs in, and is hashed again with today’s at that sign-in', async () => {
    const email = await account();
    const salt = randomBytes(16);
    const key = scryptSync(PASSWORD, salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    const old = `scrypt$${salt.toString('base64')}$${key.toString('base64')}`;
    await service.db.collection('staff').updateOne({ _id: email } as never, { $set: { passwordHash: old } });
    const staffHash = async () => (await service.db.collection('staff').findOne({ _id: email } as never))?.passwordHash;

    expect((await signIn(address(), email, 'not-the-password')).status).toBe(401);
    expect(await staffHash()).toBe(old);
    expect((await signIn(address(), email, PASSWORD)).status).toBe(200);
    const renewed = await staffHash();
    expect(renewed).toMatch(/^scrypt\$N=131072,r=8,p=1\$[^$]+\$[^$]+$/);
    expect((await signIn(address(), email, PASSWORD)).status).toBe(200);
    expect(await staffHash()).toBe(renewed);
    expect((await signIn(address(), email, 'not-the-password')).status).toBe(401);
  });
});

describe('the attempts counted', () => {
  it('are swept away once their window has passed, whatever key they were at (a new e-mail address each time)', async () => {
    const attempts = service.db.collection<{ _id: string; key: string; at: Date; window: number }>('signInAttempts');
    // As if an hour from now: the windows before it have passed.
    const later = Date.now() + 4 * WINDOW_MS;
    const window = Math.floor(later / WINDOW_MS);
    await attempts.insertMany(
      Array.from({ length: 30 }, (_, i) => ({
        _id: `passed-${i}`,
        key: `never-again-${i}`,
        at: new Date(later - 3 * WINDOW_MS),
        window: window - 3,
      })),
    );
    await attempts.insertOne({
      _id: 'in-window',
      key: 'recent',
      at: new Date(later - WINDOW_MS / 2),
      window: window - 1,
    });
    await beginAttempt(service.db, attemptKeys('secret', 'sweep@test.example', '192.0.2.99'), later);
    await eventually(async () => ((await attempts.countDocuments({ window: window - 3 })) === 0 ? true : undefined));
    expect(await attempts.countDocuments({ _id: 'in-window' })).toBe(1);
  });
});

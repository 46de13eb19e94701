// Several real API processes (`npm run api`, scripts/api.ts) on one test service's database and task queue, as behind
// a load balancer: where each client's address comes from, the sign-in lock they share, and a process killed
// mid-traffic whose clients retry on another.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { saveStaffAccount } from '../api/staffAccounts';
import { freePort } from '../scripts/embeddedServers';
import { nodeArgs } from '../scripts/roles';
import { eventually, PASSWORD, startTestService, visitRequestBody, type TestService } from './harness';
import { killProcess } from './workerProcess';

interface ApiProcess {
  child: ChildProcess;
  base: string;
}

let service: TestService;
const running: ApiProcess[] = [];
const secret = randomBytes(32).toString('hex');

/** Starts `scripts/api.ts` on the test service's database and task queue, resolving once it answers /health. */
async function startApi(env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, nodeArgs('api'), {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: String(port),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: service.taskQueue,
      MONGODB_URI: `${inject('mongoUrl')}/${service.db.databaseName}`,
      SESSION_SECRET: secret,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  child.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const api = { child, base: `http://127.0.0.1:${port}` };
  running.push(api);
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}:\n${printed}`);
      const health = await fetch(`${api.base}/health`).catch(() => undefined);
      return health?.ok ? true : undefined;
    },
    90_000,
    250,
  );
  return api;
}

async function post(api: ApiProcess, path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${api.base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as any };
}

/** A visit request the limit counts: it is refused (422) after the limit has let it through. */
const submitFrom = (api: ApiProcess, forwardedFor: string) =>
  post(api, '/api/visits', {}, { 'X-Forwarded-For': forwardedFor }).then((r) => r.status);

let direct: ApiProcess; // TRUST_PROXY=false: clients reach it directly
let proxied: ApiProcess; // TRUST_PROXY=true: behind a proxy that sets X-Forwarded-For

beforeAll(async () => {
  service = await startTestService('apiProcesses');
  [direct, proxied] = await Promise.all([
    startApi({ TRUST_PROXY: 'false', SUBMISSIONS_PER_MINUTE: '3' }),
    startApi({
      TRUST_PROXY: 'true',
      SUBMISSIONS_PER_MINUTE: '3',
      JOURNEY_STARTS_PER_MINUTE: '3',
      FEEDBACK_PER_MINUTE: '2',
    }),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all(running.map((api) => killProcess(api.child)));
  await service?.close();
});

describe('the limit on anonymous submissions', () => {
  it('with TRUST_PROXY=false ignores X-Forwarded-For: a client cannot dodge it by sending a new one each time', async () => {
    const statuses = [];
    for (let i = 1; i <= 5; i++) statuses.push(await submitFrom(direct, `203.0.113.${i}`));
    expect(statuses).toEqual([422, 422, 422, 429, 429]);
  });

  it('with TRUST_PROXY=true counts each forwarded address apart', async () => {
    const statuses = [];
    for (let i = 1; i <= 5; i++) statuses.push(await submitFrom(proxied, `203.0.113.${i}`));
    expect(statuses).toEqual([422, 422, 422, 422, 422]);
    for (let i = 0; i < 2; i++) expect(await submitFrom(proxied, '203.0.113.1')).toBe(422);
    expect(await submitFrom(proxied, '203.0.113.1')).toBe(429);
    expect(await submitFrom(proxied, '203.0.113.2')).toBe(422);
  });

  it('covers the web journey’s send step: beyond it a page says so, with 429 and Retry-After', async () => {
    const visitor = { 'X-Forwarded-For': '198.51.100.20' };
    const start = await fetch(`${proxied.base}/request/prison`, { headers: visitor });
    expect(start.status).toBe(200);
    const cookie = /pvb_journey=[^;]+/.exec(start.headers.get('Set-Cookie') ?? '')?.[0] ?? '';
    const send = () =>
      fetch(`${proxied.base}/request/check`, {
        method: 'POST',
        headers: { ...visitor, Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: '_csrf=x',
        redirect: 'manual',
      });
    for (let i = 0; i < 3; i++) expect((await send()).status).not.toBe(429);
    const refused = await send();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(refused.headers.get('Content-Type')).toContain('text/html');
    expect(await refused.text()).toContain('You have sent too many requests');
    // Reading the pages is not limited.
    expect((await fetch(`${proxied.base}/request/prison`, { headers: { ...visitor, Cookie: cookie } })).status).toBe(
      200,
    );
  });
});

describe('the limits on the other anonymous writes', () => {
  it('count journeys begun (JOURNEY_STARTS_PER_MINUTE) by the address the proxy saw, whatever is written left of it', async () => {
    const statuses = [];
    for (let i = 1; i <= 5; i++) {
      const start = await fetch(`${proxied.base}/request/prison`, {
        headers: { 'X-Forwarded-For': `10.9.9.${i}, 198.51.100.30` },
      });
      statuses.push(start.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it('count feedback sent (FEEDBACK_PER_MINUTE)', async () => {
    const visitor = { 'X-Forwarded-For': '198.51.100.31' };
    const form = await fetch(`${proxied.base}/feedback`, { headers: visitor });
    const cookie = /pvb_journey=[^;]+/.exec(form.headers.get('Set-Cookie') ?? '')?.[0] ?? '';
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const send = () =>
      fetch(`${proxied.base}/feedback`, {
        method: 'POST',
        headers: { ...visitor, Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, rating: '5' }).toString(),
      }).then((response) => response.status);
    expect([await send(), await send(), await send()]).toEqual([200, 200, 429]);
  });
});

describe('the sign-in lock', () => {
  it('is shared by the API processes: 5 wrong passwords on one lock the account on another', async () => {
    const email = 'locked@test.example';
    await saveStaffAccount(service.db, { email, role: 'staff', prisons: ['NGT'], password: PASSWORD });
    for (let i = 0; i < 5; i++) {
      expect((await post(direct, '/api/staff/session', { email, password: 'wrong-password' })).status).toBe(401);
    }
    const locked = await post(proxied, '/api/staff/session', { email, password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('Retry-After'))).toBeGreaterThan(800);
  });
});

describe('an API process killed mid-traffic', () => {
  it('leaves no visit half-written, and a client retrying its key on another process gets the same visit', async () => {
    const [doomed, survivor] = await Promise.all([
      startApi({ SUBMISSIONS_PER_MINUTE: '1000' }),
      startApi({ SUBMISSIONS_PER_MINUTE: '1000' }),
    ]);
    const body = (n: number) =>
      visitRequestBody({ contact: { email: `killed${n}@example.com`, phone: '07700 900123' } });
    type Attempt = { key: string; n: number; answer?: { status: number; body: { reference: string } } };
    const attempts: Attempt[] = [];
    let answered = 0;
    let killed = false;
    // Four clients, each sending one request after another, until the process is gone.
    const lane = async (laneNo: number) => {
      for (let i = 0; !killed; i++) {
        const attempt: Attempt = { key: `killed-${laneNo}-${i}`, n: laneNo * 100 + i };
        attempts.push(attempt);
        try {
          attempt.answer = await post(doomed, '/api/visits', body(attempt.n), { 'Idempotency-Key': attempt.key });
          answered += 1;
        } catch {
          return; // the connection died with the process
        }
      }
    };
    const lanes = [0, 1, 2, 3].map(lane);
    await eventually(async () => (answered >= 4 ? true : undefined), 60_000, 10);
    killed = true;
    await killProcess(doomed.child);
    await Promise.all(lanes);

    const lost = attempts.filter((a) => a.answer === undefined);
    expect(lost.length, 'requests in flight when the process died').toBeGreaterThan(0);
    expect(attempts.filter((a) => a.answer).every((a) => a.answer?.status === 201)).toBe(true);

    const retried = new Map<string, { reference: string; accessToken: string }>();
    for (const attempt of attempts) {
      const again = await post(survivor, '/api/visits', body(attempt.n), { 'Idempotency-Key': attempt.key });
      expect(again.status, JSON.stringify(again.body)).toBe(201);
      if (attempt.answer) expect(again.body).toEqual(attempt.answer.body);
      retried.set(attempt.key, again.body);
    }
    const references = [...retried.values()].map((v) => v.reference);
    expect(new Set(references).size).toBe(attempts.length);

    // One workflow and one complete read-model document per key: none from the killed process's half-done work.
    const workflows = await eventually(async () => {
      const found = [];
      for await (const wf of service.client.workflow.list({ query: `TaskQueue = "${service.taskQueue}"` })) {
        found.push(wf.workflowId);
      }
      return found.length >= attempts.length ? found : undefined;
    }, 20_000);
    expect(workflows.sort()).toEqual(references.map((r) => `visit-${r}`).sort());
    const saved = await service.db
      .collection('visits')
      .find({}, { projection: { reference: 1, status: 1, visitors: 1, contact: 1 } })
      .toArray();
    expect(saved.map((v) => v.reference).sort()).toEqual([...references].sort());
    for (const [key, visit] of retried) {
      const seen = await fetch(`${survivor.base}/api/visits/${visit.reference}`, {
        headers: { Authorization: `Bearer ${visit.accessToken}` },
      });
      expect(seen.status, key).toBe(200);
      const shown = await seen.json();
      expect(shown.status).toBe('requested');
      expect(shown.visitors).toHaveLength(1);
    }
  }, 180_000);
});

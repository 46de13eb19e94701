// Schemathesis (from PyPI, installed by scripts/install.mjs) fuzzes the API over real HTTP from its own
// /openapi.json: no server errors, and no answer that the document does not describe.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from './browser';
import { rules, startTestService, visitRequestBody, type TestService } from './harness';

const ST = resolve('.tools/venv/bin/st');
const CONFIG = resolve('test/schemathesis.toml');
const REPORTS = resolve('test/artefacts/schemathesis');
const SEED = '20261202';
// Cases per operation in the fuzzing phase; with the examples, coverage and stateful phases, some 2,600 in all.
const MAX_EXAMPLES = '100';
// Schemathesis's --max-time is a budget that fuzzing repeats until it is spent, not a ceiling: the bound is a kill.
const TIME_LIMIT_MS = 150_000;

let service: TestService;
let served: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  if (!existsSync(ST)) throw new Error(`${ST} is missing: run \`npm run install-tools -- --test\``);
  service = await startTestService('fuzz');
  served = await serve(service.app.fetch);
});
afterAll(async () => {
  await served?.close();
  await service?.close();
});

/** A requested visit, as the visitor sees it on submitting. */
async function submitVisit(): Promise<{ reference: string; accessToken: string; slotOptions: string[] }> {
  const body = visitRequestBody();
  const { status, body: submitted } = await service.call('POST', '/api/visits', { body });
  expect(status).toBe(201);
  return { ...submitted, slotOptions: body.slotOptions };
}

/** Runs a command to its end or the time limit; its output goes to a file as it comes. */
function run(command: string, args: string[], env: Record<string, string>, log: string) {
  writeFileSync(log, '');
  return new Promise<number | null>((done, fail) => {
    const child = spawn(command, args, {
      cwd: REPORTS,
      env: { ...process.env, ...env },
      timeout: TIME_LIMIT_MS,
      killSignal: 'SIGKILL',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const write = (chunk: Buffer) => writeFileSync(log, chunk, { flag: 'a' });
    child.stdout.on('data', write);
    child.stderr.on('data', write);
    child.on('error', fail);
    child.on('close', done);
  });
}

interface Report {
  operations: { total: number; tested: number; skipped: number };
  test_cases: { generated: number; errored: number };
  failures: { code: string; title: string; operations: string[] }[];
  errors: { title: string }[];
}

describe('schemathesis, with every check, against the running service', () => {
  it('finds no server error and no answer outside the document in over 1,000 cases', { timeout: 180_000 }, async () => {
    const admin = await service.staffToken(
      'admin',
      rules.list().map((prison) => prison.id),
    );
    const visitor = await submitVisit();
    const requested = await submitVisit();
    const booked = await submitVisit();
    const accepted = await service.call('POST', `/api/staff/visits/${booked.reference}/decision`, {
      token: admin,
      body: { outcome: 'accept', slot: booked.slotOptions[0], referenceNo: 'FZ-1' },
    });
    expect(accepted.status).toBe(200);

    rmSync(REPORTS, { recursive: true, force: true });
    mkdirSync(REPORTS, { recursive: true });
    const log = `${REPORTS}/output.txt`;
    const code = await run(
      ST,
      [
        '--config-file',
        CONFIG,
        'run',
        `${served.base}/openapi.json`,
        // Schemathesis leaves out the operation that served the document unless a filter names it: name them all.
        '--include-path-regex',
        '^/',
        '--max-examples',
        MAX_EXAMPLES,
        '--seed',
        SEED,
        '--request-timeout',
        '15',
        '--report',
        'json,junit',
        '--report-json-path',
        `${REPORTS}/report.json`,
        '--report-junit-path',
        `${REPORTS}/junit.xml`,
        '--no-color',
      ],
      {
        FUZZ_ADMIN_TOKEN: admin,
        FUZZ_VISITOR_TOKEN: visitor.accessToken,
        FUZZ_VISITOR_REFERENCE: visitor.reference,
        FUZZ_REQUESTED_REFERENCE: requested.reference,
        FUZZ_BOOKED_REFERENCE: booked.reference,
      },
      log,
    );

    // Without the lines that quote whole generated bodies, which can run to megabytes.
    const output = readFileSync(log, 'utf8')
      .split('\n')
      .filter((line) => line.length < 2000)
      .join('\n');
    const failed = `schemathesis said (all of it in ${log}):\n${output.slice(-30_000)}`;
    expect(code, failed).not.toBeNull(); // null: killed at the time limit
    const report = JSON.parse(readFileSync(`${REPORTS}/report.json`, 'utf8')) as Report;
    expect(report.failures, failed).toEqual([]);
    expect(report.errors, failed).toEqual([]);
    expect(report.test_cases.errored, failed).toBe(0);
    expect(code, failed).toBe(0);
    expect(report.test_cases.generated).toBeGreaterThanOrEqual(1000);

    const { body: document } = await service.call('GET', '/openapi.json');
    const documented = Object.entries(document.paths as Record<string, object>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const junit = readFileSync(`${REPORTS}/junit.xml`, 'utf8');
    const tested = [...junit.matchAll(/<testcase name="([^"]+)"/g)].map((match) => match[1]);
    expect(new Set(tested)).toEqual(new Set([...documented, 'Stateful tests']));
    expect(report.operations).toMatchObject({ total: documented.length, tested: documented.length, skipped: 0 });
  });
});

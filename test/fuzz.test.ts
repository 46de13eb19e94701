// Schemathesis (from PyPI, installed by scripts/install.mjs) fuzzes the API over real HTTP from its own
// /openapi.json: no server errors, no answer that the document does not describe, and valid requests accepted.
// Its hooks (test/fuzzHooks.py) bend valid requests to this rule book, so that they reach the workflow.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookerFor, createSignInLink } from '../activities/readModel/bookers';
import { visitsCollection } from '../activities/readModel/visits';
import { bookableSlots } from '../rules/calendar';
import { londonClock } from '../rules/londonTime';
import { RuleBook } from '../rules/ruleBook';
import { serve } from './browser';
import { fakePrisonerService, samplePrisoner } from './fakePrisonerService';
import { slotsAt, startTestService, visitRequestBody, type TestService } from './harness';

const ST = resolve('.tools/venv/bin/st');
const CONFIG = resolve('test/schemathesis.toml');
const HOOKS = resolve('test/fuzzHooks.py');
const REPORTS = resolve('test/artefacts/schemathesis');
const SEED = '20261202';
// Cases per operation in the fuzzing phase; with the examples, coverage and stateful phases, some 2,700 in all.
const MAX_EXAMPLES = '100';
// Schemathesis's --max-time is a budget that fuzzing repeats until it is spent, not a ceiling: the bound is a kill.
const TIME_LIMIT_MS = 210_000;
// Requested visits set aside for the fuzzer's decisions, one decision each.
const DECIDABLE = 20;
// Visits the fuzzer's own requests must create, counted in the read model. Seed 20261202 makes some 125 (of
// some 2,700 cases); half leaves room for another seed, and still fails when the hooks stop making valid
// requests valid, which positive_data_acceptance alone would not notice: a case they leave invalid is negative.
const FUZZED_VISITS_FLOOR = 60;

/** A prisoner the fake prisoner service knows as released with no visits left: the rules of some prisons refuse. */
const releasedPrisoner = { ...samplePrisoner, number: 'R9999XX', status: 'released' as const, visitBalance: 0 };

/**
 * The demo rule book and its assisted-digital settings, with one more prison: Saltmarsh's rules, booking at once, so
 * that held places and instant booking are fuzzed too.
 */
const ruleRoot = mkdtempSync(join(tmpdir(), 'fuzz-rules-'));
cpSync('rules/prisons', join(ruleRoot, 'prisons'), { recursive: true });
cpSync('rules/assisted-digital.yaml', join(ruleRoot, 'assisted-digital.yaml'));
writeFileSync(
  join(ruleRoot, 'prisons', 'saltmarsh-instant.yaml'),
  `${readFileSync('rules/prisons/saltmarsh.yaml', 'utf8')
    .replace(/^id: SLT$/m, 'id: SLI')
    .replace(/^name: (.*)$/m, 'name: $1 Instant')}\nbooking: instant\n`,
);
const rules = new RuleBook(join(ruleRoot, 'prisons'));
const slotsOf = (prisonId: string) => {
  const prison = rules.get(prisonId);
  return prison ? bookableSlots(prison, londonClock(new Date()).date) : [];
};

let service: TestService;
let served: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  if (!existsSync(ST)) throw new Error(`${ST} is missing: run \`npm run install-tools -- --test\``);
  expect(rules.get('SLI')?.booking).toBe('instant');
  service = await startTestService('fuzz', { rules });
  served = await serve(service.app.fetch);
  fakePrisonerService.records.set(releasedPrisoner.number, releasedPrisoner);
});
afterAll(async () => {
  fakePrisonerService.records.delete(releasedPrisoner.number);
  await served?.close();
  await service?.close();
  rmSync(ruleRoot, { recursive: true, force: true });
});

/** The references of the visits this test made itself, not the fuzzer; and those set aside for its decisions. */
const ours: string[] = [];
const setAside: string[] = [];

/** A requested visit, as the visitor sees it on submitting. */
async function submitVisit(
  slotOptions = slotsAt('NGT').slice(0, 2),
): Promise<{ reference: string; accessToken: string; slotOptions: string[] }> {
  const body = visitRequestBody({ slotOptions });
  const { status, body: submitted } = await service.call('POST', '/api/visits', { body });
  expect(status).toBe(201);
  ours.push(submitted.reference);
  return { ...submitted, slotOptions: body.slotOptions };
}

/** The facts the hooks bend valid requests to, as JSON in environment variables. */
async function hookFacts(): Promise<Record<string, string>> {
  const bookable = rules.list().filter((prison) => prison.enabled && !prison.closed && !prison.private);
  const prisons = bookable
    .map(({ id, adultAge, maxVisitors, maxAdults, booking, capacity }) => ({
      id,
      adultAge,
      maxVisitors,
      maxAdults,
      // Asks for one time; and holds places, where its times have a limit.
      instant: booking === 'instant',
      holds: booking === 'instant' && capacity !== undefined,
      slots: slotsOf(id),
    }))
    .filter((prison) => prison.slots.length > 0);
  const ruleBook = rules
    .list()
    .map((prison) => ({ id: prison.id, ruleFile: readFileSync(join(ruleRoot, 'prisons', prison.file), 'utf8') }));
  // Spread over the slots, so that accepting them does not fill one.
  const slots = slotsAt('NGT');
  const decidable = await Promise.all(
    Array.from({ length: DECIDABLE }, async (_, i) => {
      const visit = await submitVisit([slots[i % slots.length], slots[(i + 1) % slots.length]]);
      setAside.push(visit.reference);
      return { reference: visit.reference, slotOptions: visit.slotOptions, visitors: 1 }; // as visitRequestBody
    }),
  );
  return {
    SCHEMATHESIS_HOOKS: HOOKS,
    FUZZ_TODAY: londonClock(new Date()).date,
    FUZZ_PRISONS: JSON.stringify(prisons),
    FUZZ_RULE_BOOK: JSON.stringify(ruleBook),
    FUZZ_DECIDABLE: JSON.stringify(decidable),
    FUZZ_PRISONERS: JSON.stringify([samplePrisoner.number, releasedPrisoner.number]),
  };
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
  /** A booker signed in by a link's code, made here as the e-mailed link's would be. */
  async function bookerToken(): Promise<string> {
    const account = await bookerFor(service.db, `fuzz-${randomBytes(4).toString('hex')}@test.example`, 'en');
    const code = await createSignInLink(service.db, account.bookerId);
    const session = await service.call('POST', '/api/booker/session', { body: { code } });
    expect(session.status).toBe(201);
    return session.body.token as string;
  }

  it(
    'finds no server error, no answer outside the document and no valid request refused in over 1,000 cases',
    { timeout: 240_000 },
    async () => {
      const admin = await service.staffToken(
        'admin',
        rules.list().map((prison) => prison.id),
      );
      // For signing out (test/schemathesis.toml): a session apart from the admin's, which the run needs to the end.
      const signingOut = await service.staffToken('staff', ['NGT']);
      // A booker's session for their own routes, and another for signing out.
      const [booker, bookerSigningOut] = [await bookerToken(), await bookerToken()];
      const visitor = await submitVisit();
      const requested = await submitVisit();
      const booked = await submitVisit();
      const accepted = await service.call('POST', `/api/staff/visits/${booked.reference}/decision`, {
        token: admin,
        body: { outcome: 'accept', slot: booked.slotOptions[0], referenceNo: 'FZ-1' },
      });
      expect(accepted.status).toBe(200);
      const facts = await hookFacts();

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
          ...facts,
          FUZZ_ADMIN_TOKEN: admin,
          FUZZ_SIGN_OUT_TOKEN: signingOut,
          FUZZ_BOOKER_TOKEN: booker,
          FUZZ_BOOKER_SIGN_OUT_TOKEN: bookerSigningOut,
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

      // Counted in the read model, not from schemathesis's own figures: the visits the fuzzer's requests created.
      const fuzzed = await visitsCollection(service.db)
        .find({ _id: { $nin: ours } }, { projection: { status: 1, eligibility: 1, rejection: 1 } })
        .toArray();
      expect(fuzzed.length, 'visits created by the fuzzer').toBeGreaterThanOrEqual(FUZZED_VISITS_FLOOR);
      // They went through the workflow: every one checked against its prison's rules, and some refused by them.
      expect(fuzzed.filter((visit) => !visit.eligibility)).toEqual([]);
      expect(fuzzed.some((visit) => visit.status === 'rejected' && visit.rejection?.auto)).toBe(true);
      expect(fuzzed.some((visit) => visit.status === 'requested')).toBe(true);
      // And the fuzzer's decisions reached the visits set aside for them.
      const decided = await visitsCollection(service.db).countDocuments({
        _id: { $in: setAside },
        status: { $in: ['booked', 'rejected'] },
      });
      expect(decided, 'visits decided by the fuzzer').toBeGreaterThanOrEqual(DECIDABLE / 2);
    },
  );
});

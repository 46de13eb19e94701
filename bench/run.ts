// `npm run bench`: the service's figures on this machine, on the embedded servers as `npm start` runs them (Temporal's
// dev server with SQLite; PostgreSQL with FerretDB on it), with the API and the worker as their own processes, over a
// national estate of prisons. Prints as it goes, then each target met, not met or not measured, and writes the
// figures, with the machine's details, to bench/results/<time>.json. BENCH_SCALE=small runs every part briefly, to
// check the benchmark itself: its figures say little about the service.
//   (b) the bare baseline: no-op workflows started and completed per second on the same Temporal server
//   (a) visit requests: pushed (32 in flight), at a fixed load, and at twice the national peak for a minute, with
//       each process's CPU per request answered 201; each phase starts once the visits' workflows are idle
//   (c) the staff's queries and pages with 100,000 and 1,000,000 visits in the database, each asked 20 times at least
//       (or for 3 minutes, if that comes first)
//   (e) the peak resident memory of each process
//   (d) slot enumeration and rule evaluation on one core
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, cpus, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { MongoClient, type Db } from 'mongodb';
import { ensureIndexes } from '../activities/readModel/indexes';
import { queries } from '../activities/readModel/queries';
import { visitsCollection, type VisitDocument } from '../activities/readModel/visits';
import { addDays, londonClock } from '../rules/londonTime';
import { RuleBook } from '../rules/ruleBook';
import { freePort, startStore, startTemporal, type RunningServer } from '../scripts/embeddedServers';
import { dataConverter } from '../scripts/payloadCodec';
import { nodeArgs } from '../scripts/roles';
import { failureText, latencies, latencyText, round } from './figures';
import { closedLoop, openLoop, requestBodies, type LoadResult } from './load';
import { writeEstate } from './prisons';
import { cpuPer, memoryOf } from './processes';
import { untilIdle } from './settle';
import { prisonNumber, seedVisits, STATE_MIX, staffToken, timeGets } from './staffQueries';

const scale = process.env.BENCH_SCALE === 'small' ? 'small' : 'full';
/** The full profile, or the small one; each BENCH_ variable overrides either. */
const preset = (full: number | string, small: number | string) => String(scale === 'small' ? small : full);
const settings = {
  scale,
  prisons: Number(process.env.BENCH_PRISONS ?? preset(120, 12)),
  offeredPerSecond: Number(process.env.BENCH_RATE ?? preset(8, 4)),
  offeredSeconds: Number(process.env.BENCH_SECONDS ?? preset(20, 10)),
  peakPerSecond: Number(process.env.BENCH_PEAK_RATE ?? preset(20, 8)),
  peakSeconds: Number(process.env.BENCH_PEAK_SECONDS ?? preset(60, 10)),
  pushedInFlight: Number(process.env.BENCH_IN_FLIGHT ?? preset(32, 8)),
  pushedSeconds: Number(process.env.BENCH_PUSHED_SECONDS ?? preset(20, 10)),
  baselineWorkflows: Number(process.env.BENCH_BASELINE ?? preset(3000, 300)),
  /** The staff queries are timed at each of these numbers of visits in the database. */
  staffVisitSteps: (process.env.BENCH_VISITS ?? preset('100000,1000000', '2000,10000')).split(',').map(Number),
  /** Each query is asked at least 20 times and for this long, up to 200 times... */
  queryBudgetSeconds: Number(process.env.BENCH_QUERY_SECONDS ?? preset(15, 5)),
  /** ...but never for longer than this: a slower query reports the maximum of fewer. */
  queryCeilingSeconds: Number(process.env.BENCH_QUERY_MAX_SECONDS ?? preset(180, 30)),
  /** How long a phase may wait for the workflows of the one before to be idle. */
  settleTimeoutSeconds: Number(process.env.BENCH_SETTLE_SECONDS ?? 300),
};
/** The visits' task queue, for the roles and for the wait between phases. */
const taskQueue = 'visit-requests';
/** The run's key for Temporal's payloads, as production has one: the roles and this process encrypt with it. */
const payloadKeys = [{ id: 'bench', key: randomBytes(32) }];
const converter = dataConverter(payloadKeys);

const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'pvb-bench-'));
chmodSync(dir, 0o755); // PostgreSQL may run as a user of its own, who must reach its folder in here
const servers: RunningServer[] = [];
const children: ChildProcess[] = [];
process.once('exit', () => [...children, ...servers.map((s) => s.process)].forEach((c) => c.kill('SIGKILL')));

const say = (line: string) => console.log(line);

function machine() {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model,
    memoryGb: round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${release()} ${arch()}`,
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim(),
    uncommittedChanges: execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).trim() !== '',
  };
}

const resultsDir = join(root, 'bench/results');
const stamp = `${new Date().toISOString().replace(/[:.]/g, '-')}${scale === 'small' ? '-small' : ''}`;
const logFiles: string[] = [];

/** Runs scripts/<role>.ts as `npm start` does, with this run's servers, its warnings to a log file. */
function startRole(role: 'api' | 'worker', env: NodeJS.ProcessEnv): ChildProcess {
  const logFile = join(resultsDir, `${stamp}-${role}-${logFiles.length + 1}.log`);
  logFiles.push(logFile);
  // BENCH_PROFILE=worker (or api) writes a CPU profile of that role to bench/results/, to open in Chrome's DevTools.
  const profile = process.env.BENCH_PROFILE === role ? ['--cpu-prof', `--cpu-prof-dir=${resultsDir}`] : [];
  const child = spawn(process.execPath, [...profile, ...nodeArgs(role)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', openSync(logFile, 'a')],
  });
  children.push(child);
  return child;
}

async function waitForHealth(baseUrl: string): Promise<void> {
  for (let attempt = 0; attempt < 240; attempt++) {
    try {
      if ((await fetch(`${baseUrl}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((wait) => setTimeout(wait, 250));
  }
  throw new Error(`${baseUrl} did not become healthy within a minute`);
}

/** No-op workflows started and awaited, `inFlight` at a time, by a worker in this process. */
async function baseline(address: string, count: number, inFlight: number, temporalPid: number | undefined) {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const taskQueue = 'bench-noop';
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowsPath: join(import.meta.dirname, 'noopWorkflow.ts'),
    dataConverter: converter,
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, dataConverter: converter });
  const run = async (total: number) => {
    let next = 0;
    const started = performance.now();
    const ticker = setInterval(() => process.stdout.write(`\r  no-op workflows: ${next} of ${total}   `), 1000);
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < total) {
          await client.workflow.execute('noop', {
            taskQueue,
            workflowId: `noop-${next++}-${randomBytes(4).toString('hex')}`,
          });
        }
      }),
    );
    clearInterval(ticker);
    process.stdout.write('\n');
    return total / ((performance.now() - started) / 1000);
  };
  await run(200); // warm-up: the worker's first workflow tasks compile its sandbox
  const cpu = cpuPer({ temporalServer: temporalPid });
  const perSecond = await run(count);
  const temporalCpuPerWorkflowMs = cpu(count).temporalServer;
  worker.shutdown();
  await running;
  await nativeConnection.close();
  await connection.close();
  return { workflows: count, inFlight, perSecond: round(perSecond), temporalCpuPerWorkflowMs };
}

/** How many of `references` the read model holds, each by its reference, as the service looks one up. */
async function inReadModel(db: Db, references: string[]) {
  let found = 0;
  for (let i = 0; i < references.length; i += 50) {
    const part = references.slice(i, i + 50);
    const hits = await Promise.all(
      part.map((reference) => visitsCollection(db).findOne(queries.visitByReference.filter(reference))),
    );
    found += hits.filter(Boolean).length;
  }
  return found;
}

/**
 * A phase of requests: sent, answered 201, and of those found in the read model once the workflows are idle; the
 * POST's latency of those answered 201, and apart from it the failures, by status, with theirs.
 */
async function submissionFigures(load: LoadResult, db: Db) {
  return {
    sent: load.sent,
    answered201: load.answered201,
    inReadModel: await inReadModel(db, load.references),
    failed: load.failed,
    seconds: round(load.seconds),
    answered201PerSecond: round(load.answered201 / load.seconds),
    post201: latencies(load.latenciesMs),
    postFailed: latencies(load.failedLatenciesMs),
  };
}

const [temporalPort, mongoPort, postgresPort, apiPort, staffApiPort] = await Promise.all(
  Array.from({ length: 5 }, () => freePort()),
);
const address = `127.0.0.1:${temporalPort}`;
const baseUrl = `http://127.0.0.1:${apiPort}`;
const staffBaseUrl = `http://127.0.0.1:${staffApiPort}`;
mkdirSync(resultsDir, { recursive: true });
const results: Record<string, unknown> = { startedAt: new Date().toISOString(), machine: machine(), settings };

say(`Benchmark on ${cpus().length} cores; servers' data in ${dir}`);
const rulesDir = join(dir, 'rules');
const prisonIds = writeEstate(rulesDir, settings.prisons);
say(`an estate of ${prisonIds.length} prisons (copies of the demo prisons' rule files)`);
say('starting Temporal (SQLite), PostgreSQL and FerretDB...');
const temporal = await startTemporal({ port: temporalPort, dbFile: join(dir, 'temporal.db') });
servers.push(temporal);
const store = await startStore({
  port: mongoPort,
  postgresPort,
  dir: join(dir, 'postgres'),
  password: randomBytes(16).toString('hex'),
});
servers.push(store.ferretdb, store.postgres);
const common = {
  NODE_ENV: 'production',
  TEMPORAL_ADDRESS: address,
  TEMPORAL_TASK_QUEUE: taskQueue,
  SESSION_SECRET: randomBytes(32).toString('hex'),
  TEMPORAL_PAYLOAD_KEYS: payloadKeys.map(({ id, key }) => `${id}:${key.toString('base64')}`).join(','),
  PUBLIC_URL: 'https://visits.bench.example',
  SUBMISSIONS_PER_MINUTE: '1000000000',
  LOG_LEVEL: 'warn',
  RULES_DIR: rulesDir,
  FERRETDB_POSTGRESQL_URL: store.postgresqlUrl,
};
const visitsUri = `mongodb://127.0.0.1:${mongoPort}/bench`;
const worker = startRole('worker', { ...common, MONGODB_URI: visitsUri });
const api = startRole('api', { ...common, MONGODB_URI: visitsUri, PORT: String(apiPort) });
await waitForHealth(baseUrl);
const memoryAtStart = { api: memoryOf(api.pid), worker: memoryOf(worker.pid) };
const mongo = new MongoClient(`mongodb://127.0.0.1:${mongoPort}`);
const benchDb = mongo.db('bench');
const temporalConnection = await Connection.connect({ address });
const temporalClient = new Client({ connection: temporalConnection, dataConverter: converter });
const settle = () => untilIdle(temporalClient, taskQueue, settings.settleTimeoutSeconds);

say(`\n(b) bare baseline: ${settings.baselineWorkflows} no-op workflows, ${settings.pushedInFlight} at a time`);
const bare = await baseline(address, settings.baselineWorkflows, settings.pushedInFlight, temporal.process.pid);
say(`  ${bare.perSecond} workflows/s; Temporal's CPU per workflow ${bare.temporalCpuPerWorkflowMs} ms`);

const bodies = requestBodies(new RuleBook(rulesDir).list());
say('\n(a) visit requests');
await closedLoop(baseUrl, bodies, 4, 3); // warm-up: the worker's first workflows and the API's first routes
await settle();
const pids = {
  temporalServer: temporal.process.pid,
  ferretdb: store.ferretdb.process.pid,
  postgres: store.postgres.process.pid,
  worker: worker.pid,
  api: api.pid,
  loadGenerator: process.pid,
};
// What one request answered 201 costs each process, in CPU milliseconds, from the phase's start until its workflows
// are idle (the e-mails after the answer, and the work of requests whose POST failed, included): with two cores,
// their sum bounds the rate. Polling for idle costs the Temporal server a little too.
say(`  pushed: ${settings.pushedInFlight} in flight for ${settings.pushedSeconds} s`);
const pushedCpu = cpuPer(pids, ['postgres']);
const pushed = await closedLoop(baseUrl, bodies, settings.pushedInFlight, settings.pushedSeconds);
const settlePushed = await settle();
const cpuPerRequestMs = pushedCpu(pushed.answered201);
say(`  at ${settings.offeredPerSecond}/s for ${settings.offeredSeconds} s`);
const offered = await openLoop(baseUrl, bodies, settings.offeredPerSecond, settings.offeredSeconds);
const settleOffered = await settle();
const twicePeak = settings.peakPerSecond === 20 ? ': twice the national peak' : ' (twice the national peak is 20/s)';
say(`  peak: ${settings.peakPerSecond}/s for ${settings.peakSeconds} s${twicePeak}`);
const peakCpu = cpuPer(pids, ['postgres']);
const peak = await openLoop(baseUrl, bodies, settings.peakPerSecond, settings.peakSeconds);
const settlePeak = await settle();
const cpuPerRequestAtPeakMs = peakCpu(peak.answered201);
const submissions = {
  pushed: {
    inFlight: settings.pushedInFlight,
    ...(await submissionFigures(pushed, benchDb)),
    cpuPerRequestAnswered201Ms: cpuPerRequestMs,
  },
  atOfferedLoad: { offeredPerSecond: settings.offeredPerSecond, ...(await submissionFigures(offered, benchDb)) },
  atPeak: {
    offeredPerSecond: settings.peakPerSecond,
    ...(await submissionFigures(peak, benchDb)),
    cpuPerRequestAnswered201Ms: cpuPerRequestAtPeakMs,
  },
  /** The wait after each phase until its workflows were idle (CPU per request counts it in). */
  settle: { pushed: settlePushed, offered: settleOffered, peak: settlePeak },
  visitsInReadModel: await visitsCollection(benchDb).countDocuments(),
};
const ratio = round(submissions.pushed.answered201PerSecond / bare.perSecond, 2);
const storeCpuMs = (cpu: Record<string, number>) => round(cpu.ferretdb + cpu.postgres);
for (const [label, figures, settled] of [
  [`pushed (${settings.pushedInFlight} in flight)`, submissions.pushed, settlePushed],
  [`at ${settings.offeredPerSecond}/s`, submissions.atOfferedLoad, settleOffered],
  [`at ${settings.peakPerSecond}/s`, submissions.atPeak, settlePeak],
] as const) {
  say(
    `  ${label}: ${figures.answered201} of ${figures.sent} answered 201 (${figures.answered201PerSecond}/s), ` +
      `${figures.inReadModel} of those in the read model; ${failureText(figures.failed)}`,
  );
  say(`    POST answered 201: ${latencyText(figures.post201)}`);
  if (figures.postFailed.samples > 0) say(`    POST failed (apart): ${latencyText(figures.postFailed)}`);
  say(
    settled.idle
      ? `    workflows idle (seen twice, a second apart) ${settled.seconds} s after the phase ended`
      : `    workflows NOT idle after ${settled.seconds} s: ${settled.busyWorkflows} still busy as the next part began`,
  );
}
say(`  ratio of the pushed rate (answered 201) to the bare baseline: ${ratio}`);
for (const [label, cpu] of [
  ['pushed', cpuPerRequestMs],
  [`at ${settings.peakPerSecond}/s`, cpuPerRequestAtPeakMs],
] as const) {
  say(
    `  CPU per request answered 201, ${label}, phase and settle (ms): ${Object.entries(cpu)
      .map(([name, ms]) => `${name} ${ms}`)
      .join(', ')}; the store (FerretDB and PostgreSQL) ${storeCpuMs(cpu)}`,
  );
}
say(`  read model: ${submissions.visitsInReadModel} visits (failed POSTs whose workflows went on included)`);

say('\n(c) staff queries and pages (a second API process, on a database of its own)');
const staffDb = mongo.db('bench_staff');
await ensureIndexes(staffDb, { postgresqlUrl: store.postgresqlUrl });
const templates = await visitsCollection(benchDb).find().limit(200).toArray();
const staffApi = startRole('api', {
  ...common,
  MONGODB_URI: `mongodb://127.0.0.1:${mongoPort}/bench_staff`,
  PORT: String(staffApiPort),
});
await waitForHealth(staffBaseUrl);
const [one, two] = prisonIds;
const staff = await staffToken(staffBaseUrl, staffDb, 'staff', [one, two]);
const admin = await staffToken(staffBaseUrl, staffDb, 'admin', []);
const today = londonClock(new Date()).date;
const week = Array.from({ length: 7 }, (_, i) => addDays(today, i));
const staffQueries: Record<string, Record<string, Awaited<ReturnType<typeof timeGets>>>> = {};
let seeded = 0;
for (const size of settings.staffVisitSteps) {
  await seedVisits(staffDb, templates as VisitDocument[], prisonIds, seeded, size);
  seeded = size;
  // Any 50 visits: with neither filter nor sort, FerretDB reads only as many as asked for.
  const sample = await visitsCollection(staffDb)
    .find({}, { projection: { _id: 1 } })
    .limit(50)
    .toArray();
  const numbers = Array.from({ length: 50 }, (_, i) => prisonNumber(i * 7919 + 13));
  const asked: [string, string, string[]][] = [
    ['queueOfOnePrison', staff, [one, two].map((id) => `/api/staff/queue?prisonId=${id}`)],
    ['queueOfEveryPrison (admin)', admin, ['/api/staff/queue']],
    ['searchByPrisonNumber', admin, numbers.map((number) => `/api/staff/search?q=${number}`)],
    ['searchByReference', admin, sample.map((visit) => `/api/staff/search?q=${visit._id}`)],
    ['visitByReference', admin, sample.map((visit) => `/api/staff/visits/${visit._id}`)],
    ['queuePage', staff, [`/staff/queue?prisonId=${one}`]],
    ['bookedOnDayPage', staff, week.map((date) => `/staff/booked?prisonId=${one}&date=${date}`)],
    ['processedPage', staff, [`/staff/processed?prisonId=${one}`]],
    ['dashboardOfTwoPrisons (28 days)', staff, ['/staff/dashboard']],
    ['dashboardOfEveryPrison (admin, 28 days)', admin, ['/staff/dashboard']],
    [
      'assistedDigitalOfEveryPrison (admin, API, 91 days)',
      admin,
      [`/api/staff/performance/assisted-digital?from=${addDays(today, -90)}&to=${today}`],
    ],
  ];
  say(`  with ${size} visits:`);
  const figures: (typeof staffQueries)[string] = {};
  for (const [name, token, paths] of asked) {
    figures[name] = await timeGets(staffBaseUrl, token, paths, {
      budgetSeconds: settings.queryBudgetSeconds,
      ceilingSeconds: settings.queryCeilingSeconds,
    });
    const answered = figures[name];
    const failed = Object.keys(answered.failed).length > 0 ? `; ${failureText(answered.failed)} (left out)` : '';
    say(`    ${name}: ${latencyText(answered)}${failed}`);
  }
  staffQueries[String(size)] = figures;
}

say('\n(e) peak resident memory');
const memory = {
  api: memoryOf(api.pid),
  worker: memoryOf(worker.pid),
  staffApi: memoryOf(staffApi.pid),
  temporalServer: memoryOf(temporal.process.pid),
  ferretdb: memoryOf(store.ferretdb.process.pid),
  postgres: memoryOf(store.postgres.process.pid),
};
say(`  at start: api ${memoryAtStart.api.nowMb} MB, worker ${memoryAtStart.worker.nowMb} MB`);
for (const [name, figures] of Object.entries(memory))
  say(`  ${name}: peak ${figures.peakMb} MB, now ${figures.nowMb} MB`);

await Promise.all(
  children.map(
    (child) =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.once('exit', () => (clearTimeout(timer), done()));
        child.kill('SIGTERM');
      }),
  ),
);
await mongo.close();
await temporalConnection.close();
for (const server of servers.reverse()) await server.stop();

say('\n(d) slot enumeration and rule evaluation on one core');
const cpu = JSON.parse(
  execFileSync('taskset', ['-c', '0', process.execPath, '--import', 'tsx', join(import.meta.dirname, 'cpu.ts')], {
    cwd: root,
    encoding: 'utf8',
  }),
);
say(
  `  slots: ${cpu.slotEnumeration.enumerationsPerSecond} enumerations/s (${cpu.slotEnumeration.slotsPerSecond} slots/s)`,
);
say(`  rules: ${cpu.ruleEvaluation.requestsPerSecond} requests/s, ${cpu.ruleEvaluation.rulesPerSecond} rules/s`);

/** A staff query's p95, or null where that step was not run or had too few samples for a p95. */
const at = (visits: number, query: string) => staffQueries[String(visits)]?.[query]?.p95Ms ?? null;
const noneFailed = (load: { failed: Record<string, number> }) => Object.keys(load.failed).length === 0;
const roles = Math.max(memory.api.peakMb, memory.worker.peakMb, memory.staffApi.peakMb);
const targets = [
  { target: 'staff queue p95 <= 50 ms at 100,000 visits', value: at(100_000, 'queueOfOnePrison'), limit: 50 },
  { target: 'staff queue p95 <= 100 ms at 1,000,000 visits', value: at(1_000_000, 'queueOfOnePrison'), limit: 100 },
  {
    target: 'search by prisoner number p95 <= 20 ms at 1,000,000 visits',
    value: at(1_000_000, 'searchByPrisonNumber'),
    limit: 20,
  },
  {
    target: `POST /api/visits p95 <= 100 ms at ${settings.offeredPerSecond}/s, none failed`,
    value: submissions.atOfferedLoad.post201.p95Ms,
    limit: 100,
    met: noneFailed(submissions.atOfferedLoad) ? undefined : false,
  },
  {
    target:
      `at ${settings.peakPerSecond}/s for ${settings.peakSeconds} s: every request answered 201 and in the read ` +
      'model, none failed',
    value: `${peak.answered201} of ${peak.sent} answered 201, ${submissions.atPeak.inReadModel} in the read model`,
    met: submissions.atPeak.inReadModel === peak.sent && noneFailed(peak),
  },
  { target: 'pushed rate >= 0.5 of the bare no-op rate', value: ratio, met: ratio >= 0.5 },
  {
    target: 'the store’s CPU per submission <= 15 ms (FerretDB and PostgreSQL, pushed)',
    value: storeCpuMs(cpuPerRequestMs),
    limit: 15,
  },
  { target: 'API and worker <= 300 MB resident', value: roles, limit: 300 },
  {
    target: 'rule evaluations >= 5000/s on one core',
    value: cpu.ruleEvaluation.requestsPerSecond,
    met: cpu.ruleEvaluation.requestsPerSecond >= 5000,
  },
].map(({ target, value, limit, met }) => ({
  target,
  value,
  /** null: not measured in this run (a smaller profile, or too few samples for the percentile). */
  met: value === null ? null : (met ?? (typeof value === 'number' && limit !== undefined && value <= limit)),
}));
say('\ntargets');
for (const { target, value, met } of targets) {
  say(`  ${met === null ? 'not measured' : met ? 'met' : 'NOT MET'} ${target}${value === null ? '' : `: ${value}`}`);
}

// Activity attempts that failed and were retried, from the logs.
const retries = logFiles.map((logFile) => readFileSync(logFile, 'utf8').split('Activity failed').length - 1);
say(`\nactivity attempts retried: ${retries.reduce((a, b) => a + b, 0)} (logs: ${logFiles.join(', ')})`);

Object.assign(results, {
  activityAttemptsRetried: retries.reduce((a, b) => a + b, 0),
  finishedAt: new Date().toISOString(),
  submissions,
  bareBaseline: bare,
  ratioToBaseline: ratio,
  staffQueries: { stateMix: STATE_MIX, prisons: prisonIds.length, byVisitsInDatabase: staffQueries },
  oneCore: cpu,
  memory: { ...memory, atStart: memoryAtStart },
  targets,
});
const file = join(resultsDir, `${stamp}.json`);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
rmSync(dir, { recursive: true, force: true });
say(`\nwritten to ${file}`);
process.exit(0);

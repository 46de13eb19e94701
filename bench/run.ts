// `npm run bench`: the service's figures on this machine, on the embedded servers as `npm start` runs them (Temporal's
// dev server with SQLite; PostgreSQL with FerretDB on it), with the API and the worker as their own processes, over a
// national estate of prisons. Prints as it goes, then each target met or not, and writes the figures, with the
// machine's details, to bench/results/<time>.json.
//   (b) the bare baseline: no-op workflows started and completed per second on the same Temporal server
//   (a) visit requests: pushed (32 in flight), at a fixed load, and at twice the national peak for a minute, with
//       each process's CPU per request
//   (c) the staff's queries and pages with 100,000 and 1,000,000 visits in the database
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
import { nodeArgs } from '../scripts/roles';
import { latencies, round } from './figures';
import { closedLoop, openLoop, requestBodies, type LoadResult } from './load';
import { writeEstate } from './prisons';
import { cpuPer, memoryOf } from './processes';
import { prisonNumber, seedVisits, STATE_MIX, staffToken, timeGets } from './staffQueries';

const settings = {
  prisons: Number(process.env.BENCH_PRISONS ?? 120),
  offeredPerSecond: Number(process.env.BENCH_RATE ?? 8),
  offeredSeconds: Number(process.env.BENCH_SECONDS ?? 20),
  peakPerSecond: Number(process.env.BENCH_PEAK_RATE ?? 20),
  peakSeconds: Number(process.env.BENCH_PEAK_SECONDS ?? 60),
  pushedInFlight: Number(process.env.BENCH_IN_FLIGHT ?? 32),
  pushedSeconds: Number(process.env.BENCH_PUSHED_SECONDS ?? 20),
  baselineWorkflows: Number(process.env.BENCH_BASELINE ?? 3000),
  /** The staff queries are timed at each of these numbers of visits in the database. */
  staffVisitSteps: (process.env.BENCH_VISITS ?? '100000,1000000').split(',').map(Number),
  queryBudgetSeconds: Number(process.env.BENCH_QUERY_SECONDS ?? 15),
};

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
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
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
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
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

/**
 * Waits until the read model stops growing (for 5 s, at most 3 minutes): requests whose POST timed out are still
 * worked through by their workflows, and the next phase should not share the servers with them.
 */
async function settled(db: Db) {
  const started = performance.now();
  let last = -1;
  let still = 0;
  while (still < 5 && performance.now() - started < 180_000) {
    const count = await visitsCollection(db).estimatedDocumentCount();
    still = count === last ? still + 1 : 0;
    last = count;
    process.stdout.write(`\r  settling: ${count} visits in the read model   `);
    await new Promise((wait) => setTimeout(wait, 1000));
  }
  process.stdout.write('\n');
  return { visitsInReadModel: last, secondsToSettle: round((performance.now() - started) / 1000 - 5) };
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

function submissionFigures(load: LoadResult) {
  return {
    sent: load.sent,
    created: load.created,
    refused: load.refused,
    seconds: round(load.seconds),
    createdPerSecond: round(load.created / load.seconds),
    post: latencies(load.latenciesMs),
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
  SESSION_SECRET: randomBytes(32).toString('hex'),
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

say(`\n(b) bare baseline: ${settings.baselineWorkflows} no-op workflows, ${settings.pushedInFlight} at a time`);
const bare = await baseline(address, settings.baselineWorkflows, settings.pushedInFlight, temporal.process.pid);
say(`  ${bare.perSecond} workflows/s; Temporal's CPU per workflow ${bare.temporalCpuPerWorkflowMs} ms`);

const bodies = requestBodies(new RuleBook(rulesDir).list());
say('\n(a) visit requests');
await closedLoop(baseUrl, bodies, 4, 3); // warm-up: the worker's first workflows and the API's first routes
const pids = {
  temporalServer: temporal.process.pid,
  ferretdb: store.ferretdb.process.pid,
  postgres: store.postgres.process.pid,
  worker: worker.pid,
  api: api.pid,
  loadGenerator: process.pid,
};
const pushedCpu = cpuPer(pids, ['postgres']);
const pushed = await closedLoop(baseUrl, bodies, settings.pushedInFlight, settings.pushedSeconds);
// What one request costs each process, in CPU milliseconds: with two cores, their sum bounds the rate.
const cpuPerRequestMs = pushedCpu(pushed.sent);
const settlePushed = await settled(benchDb);
const offered = await openLoop(baseUrl, bodies, settings.offeredPerSecond, settings.offeredSeconds);
const settleOffered = await settled(benchDb);
say(`  ${settings.peakPerSecond}/s for ${settings.peakSeconds} s: twice the national peak`);
const peakCpu = cpuPer(pids, ['postgres']);
const peak = await openLoop(baseUrl, bodies, settings.peakPerSecond, settings.peakSeconds);
const cpuPerRequestAtPeakMs = peakCpu(peak.sent);
const settlePeak = await settled(benchDb);
const references = [...offered.references, ...pushed.references, ...peak.references];
const submissions = {
  pushed: { inFlight: settings.pushedInFlight, ...submissionFigures(pushed), cpuPerRequestMs },
  atOfferedLoad: { offeredPerSecond: settings.offeredPerSecond, ...submissionFigures(offered) },
  atPeak: {
    offeredPerSecond: settings.peakPerSecond,
    ...submissionFigures(peak),
    cpuPerRequestMs: cpuPerRequestAtPeakMs,
  },
  createdAnswers: references.length,
  createdInReadModel: await inReadModel(benchDb, references),
  backlog: { pushed: settlePushed, offered: settleOffered, peak: settlePeak },
};
const ratio = round(submissions.pushed.createdPerSecond / bare.perSecond, 2);
const storeCpuMs = (cpu: Record<string, number>) => round(cpu.ferretdb + cpu.postgres);
for (const [label, figures] of [
  [`pushed (${settings.pushedInFlight} in flight)`, submissions.pushed],
  [`at ${settings.offeredPerSecond}/s`, submissions.atOfferedLoad],
  [`at ${settings.peakPerSecond}/s`, submissions.atPeak],
] as const) {
  say(
    `  ${label}: ${figures.created} of ${figures.sent} created (${figures.createdPerSecond}/s), refused ` +
      `${JSON.stringify(figures.refused)}; POST p50 ${figures.post.p50Ms} ms, p95 ${figures.post.p95Ms} ms, ` +
      `p99 ${figures.post.p99Ms} ms`,
  );
}
say(`  ratio of the pushed rate to the bare baseline: ${ratio}`);
for (const [label, cpu] of [
  ['pushed', cpuPerRequestMs],
  [`at ${settings.peakPerSecond}/s`, cpuPerRequestAtPeakMs],
] as const) {
  say(
    `  CPU per request ${label} (ms): ${Object.entries(cpu)
      .map(([name, ms]) => `${name} ${ms}`)
      .join(', ')}; the store (FerretDB and PostgreSQL) ${storeCpuMs(cpu)}`,
  );
}
say(`  read model: ${submissions.createdInReadModel} of ${submissions.createdAnswers} created requests`);

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
const staffQueries: Record<string, Record<string, ReturnType<typeof latencies>>> = {};
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
  ];
  say(`  with ${size} visits:`);
  const figures: Record<string, ReturnType<typeof latencies>> = {};
  for (const [name, token, paths] of asked) {
    figures[name] = await timeGets(staffBaseUrl, token, paths, settings.queryBudgetSeconds);
    const { p50Ms, p95Ms, p99Ms, samples } = figures[name];
    say(`    ${name}: p50 ${p50Ms} ms, p95 ${p95Ms} ms, p99 ${p99Ms} ms (${samples} asked)`);
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

const at = (visits: number, query: string) => staffQueries[String(visits)]?.[query]?.p95Ms ?? NaN;
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
    target: `POST /api/visits p95 <= 100 ms at ${settings.offeredPerSecond}/s`,
    value: submissions.atOfferedLoad.post.p95Ms,
    limit: 100,
  },
  {
    target: `at ${settings.peakPerSecond}/s for ${settings.peakSeconds} s: every request created, none refused`,
    value: `${peak.created} of ${peak.sent} created`,
    met: peak.created === peak.sent && Object.keys(peak.refused).length === 0,
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
  met: met ?? (typeof value === 'number' && limit !== undefined && value <= limit),
}));
say('\ntargets');
for (const { target, value, met } of targets) say(`  ${met ? 'met    ' : 'NOT MET'} ${target}: ${value}`);

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

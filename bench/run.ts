// `npm run bench`: the service's figures on this machine, on the embedded servers (Temporal with SQLite, FerretDB),
// with the API and the worker as their own processes, as `npm start` runs them. Prints as it goes and writes the
// figures, with the machine's details, to bench/results/<time>.json.
//   (a) visit requests: latency at a fixed offered load, and the rate sustained when pushed
//   (b) the bare baseline: no-op workflows started and completed per second on the same Temporal server
//   (c) the staff queue, search and a visit's page with 100,000 visits in the database
//   (d) slot enumeration and rule evaluation on one core
//   (e) the peak resident memory of the API and the worker
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, cpus, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { MongoClient, type Db } from 'mongodb';
import { visitsCollection, type VisitDocument } from '../activities/readModel';
import { RuleBook } from '../rules/ruleBook';
import { freePort, startFerretDb, startTemporal, type RunningServer } from '../scripts/embeddedServers';
import { latencies, round } from './figures';
import { closedLoop, openLoop, requestBodies, type LoadResult } from './load';
import { seedVisits, STATE_MIX, staffToken, timeGets } from './staffQueries';

const settings = {
  // A load this machine carries (it sustains about 10 a second): the latency of a service keeping up. At the
  // issue's 100 a second, requests queue until the API's 10-second command timeout (BENCH_RATE=100 shows it).
  offeredPerSecond: Number(process.env.BENCH_RATE ?? 8),
  offeredSeconds: Number(process.env.BENCH_SECONDS ?? 20),
  pushedInFlight: Number(process.env.BENCH_IN_FLIGHT ?? 32),
  pushedSeconds: Number(process.env.BENCH_PUSHED_SECONDS ?? 20),
  baselineWorkflows: Number(process.env.BENCH_BASELINE ?? 3000),
  /** The staff queries are timed at each of these numbers of visits in the database. */
  staffVisitSteps: (process.env.BENCH_VISITS ?? '10000,100000').split(',').map(Number),
  queryBudgetSeconds: Number(process.env.BENCH_QUERY_SECONDS ?? 20),
};

const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'pvb-bench-'));
const servers: RunningServer[] = [];
const children: ChildProcess[] = [];
process.once('exit', () => [...children, ...servers.map((s) => s.process)].forEach((c) => c.kill('SIGKILL')));

const say = (line: string) => console.log(line);

/** Peak and present resident memory of a process, in MB, from Linux's /proc. */
function memoryOf(pid: number | undefined) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peakMb: round(kb('VmHWM') / 1024), nowMb: round(kb('VmRSS') / 1024) };
}

/** CPU time a process has used so far, in seconds, from Linux's /proc (user and system, in clock ticks of 10 ms). */
function cpuSecondsOf(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

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

/** Runs scripts/<role>.ts as `npm run <role>` would, with this run's servers, its warnings to a log file. */
function startRole(role: 'api' | 'worker', env: NodeJS.ProcessEnv): ChildProcess {
  const logFile = join(resultsDir, `${stamp}-${role}-${logFiles.length + 1}.log`);
  logFiles.push(logFile);
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', `${role}.ts`)], {
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
async function baseline(address: string, count: number, inFlight: number) {
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
  const perSecond = await run(count);
  worker.shutdown();
  await running;
  await nativeConnection.close();
  await connection.close();
  return { workflows: count, inFlight, perSecond: round(perSecond) };
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
    const count = await visitsCollection(db).countDocuments();
    still = count === last ? still + 1 : 0;
    last = count;
    process.stdout.write(`\r  settling: ${count} visits in the read model   `);
    await new Promise((wait) => setTimeout(wait, 1000));
  }
  process.stdout.write('\n');
  return { visitsInReadModel: last, secondsToSettle: round((performance.now() - started) / 1000 - 5) };
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

const temporalPort = await freePort();
const mongoPort = await freePort();
const apiPort = await freePort();
const staffApiPort = await freePort();
const address = `127.0.0.1:${temporalPort}`;
const baseUrl = `http://127.0.0.1:${apiPort}`;
const staffBaseUrl = `http://127.0.0.1:${staffApiPort}`;
mkdirSync(resultsDir, { recursive: true });
const results: Record<string, unknown> = { startedAt: new Date().toISOString(), machine: machine(), settings };

say(`Benchmark on ${cpus().length} cores; servers' data in ${dir}`);
say('starting Temporal (SQLite) and FerretDB...');
servers.push(await startTemporal({ port: temporalPort, dbFile: join(dir, 'temporal.db') }));
servers.push(await startFerretDb(mongoPort, join(dir, 'ferretdb')));
const common = {
  NODE_ENV: 'production',
  TEMPORAL_ADDRESS: address,
  SESSION_SECRET: randomBytes(32).toString('hex'),
  SUBMISSIONS_PER_MINUTE: '1000000000',
  LOG_LEVEL: 'warn',
};
const visitsUri = `mongodb://127.0.0.1:${mongoPort}/bench`;
const worker = startRole('worker', { ...common, MONGODB_URI: visitsUri });
const api = startRole('api', { ...common, MONGODB_URI: visitsUri, PORT: String(apiPort) });
await waitForHealth(baseUrl);
const memoryAtStart = { api: memoryOf(api.pid), worker: memoryOf(worker.pid) };
const mongo = new MongoClient(`mongodb://127.0.0.1:${mongoPort}`);

say(`\n(b) bare baseline: ${settings.baselineWorkflows} no-op workflows, ${settings.pushedInFlight} at a time`);
const bare = await baseline(address, settings.baselineWorkflows, settings.pushedInFlight);
say(`  ${bare.perSecond} workflows/s`);

const bodies = requestBodies(new RuleBook(join(root, 'rules/prisons')).list());
say('\n(a) visit requests');
await closedLoop(baseUrl, bodies, 4, 3); // warm-up: the worker's first workflows and the API's first routes
const pids = {
  temporalServer: servers[0].process.pid,
  ferretdb: servers[1].process.pid,
  worker: worker.pid,
  api: api.pid,
  loadGenerator: process.pid,
};
const cpuBefore = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSecondsOf(pid)]));
const pushed = await closedLoop(baseUrl, bodies, settings.pushedInFlight, settings.pushedSeconds);
// What one request costs each process, in CPU milliseconds: with two cores, their sum bounds the rate.
const cpuPerRequestMs = Object.fromEntries(
  Object.entries(pids).map(([name, pid]) => [
    name,
    round(((cpuSecondsOf(pid) - cpuBefore[name]) * 1000) / pushed.sent),
  ]),
);
const offered = await openLoop(baseUrl, bodies, settings.offeredPerSecond, settings.offeredSeconds);
const benchDb = mongo.db('bench');
const settle = await settled(benchDb);
const requested = await visitsCollection(benchDb).countDocuments({
  _id: { $in: [...offered.references, ...pushed.references] },
  status: 'requested',
});
const submissions = {
  atOfferedLoad: { offeredPerSecond: settings.offeredPerSecond, ...submissionFigures(offered) },
  pushed: { inFlight: settings.pushedInFlight, ...submissionFigures(pushed), cpuPerRequestMs },
  createdInReadModelAsRequested: requested,
  createdAnswers: offered.created + pushed.created,
  backlog: settle,
};
const ratio = round(submissions.pushed.createdPerSecond / bare.perSecond, 2);
say(
  `  at ${settings.offeredPerSecond}/s offered: ${submissions.atOfferedLoad.createdPerSecond}/s reached requested, ` +
    `POST p50 ${submissions.atOfferedLoad.post.p50Ms} ms, p95 ${submissions.atOfferedLoad.post.p95Ms} ms, ` +
    `p99 ${submissions.atOfferedLoad.post.p99Ms} ms`,
);
say(
  `  pushed (${settings.pushedInFlight} in flight): ${submissions.pushed.createdPerSecond}/s, ` +
    `POST p50 ${submissions.pushed.post.p50Ms} ms, p95 ${submissions.pushed.post.p95Ms} ms; ` +
    `ratio to the baseline ${ratio}`,
);
say(
  `  CPU per request while pushed (ms): ${Object.entries(cpuPerRequestMs)
    .map(([name, ms]) => `${name} ${ms}`)
    .join(', ')}`,
);
say(`  read model: ${requested} of ${submissions.createdAnswers} created requests at requested`);

say('\n(c) staff queries (a second API process, on a database of its own)');
const staffDb = mongo.db('bench_staff');
const templates = await visitsCollection(benchDb).find().limit(200).toArray();
let seeded = settings.staffVisitSteps[0];
await seedVisits(staffDb, templates as VisitDocument[], seeded);
const staffApi = startRole('api', {
  ...common,
  MONGODB_URI: `mongodb://127.0.0.1:${mongoPort}/bench_staff`,
  PORT: String(staffApiPort),
});
await waitForHealth(staffBaseUrl);
const prisonIds = [...new Set(templates.map((visit) => visit.prisonId))];
const staff = await staffToken(staffBaseUrl, staffDb, 'staff', [prisonIds[0]]);
const admin = await staffToken(staffBaseUrl, staffDb, 'admin', prisonIds);
const sample = await visitsCollection(staffDb)
  .find({ prisonId: prisonIds[0] }, { projection: { prisoner: 1 } })
  .limit(50)
  .toArray();
const queries: [string, string, string[]][] = [
  ['queueOfOnePrison', staff, [`/api/staff/queue?prisonId=${prisonIds[0]}`]],
  ['queueOfEveryPrison', admin, ['/api/staff/queue']],
  ['searchByPrisonNumber', staff, sample.map((visit) => `/api/staff/search?q=${visit.prisoner.number}`)],
  ['searchByReference', staff, sample.map((visit) => `/api/staff/search?q=${visit._id}`)],
  ['visitByReference', staff, sample.map((visit) => `/api/staff/visits/${visit._id}`)],
];
const staffQueries: Record<string, Record<string, unknown>> = {};
for (const size of settings.staffVisitSteps) {
  if (size > seeded) await seedVisits(staffDb, templates as VisitDocument[], size - seeded);
  seeded = size;
  say(`  with ${size} visits:`);
  const figures: Record<string, ReturnType<typeof latencies>> = {};
  for (const [name, token, paths] of queries) {
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
  temporalServer: memoryOf(servers[0].process.pid),
  ferretdb: memoryOf(servers[1].process.pid),
};
say(`  at start: api ${memoryAtStart.api.nowMb} MB, worker ${memoryAtStart.worker.nowMb} MB`);
for (const [name, figures] of Object.entries(memory))
  say(`  ${name}: peak ${figures.peakMb} MB, now ${figures.nowMb} MB`);

for (const child of children) child.kill('SIGTERM');
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

const mostVisits = settings.staffVisitSteps.at(-1);
const queueP95 = (staffQueries[String(mostVisits)].queueOfOnePrison as { p95Ms: number }).p95Ms;
const targets = [
  {
    target: 'submissions sustained >= 100/s',
    value: submissions.pushed.createdPerSecond,
    met: submissions.pushed.createdPerSecond >= 100,
  },
  {
    target: `POST p95 <= 100 ms at ${settings.offeredPerSecond}/s, every request created`,
    value: submissions.atOfferedLoad.post.p95Ms,
    met: submissions.atOfferedLoad.post.p95Ms <= 100 && offered.created === offered.sent,
  },
  { target: 'ratio to the bare baseline >= 0.5', value: ratio, met: ratio >= 0.5 },
  { target: `queue p95 <= 50 ms at ${mostVisits} visits`, value: queueP95, met: queueP95 <= 50 },
  {
    target: 'rule evaluations >= 5000/s on one core',
    value: cpu.ruleEvaluation.requestsPerSecond,
    met: cpu.ruleEvaluation.requestsPerSecond >= 5000,
  },
  {
    target: 'API and worker <= 300 MB resident',
    value: Math.max(memory.api.peakMb, memory.worker.peakMb, memory.staffApi.peakMb),
    met: Math.max(memory.api.peakMb, memory.worker.peakMb, memory.staffApi.peakMb) <= 300,
  },
];
say('\ntargets');
for (const { target, value, met } of targets) say(`  ${met ? 'met   ' : 'MISSED'} ${target}: ${value}`);

// Activity attempts that failed and were retried (FerretDB's "database is locked", mostly), from the logs.
const retries = logFiles.map((logFile) => readFileSync(logFile, 'utf8').split('Activity failed').length - 1);
say(`\nactivity attempts retried: ${retries.reduce((a, b) => a + b, 0)} (logs: ${logFiles.join(', ')})`);

Object.assign(results, {
  activityAttemptsRetried: retries.reduce((a, b) => a + b, 0),
  finishedAt: new Date().toISOString(),
  submissions,
  bareBaseline: bare,
  ratioToBaseline: ratio,
  staffQueries: { stateMix: STATE_MIX, byVisitsInDatabase: staffQueries },
  oneCore: cpu,
  memory: { ...memory, atStart: memoryAtStart },
  targets,
});
const file = join(resultsDir, `${stamp}.json`);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
rmSync(dir, { recursive: true, force: true });
say(`\nwritten to ${file}`);
process.exit(0);

// `npm start`: the whole service on one machine. Starts embedded Temporal and the embedded store (PostgreSQL with
// FerretDB on it) unless TEMPORAL_ADDRESS and MONGODB_URI point elsewhere, seeds demo staff into the embedded store,
// runs the demo prisoner-information service unless PRISONER_SERVICE_URL names one, then runs a worker and the API as
// child processes.
// Ctrl-C stops everything: the children share the terminal's process group, so they hear it too, and this process
// waits for each of them to finish.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config';
import { startDemoPrisonerService, type DemoPrisonerService } from '../tools/demoPrisonerService';
import { connectMongo } from './connections';
import { DEMO_PASSWORD, demoStaff, seedDemoStaff } from './demo';
import { startStore, startTemporal, type RunningServer } from './embeddedServers';
import { isSqliteStore, moveSqliteStore } from './moveSqliteStore';
import { nodeArgs } from './roles';

const config = loadConfig();
const servers: RunningServer[] = [];
const roles: ChildProcess[] = [];
/** In this process: it ends with it. */
let demoPrisoners: DemoPrisonerService | undefined;
let stopping: Promise<void> | undefined;

/** Stops the roles, then the servers, then this process; a second signal meanwhile waits for the same stop. */
async function stopAll(code: number): Promise<never> {
  stopping ??= stopEverything();
  await stopping;
  process.exit(code);
}

async function stopEverything(): Promise<void> {
  console.log('\nstopping...');
  await Promise.all(
    roles.map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null) return done();
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          child.once('exit', () => (clearTimeout(timer), done()));
          child.kill('SIGTERM');
        }),
    ),
  );
  await demoPrisoners?.close();
  for (const server of servers.reverse()) await server.stop();
  console.log('stopped.');
}

process.once('SIGINT', () => void stopAll(0));
process.once('SIGTERM', () => void stopAll(0));
// Should this process die another way, take its children with it.
process.once('exit', () => [...roles, ...servers.map((s) => s.process)].forEach((child) => child.kill('SIGKILL')));

const env: NodeJS.ProcessEnv = {
  ...process.env,
  TEMPORAL_ADDRESS: config.temporal.address,
  MONGODB_URI: config.mongo.uri,
};
const seedsDemoStaff = config.mongo.embedded && config.env !== 'production';
const runsDemoPrisoners = !config.prisonerService.baseUrl && config.env !== 'production';
const DEMO_PRISONER_SERVICE_PORT = 3011;
// Texts a visitor asks for are kept in the outbox as sent, unless a provider is named.
if (!process.env.TEXT_PROVIDER && config.env !== 'production') env.TEXT_PROVIDER = 'sink';
// Outside production, with no mail set up, e-mails are written to files, so that sign-in and visit links can be
// followed: the service is usable end to end with no mail server.
const mailFolder = config.env !== 'production' && !process.env.MAIL_PROVIDER ? join(config.dataDir, 'mail') : undefined;
if (mailFolder) Object.assign(env, { MAIL_PROVIDER: 'folder', MAIL_FOLDER: mailFolder });

try {
  if (config.temporal.embedded) {
    mkdirSync(join(config.dataDir, 'temporal'), { recursive: true });
    console.log(`starting Temporal on ${config.temporal.address} (data in ${config.dataDir}/temporal)...`);
    servers.push(
      await startTemporal({
        port: Number(config.temporal.address.split(':')[1]),
        uiPort: config.temporal.uiPort,
        dbFile: join(config.dataDir, 'temporal', 'temporal.db'),
      }),
    );
    if (config.temporal.payloadKeys.length === 0) env.TEMPORAL_PAYLOAD_KEYS = localPayloadKey(config.dataDir);
  }
  if (config.mongo.embedded) {
    const dir = join(config.dataDir, 'postgres');
    console.log(
      `starting PostgreSQL on 127.0.0.1:${config.mongo.postgresPort} and FerretDB on 127.0.0.1:${config.mongo.port} ` +
        `(data in ${dir})...`,
    );
    const store = await startStore({
      port: config.mongo.port,
      postgresPort: config.mongo.postgresPort,
      dir,
      password: postgresPassword(config.dataDir),
    });
    servers.push(store.postgres, store.ferretdb);
    env.FERRETDB_POSTGRESQL_URL = store.postgresqlUrl;
    const before = join(config.dataDir, 'ferretdb');
    if (isSqliteStore(before)) {
      console.log(`found the data of the earlier store (FerretDB on SQLite) in ${before}: moving it to PostgreSQL...`);
      const moved = await moveSqliteStore(before, `mongodb://127.0.0.1:${config.mongo.port}`, console.log);
      console.log(
        `moved ${moved.documents} documents in ${moved.collections} collections; the old files are kept in ` +
          `${moved.setAside} (delete them once you are content).`,
      );
    }
  }
  if (seedsDemoStaff) {
    const { mongo, db } = await connectMongo(config);
    await seedDemoStaff(db, config);
    await mongo.close();
  }
  if (runsDemoPrisoners) {
    const options = { token: config.prisonerService.token };
    // Its own port when free, so that its records can be looked at; else any.
    demoPrisoners = await startDemoPrisonerService({ ...options, port: DEMO_PRISONER_SERVICE_PORT }).catch(() =>
      startDemoPrisonerService({ ...options, port: 0 }),
    );
    env.PRISONER_SERVICE_URL = demoPrisoners.url;
    console.log(
      `started the demo prisoner-information service on ${demoPrisoners.url} (records in tools/demo-prisoners.json; ` +
        'PRISONER_SERVICE_URL unset)',
    );
  }
} catch (error) {
  console.error(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
}

for (const role of ['worker', 'api'] as const) {
  const child = spawn(process.execPath, nodeArgs(role), {
    env,
    stdio: 'inherit',
  });
  child.once('exit', (code) => {
    if (stopping) return;
    console.error(`the ${role} stopped (code ${code}); stopping the rest`);
    void stopAll(1);
  });
  roles.push(child);
}

/** The embedded PostgreSQL's password: made at its first start, kept beside its data, readable by this user only. */
function postgresPassword(dataDir: string): string {
  const file = join(dataDir, 'postgres-password');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(24).toString('hex'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

/**
 * The key that encrypts what the embedded Temporal keeps (TEMPORAL_PAYLOAD_KEYS, when that is unset): made at the
 * first start, kept beside Temporal's data, readable by this user only; losing it loses the visits under way.
 */
function localPayloadKey(dataDir: string): string {
  const file = join(dataDir, 'temporal-payload-keys');
  if (!existsSync(file)) {
    const key = `local-${new Date().toISOString().slice(0, 10)}:${randomBytes(32).toString('base64')}`;
    writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
    console.log(`made a key for Temporal's payloads in ${file} (TEMPORAL_PAYLOAD_KEYS unset): keep it with the data`);
  }
  return readFileSync(file, 'utf8').trim();
}

async function waitForHealth(url: string): Promise<boolean> {
  for (let attempt = 0; attempt < 120; attempt++) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((wait) => setTimeout(wait, 500));
  }
  return false;
}

const base = `http://localhost:${config.port}`;
if (await waitForHealth(`${base}/health`)) {
  const lines = [
    '',
    'Prison Visit Booking is running.',
    `  Visitors:       ${base}/`,
    `  Staff:          ${base}/staff/queue`,
    `  API:            ${base}/api/prisons`,
    `  OpenAPI:        ${base}/openapi.json`,
    `  Health:         ${base}/health`,
    ...(config.temporal.embedded ? [`  Temporal UI:    http://localhost:${config.temporal.uiPort}`] : []),
    ...(mailFolder ? [`  E-mails:        written to ${mailFolder}/ (MAIL_PROVIDER unset)`] : []),
    ...(demoPrisoners ? [`  Prisoners:      ${demoPrisoners.url}/prisoners/A1234BC (demo records)`] : []),
    ...(seedsDemoStaff
      ? [
          '',
          `Demo staff (password ${DEMO_PASSWORD}):`,
          ...demoStaff.map((u) => `  ${u.email.padEnd(26)} ${u.role} ${u.prisons.join(' ')}`),
        ]
      : []),
    '',
    'Press Ctrl-C to stop.',
  ];
  console.log(lines.join('\n'));
} else {
  console.error('the API did not become healthy within a minute');
  await stopAll(1);
}

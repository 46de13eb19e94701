// `npm start`: the whole service on one machine. Starts embedded Temporal and FerretDB unless TEMPORAL_ADDRESS and
// MONGODB_URI point elsewhere, seeds demo staff, then runs a worker and the API as child processes.
// Ctrl-C stops everything: the children share the terminal's process group, so they hear it too, and this process
// waits for each of them to finish.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config';
import { connectMongo } from './connections';
import { DEMO_PASSWORD, demoStaff, seedDemoStaff } from './demo';
import { startFerretDb, startTemporal, type RunningServer } from './embeddedServers';

const config = loadConfig();
const servers: RunningServer[] = [];
const roles: ChildProcess[] = [];
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
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
    for (const server of servers.reverse()) await server.stop();
    console.log('stopped.');
  }
  process.exit(code);
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
  }
  if (config.mongo.embedded) {
    console.log(`starting FerretDB on 127.0.0.1:${config.mongo.port} (data in ${config.dataDir}/ferretdb)...`);
    servers.push(await startFerretDb(config.mongo.port, join(config.dataDir, 'ferretdb')));
  }
  if (config.env !== 'production') {
    const { mongo, db } = await connectMongo(config);
    await seedDemoStaff(db, config.env);
    await mongo.close();
  }
} catch (error) {
  console.error(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
}

for (const role of ['worker', 'api']) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, `${role}.ts`)], {
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
    ...(config.env !== 'production'
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

// Starts one Temporal dev server and one store (PostgreSQL with FerretDB on it) for the whole run, on free ports,
// and bundles the workflows once; test files receive their addresses through `inject`.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { freePort, startStore, startTemporal, tools } from '../scripts/embeddedServers';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    mongoUrl: string;
    /** The PostgreSQL database under FerretDB, for the read model's indexes. */
    postgresqlUrl: string;
    workflowBundlePath: string;
    timeSkippingServerPath: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'pvb-test-'));
  chmodSync(dir, 0o755); // PostgreSQL may run as a user of its own, who must reach its folder in here
  const servers: { stop(): Promise<void> }[] = [];
  const [temporalPort, mongoPort, postgresPort] = [await freePort(), await freePort(), await freePort()];
  const [temporal, store, bundle] = await Promise.all([
    startTemporal({ port: temporalPort }),
    startStore({
      port: mongoPort,
      postgresPort,
      dir: join(dir, 'postgres'),
      password: randomBytes(16).toString('hex'),
      durable: false,
    }),
    bundleWorkflowCode({ workflowsPath: join(import.meta.dirname, '../workflows/index.ts'), logger: quietLogger }),
  ]);
  servers.push(temporal, store);
  const workflowBundlePath = join(dir, 'workflows.js');
  writeFileSync(workflowBundlePath, bundle.code);

  project.provide('temporalAddress', `127.0.0.1:${temporalPort}`);
  project.provide('mongoUrl', `mongodb://127.0.0.1:${mongoPort}`);
  project.provide('postgresqlUrl', store.postgresqlUrl);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('timeSkippingServerPath', tools.temporalTestServer);

  return async () => {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
}

const quiet = () => undefined;
const quietLogger = { trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error, log: quiet };

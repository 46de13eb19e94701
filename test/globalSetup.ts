// Starts one Temporal dev server and one FerretDB for the whole run, on free ports, and bundles the workflows
// once; test files receive their addresses through `inject`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { freePort, startFerretDb, startTemporal, tools, type RunningServer } from '../scripts/embeddedServers';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    mongoUrl: string;
    workflowBundlePath: string;
    timeSkippingServerPath: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'pvb-test-'));
  const servers: RunningServer[] = [];
  const [temporalPort, mongoPort] = [await freePort(), await freePort()];
  const [temporal, ferretdb, bundle] = await Promise.all([
    startTemporal({ port: temporalPort }),
    startFerretDb(mongoPort, join(dir, 'ferretdb')),
    bundleWorkflowCode({ workflowsPath: join(import.meta.dirname, '../workflows/index.ts'), logger: quietLogger }),
  ]);
  servers.push(temporal, ferretdb);
  const workflowBundlePath = join(dir, 'workflows.js');
  writeFileSync(workflowBundlePath, bundle.code);

  project.provide('temporalAddress', `127.0.0.1:${temporalPort}`);
  project.provide('mongoUrl', `mongodb://127.0.0.1:${mongoPort}`);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('timeSkippingServerPath', tools.temporalTestServer);

  return async () => {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
}

const quiet = () => undefined;
const quietLogger = { trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error, log: quiet };

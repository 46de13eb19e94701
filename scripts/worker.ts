// The worker process: runs visit-request workflows and their activities. `npm run worker`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createMailProvider } from '../activities/emails/providers';
import { ensureIndexes } from '../activities/readModel/indexes';
import { createPrisonerService } from '../activities/prisonerService';
import { createTextProvider } from '../activities/texts/providers';
import { createLog } from '../api/log';
import { loadConfig } from '../config';
import { RuleBook } from '../rules/ruleBook';
import { connectMongo, temporalClient, temporalConnectionOptions } from './connections';
import { refuseDemoAccounts } from './demo';
import { dataConverter } from './payloadCodec';
import { ensureSchedules } from './schedules';

const config = loadConfig();
const log = createLog(config.logLevel);
const { mongo, db } = await connectMongo(config);
await refuseDemoAccounts(db, config).catch((error: Error) => {
  log.error(error.message);
  process.exit(1);
});
if (config.temporal.payloadKeys.length === 0)
  log.warn('TEMPORAL_PAYLOAD_KEYS is not set: Temporal sees visits in clear');
await ensureIndexes(db, { postgresqlUrl: config.mongo.postgresqlUrl, say: (line) => log.info(line) });
const connection = await NativeConnection.connect(temporalConnectionOptions(config));
const temporal = temporalClient(config);
await ensureSchedules(temporal, config);
const bundleDir = mkdtempSync(join(tmpdir(), 'pvb-worker-'));
const bundle = join(bundleDir, 'workflows.js');
execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'bundleWorkflows.ts'), bundle], {
  stdio: 'inherit',
});
const worker = await Worker.create({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  workflowBundle: { codePath: bundle },
  dataConverter: dataConverter(config.temporal.payloadKeys),
  maxCachedWorkflows: config.worker.cachedWorkflows,
  activities: createActivities({
    db,
    rules: new RuleBook(config.rulesDir, (level, message, fields) => log[level](message, fields)).watch(),
    prisonerService: createPrisonerService(config.prisonerService),
    temporal,
    taskQueue: config.temporal.taskQueue,
    mail: createMailProvider(config.mail),
    texts: createTextProvider(config.text),
    publicUrl: config.publicUrl,
    retentionDays: config.retentionDays,
  }),
});
rmSync(bundleDir, { recursive: true, force: true }); // the worker holds the code now
// Once: under `npm start` a Ctrl-C reaches the worker from the terminal and again from the parent, and a second
// shutdown of a draining worker throws.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    worker.shutdown();
  });
}
log.info('worker polling', {
  taskQueue: config.temporal.taskQueue,
  mail: config.mail.provider,
  texts: config.text.provider,
});
await worker.run();
await connection.close();
await temporal.connection.close();
await mongo.close();

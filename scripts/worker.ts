// The worker process: runs visit-request workflows and their activities. `npm run worker`.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { ensureIndexes } from '../activities/readModel';
import { createPrisonerService } from '../activities/prisonerService';
import { createLog } from '../api/log';
import { loadConfig } from '../config';
import { RuleBook } from '../rules/ruleBook';
import { connectMongo } from './connections';

const config = loadConfig();
const log = createLog(config.logLevel);
const { mongo, db } = await connectMongo(config);
await ensureIndexes(db);
const connection = await NativeConnection.connect({ address: config.temporal.address });
const worker = await Worker.create({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  workflowsPath: fileURLToPath(new URL('../workflows/index.ts', import.meta.url)),
  activities: createActivities({
    db,
    rules: new RuleBook(config.rulesDir, (level, message, fields) => log[level](message, fields)).watch(),
    prisonerService: createPrisonerService(config.prisonerService),
  }),
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => worker.shutdown());
console.log(`worker polling task queue ${config.temporal.taskQueue} at ${config.temporal.address}`);
await worker.run();
await connection.close();
await mongo.close();

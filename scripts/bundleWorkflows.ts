// Bundles the workflow code (webpack) into the file named by the first argument. The worker runs this as a
// process of its own: bundling costs about 100 MB that a process keeps once it has used it.
import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';

const quiet = () => undefined;
const { code } = await bundleWorkflowCode({
  workflowsPath: new URL('../workflows/index.ts', import.meta.url).pathname,
  logger: { trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error, log: quiet },
});
writeFileSync(process.argv[2], code);

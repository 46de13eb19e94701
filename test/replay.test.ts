// Saved histories of real runs, replayed against today's workflow code: a change that would break visits already
// under way fails here (make such a change with `patched()`). Refresh them with `npm run test:histories`.
import { readdirSync, readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { installRuntime } from './harness';

const dir = 'test/histories';
const files = readdirSync(dir).filter((file) => file.endsWith('.json'));

describe('saved workflow histories', () => {
  it('include every path of the story so far', () => {
    expect(files.sort()).toEqual([
      'booked.json',
      'cancelled-by-visitor.json',
      'rejected.json',
      'submitted-and-booked-on-dev-server.json',
      'withdrawn.json',
    ]);
  });

  it.each(files)('%s replays without a nondeterminism error', async (file) => {
    installRuntime();
    const history = historyFromJSON(JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')));
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history);
  });
});

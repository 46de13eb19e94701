// Saved histories of real runs, replayed against today's workflow code: a change that would break visits already
// under way fails here (make such a change with `patched()`). Refresh them with `npm run test:histories`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { installRuntime } from './harness';

const dir = 'test/histories';
const files = readdirSync(dir).filter((file) => file.endsWith('.json'));
const history = (file: string) => historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8')));

describe('saved workflow histories', () => {
  it('include every path of the story', () => {
    expect(files.sort()).toEqual([
      'auto-rejected.json',
      'booked.json',
      'cancelled-by-staff.json',
      'cancelled-by-visitor.json',
      'expired.json',
      'rejected.json',
      'submitted-and-booked-on-dev-server.json',
      'withdrawn.json',
    ]);
  });

  it.each(files)('%s replays without a nondeterminism error', async (file) => {
    installRuntime();
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history(file));
  });
});

describe('a change to the workflow', () => {
  const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
  const bundle = (fixture: string) =>
    bundleWorkflowCode({ workflowsPath: join(import.meta.dirname, 'fixtures', fixture), logger: quiet });

  it('fails replay when made without patched()', async () => {
    installRuntime();
    const { code } = await bundle('unpatchedChange.ts');
    await expect(Worker.runReplayHistory({ workflowBundle: { code } }, history('booked.json'))).rejects.toThrow(
      /nondeterminism/i,
    );
  });

  it('replays when made behind patched()', async () => {
    installRuntime();
    const { code } = await bundle('patchedChange.ts');
    await Worker.runReplayHistory({ workflowBundle: { code } }, history('booked.json'));
  });
});

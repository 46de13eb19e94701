// Saved histories of real runs, replayed against today's workflow code: a change that would break visits already
// under way fails here (make such a change with `patched()`). Each folder of test/histories/ holds the histories of
// one version of the workflow's code, kept for as long as visits it started may still run; after a change, record the
// new code's beside them (a new HISTORY_SET in test/harness.ts, then `npm run test:histories`).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { HISTORY_SET, installRuntime } from './harness';

const dir = 'test/histories';
const sets = readdirSync(dir).sort();
const files = sets.flatMap((set) =>
  readdirSync(join(dir, set))
    .filter((file) => file.endsWith('.json'))
    .map((file) => join(set, file)),
);
// A copy without git (an unpacked archive) cannot tell whether a history changed, and says so by skipping that test.
// A shallow clone has only its last commit, in which every history looks newly added: it cannot tell either.
const isFullGitClone =
  existsSync('.git') &&
  execFileSync('git', ['rev-parse', '--is-shallow-repository'], { encoding: 'utf8' }).trim() === 'false';
if (!isFullGitClone) {
  console.warn('replay.test.ts: not a full git clone, so it cannot check that no saved history has changed');
}
const history = (file: string) => historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8')));

describe('saved workflow histories', () => {
  it('include every path of the story, for the code of November 2026 and for today’s, and a slot’s places', () => {
    const paths = [
      'auto-rejected.json',
      'booked.json',
      'cancelled-by-staff.json',
      'cancelled-by-visitor.json',
      'expired.json',
      'rejected.json',
      'submitted-and-booked-on-dev-server.json',
      'withdrawn.json',
    ];
    // From December 2026 a slot's places too (workflows/slotCapacity.ts): before and after it wrote them to the read
    // model; a held place (workflows/placeHold.ts); a request booked at once (a prison with `booking: instant`); and a
    // slot's run that began from the one before it and continued as new itself.
    const slotPaths = [
      'slot-capacity.json',
      'slot-capacity-saving-places.json',
      'place-hold-expired.json',
      'booked-instantly.json',
      // A booked visit that staff moved to another time, its reminder and end following the new time.
      'time-changed.json',
      'slot-capacity-continued.json',
      // A booker's sign-in link (workflows/signInLink.ts), e-mailed and its minute held.
      'sign-in-link.json',
      // A visit that used one of the prisoner's visiting orders and gave it back when cancelled, and that prisoner's
      // ledger (workflows/visitingOrders.ts); a request rejected by a change to the prisoner's record; a booked visit
      // flagged for review by one, and "no change needed".
      'visiting-order-given-back.json',
      'visiting-orders-ledger.json',
      'rejected-by-prisoner-change.json',
      'review-no-change-needed.json',
      // A remand prisoner's booked visit that staff moved to another week: refused while that week was full, then moved.
      'remand-visit-moved.json',
    ];
    expect(sets).toEqual(['2026-11', basename(HISTORY_SET)]);
    expect(readdirSync(join(dir, '2026-11')).sort()).toEqual(paths);
    expect(readdirSync(HISTORY_SET).sort()).toEqual([...paths, ...slotPaths].sort());
  });

  // A history changed in place would make replay prove nothing about the visits it was recorded from.
  it.skipIf(!isFullGitClone)(
    'are never changed or removed once committed (git: each was added, and only added)',
    () => {
      const paths = files.map((file) => join(dir, file));
      const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
      const committedChanges = git('log', '--format=%h %s', '--name-status', '--diff-filter=MDRT', '--', ...paths);
      const uncommittedChanges = git('status', '--porcelain', '--', dir)
        .split('\n')
        .filter((line) => /^( ?[MDRT]|[MDRT] ?)/.test(line));
      expect(committedChanges, 'record the new code’s histories in a new HISTORY_SET instead').toBe('');
      expect(uncommittedChanges, 'record the new code’s histories in a new HISTORY_SET instead').toEqual([]);
    },
  );

  it.each(files)('%s replays without a nondeterminism error', async (file) => {
    installRuntime();
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history(file));
  });
});

describe('a change to the workflow', () => {
  const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
  const bundle = (fixture: string) =>
    bundleWorkflowCode({ workflowsPath: join(import.meta.dirname, 'fixtures', fixture), logger: quiet });

  it.each(sets)('fails replay of %s/booked.json when made without patched()', async (set) => {
    installRuntime();
    const { code } = await bundle('unpatchedChange.ts');
    await expect(Worker.runReplayHistory({ workflowBundle: { code } }, history(`${set}/booked.json`))).rejects.toThrow(
      /nondeterminism/i,
    );
  });

  it.each(sets)('replays %s/booked.json when made behind patched()', async (set) => {
    installRuntime();
    const { code } = await bundle('patchedChange.ts');
    await Worker.runReplayHistory({ workflowBundle: { code } }, history(`${set}/booked.json`));
  });
});

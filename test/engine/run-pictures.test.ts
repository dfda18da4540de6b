/**
 * The scheduler decides runs from its in-memory picture of them; a change made elsewhere (another
 * process marking or clearing a task instance) must make it read the run again before deciding.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { casTaskInstanceState } from '../../src/store/index.ts';
import { eachDialect } from '../support/databases.ts';
import { startHarness, type EngineHarness } from '../support/engine-harness.ts';

const files = {
  'gated.ts': `
import { dag, task } from 'baton';
import { existsSync } from 'node:fs';
export default dag({ id: 'gated', schedule: null }, () => {
  const first = task('first', async () => 1);
  const gate = task('gate', async (_: void, ctx) => {
    while (!existsSync(String(ctx.conf.gate))) await new Promise((r) => setTimeout(r, 20));
    return 2;
  });
  const last = task('last', async () => 3);
  last().after(first(), gate());
});`,
};

for (const dialect of eachDialect()) {
  describe(`the scheduler's picture of a run on ${dialect.name}`, () => {
    let h: EngineHarness;
    before(async () => {
      h = await startHarness(dialect, files);
    });
    after(() => h?.stop());

    test('an upstream marked failed by another process while the run is held in memory settles the join as upstream_failed', async () => {
      const gate = `${h.home}/gate-${Math.random()}`;
      const runId = await h.trigger('gated', { conf: { gate } });
      await h.waitFor('first to succeed and gate to run', async () => {
        const tis = await h.tis('gated', runId);
        const s = Object.fromEntries(tis.map((t) => [t.task_id, t.state]));
        return s.first === 'success' && s.gate === 'running';
      });
      // Written straight to the database, as another process would: the scheduler is not told.
      const moved = await casTaskInstanceState(h.db, { dagId: 'gated', runId, taskId: 'first', mapIndex: -1 }, 'success', { state: 'failed' });
      assert.equal(moved, true);
      writeFileSync(gate, 'open');
      assert.equal(await h.waitForRun('gated', runId), 'failed');
      const states = Object.fromEntries((await h.tis('gated', runId)).map((t) => [t.task_id, t.state]));
      assert.deepEqual(states, { first: 'failed', gate: 'success', last: 'upstream_failed' });
    });
  });
}

/**
 * Task behaviour through the real scheduler and LocalExecutor: retries after their delay,
 * execution timeouts (cooperative and hard-killed), pools with priority order, maxActiveTasks,
 * mapping over an upstream output, branching, large XComs in the file store, and logs per try.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { tryLogPath } from '../../src/scheduler/log-path.ts';
import { upsertPool } from '../../src/store/index.ts';
import { eachDialect } from '../support/databases.ts';
import { startHarness, type EngineHarness } from '../support/engine-harness.ts';

const files = {
  'retries.ts': `
import { dag, task } from 'baton';
import { appendFileSync, readFileSync, existsSync } from 'node:fs';
export default dag({ id: 'flaky', schedule: null }, () => {
  task({ taskId: 'flaky', retries: 2, retryDelay: 1 }, async (_: void, ctx) => {
    const f = String(ctx.conf.counter);
    appendFileSync(f, 'x');
    const n = readFileSync(f, 'utf8').length;
    if (n < Number(ctx.conf.succeedOn)) throw new Error('attempt ' + n + ' fails');
    return n;
  })();
});`,
  'timeouts.ts': `
import { dag, task } from 'baton';
export const polite = dag({ id: 'timeout_polite', schedule: null }, () => {
  task({ taskId: 'slow', executionTimeout: 1, retries: 1, retryDelay: 0 }, async (_: void, ctx) => {
    await new Promise((r, j) => { const t = setTimeout(r, 30_000); ctx.signal.addEventListener('abort', () => { clearTimeout(t); j(ctx.signal.reason); }); });
  })();
});
export const hang = dag({ id: 'timeout_hang', schedule: null }, () => {
  task({ taskId: 'spin', executionTimeout: 1 }, async () => { const end = Date.now() + 60_000; while (Date.now() < end) {} })();
});`,
  'pools.ts': `
import { dag, task } from 'baton';
export default dag({ id: 'pooled', schedule: null, maxActiveTasks: 16 }, () => {
  for (const [id, w] of [['low', 1], ['high', 10], ['mid', 5], ['top', 20]] as const) {
    task({ taskId: id, pool: 'single', priorityWeight: w }, async () => { await new Promise((r) => setTimeout(r, 100)); return id; })();
  }
});`,
  'limits.ts': `
import { dag, task } from 'baton';
export default dag({ id: 'limited', schedule: null, maxActiveTasks: 1 }, () => {
  for (const id of ['a', 'b', 'c']) task(id, async () => { await new Promise((r) => setTimeout(r, 100)); return id; })();
});`,
  'mapping.ts': `
import { dag, task } from 'baton';
export default dag({ id: 'mapped', schedule: null }, () => {
  const n = task('numbers', async () => [3, 1, 2]);
  const sq = task('square', async ({ x }: { x: number }) => x * x);
  const total = task('total', async ({ xs }: { xs: number[] }) => xs.reduce((a, b) => a + b, 0));
  const big = task('big', async () => 'y'.repeat(200_000));
  const size = task('size', async (s: string) => s.length);
  total({ xs: sq.expand({ x: n() }) });
  size(big());
});`,
  'branch.ts': `
import { dag, task, EmptyOperator } from 'baton';
export default dag({ id: 'branchy', schedule: null }, () => {
  const pick = task.branch('pick', async (_: void, ctx) => String(ctx.conf.way ?? 'left'));
  const left = new EmptyOperator({ taskId: 'left' });
  const right = new EmptyOperator({ taskId: 'right' });
  const join = new EmptyOperator({ taskId: 'join', triggerRule: 'none_failed_min_one_success' });
  pick().then([left, right]);
  join.after(left, right);
});`,
};

for (const dialect of eachDialect()) {
  describe(`tasks on ${dialect.name}`, () => {
    let h: EngineHarness;
    before(async () => {
      h = await startHarness(dialect, files);
      await upsertPool(h.db, { name: 'single', slots: 1, description: 'one at a time' });
    });
    after(() => h?.stop());

    test('a task failing twice succeeds on its third try, each retry after its delay, with a log per try', async () => {
      const counter = `${h.home}/counter-${Math.random()}`;
      const runId = await h.trigger('flaky', { conf: { counter, succeedOn: 3 } });
      assert.equal(await h.waitForRun('flaky', runId), 'success');
      const [ti] = await h.tis('flaky', runId);
      assert.equal(ti!.try_number, 3);
      const history = await h.db.selectFrom('task_instance_history').select(['try_number', 'state', 'start_date', 'end_date']).where('run_id', '=', runId).orderBy('try_number').execute();
      assert.deepEqual(history.map((x) => [x.try_number, x.state]), [[1, 'up_for_retry'], [2, 'up_for_retry'], [3, 'success']]);
      assert.ok(Date.parse(history[1]!.start_date!) - Date.parse(history[0]!.end_date!) >= 1000, 'the retry waited its 1 s delay');
      for (const n of [1, 2, 3]) {
        const log = readFileSync(tryLogPath(h.config.logsFolder, { dagId: 'flaky', runId, taskId: 'flaky', mapIndex: -1, tryNumber: n }), 'utf8');
        assert.match(log, n < 3 ? /attempt \d fails/ : /SUCCESS/);
      }
    });

    test('with no retries left the task and the run fail', async () => {
      const counter = `${h.home}/counter-${Math.random()}`;
      const runId = await h.trigger('flaky', { conf: { counter, succeedOn: 9 } });
      assert.equal(await h.waitForRun('flaky', runId), 'failed');
      const [ti] = await h.tis('flaky', runId);
      assert.deepEqual([ti!.state, ti!.try_number], ['failed', 3]);
    });

    test('an execution timeout fails the try and is retried when retries remain', async () => {
      const runId = await h.trigger('timeout_polite');
      assert.equal(await h.waitForRun('timeout_polite', runId), 'failed');
      const [ti] = await h.tis('timeout_polite', runId);
      assert.equal(ti!.try_number, 2);
      const log = readFileSync(tryLogPath(h.config.logsFolder, { dagId: 'timeout_polite', runId, taskId: 'slow', mapIndex: -1, tryNumber: 1 }), 'utf8');
      assert.match(log, /execution timeout/i);
    });

    test('a task that ignores its timeout and blocks the event loop is killed and fails', async () => {
      const runId = await h.trigger('timeout_hang');
      assert.equal(await h.waitForRun('timeout_hang', runId, 30_000), 'failed');
      const log = readFileSync(tryLogPath(h.config.logsFolder, { dagId: 'timeout_hang', runId, taskId: 'spin', mapIndex: -1, tryNumber: 1 }), 'utf8');
      assert.match(log, /timeout/i);
    });

    test('a one-slot pool runs its tasks one at a time, highest priority first', async () => {
      const runId = await h.trigger('pooled');
      assert.equal(await h.waitForRun('pooled', runId), 'success');
      const tis = (await h.tis('pooled', runId)).sort((a, b) => a.start_date!.localeCompare(b.start_date!));
      assert.deepEqual(tis.map((t) => t.task_id), ['top', 'high', 'mid', 'low']);
      for (let i = 1; i < tis.length; i++) assert.ok(tis[i]!.start_date! >= tis[i - 1]!.end_date!, 'no two tasks of the pool overlap');
    });

    test('maxActiveTasks limits how many tasks of a DAG run at once', async () => {
      const runId = await h.trigger('limited');
      assert.equal(await h.waitForRun('limited', runId), 'success');
      const tis = (await h.tis('limited', runId)).sort((a, b) => a.start_date!.localeCompare(b.start_date!));
      for (let i = 1; i < tis.length; i++) assert.ok(tis[i]!.start_date! >= tis[i - 1]!.end_date!);
    });

    test('a mapped task expands over an upstream list and the reduce gets results in order; a large XCom goes to the file store', async () => {
      const runId = await h.trigger('mapped');
      assert.equal(await h.waitForRun('mapped', runId), 'success');
      const squares = (await h.tis('mapped', runId)).filter((t) => t.task_id === 'square');
      assert.deepEqual(squares.map((t) => [t.map_index, t.state]), [[0, 'success'], [1, 'success'], [2, 'success']]);
      const rows = await h.db.selectFrom('xcom').select(['task_id', 'value', 'value_ref']).where('run_id', '=', runId).where('key', '=', 'return_value').execute();
      const val = (id: string) => rows.find((r) => r.task_id === id)!;
      assert.equal(val('total').value, '14');
      assert.equal(val('size').value, '200000');
      assert.equal(val('big').value, null);
      assert.ok(val('big').value_ref && existsSync(`${h.config.xcomFolder}/${val('big').value_ref}`));
    });

    test('a branch skips the path not taken and the join still runs', async () => {
      const runId = await h.trigger('branchy', { conf: { way: 'right' } });
      assert.equal(await h.waitForRun('branchy', runId), 'success');
      const states = Object.fromEntries((await h.tis('branchy', runId)).map((t) => [t.task_id, t.state]));
      assert.deepEqual(states, { join: 'success', left: 'skipped', pick: 'success', right: 'success' });
    });
  });
}

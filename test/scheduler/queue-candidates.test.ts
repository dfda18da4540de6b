/**
 * Which scheduled task instances a queueing pass reads and queues: every pool with free slots gets
 * its own best candidates, so a pool with thousands of waiting high-priority TIs neither costs
 * thousands of rows per pass nor keeps another pool's TIs from their free slots; only free slots
 * are filled; TIs naming a pool that does not exist are reported when asked for, and wait.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { queueScheduled, type QueueOptions } from '../../src/scheduler/queue-tasks.ts';
import { SerializedDagCache } from '../../src/scheduler/serialized-dags.ts';
import { nowIso } from '../../src/store/codec.ts';
import { upsertPool } from '../../src/store/repos/pools.ts';
import { eachDialect, type TestDb } from '../support/databases.ts';
import { insertDag, insertRun } from '../support/store-fixtures.ts';

const BUSY = 5000;

for (const dialect of eachDialect()) {
  describe(`queueing candidates on ${dialect.name}`, () => {
    let t: TestDb;
    const options = (extra: Partial<QueueOptions> = {}): QueueOptions => ({ executorSlots: 1024, logsFolder: '/tmp/baton-test-logs', jobId: null, executorName: 'test', lookForUnknownPools: false, ...extra });
    const states = async (runId: string) => {
      const rows = await t.db.selectFrom('task_instance').select(['task_id', 'map_index', 'state']).where('run_id', '=', runId).execute();
      const by: Record<string, string[]> = {};
      for (const r of rows) (by[r.state] ??= []).push(`${r.task_id}[${r.map_index}]`);
      for (const v of Object.values(by)) v.sort();
      return by;
    };
    const addTis = async (runId: string, rows: Array<{ task: string; index: number; pool: string; priority: number; state?: string }>) => {
      for (let i = 0; i < rows.length; i += 500) {
        await t.db.insertInto('task_instance').values(rows.slice(i, i + 500).map((r) => ({
          dag_id: 'qc', run_id: runId, task_id: r.task, map_index: r.index, state: (r.state ?? 'scheduled') as 'scheduled', pool: r.pool, pool_slots: 1, priority_weight: r.priority, queue: 'default', updated_at: nowIso(),
        }))).execute();
      }
    };

    before(async () => {
      t = await dialect.open();
      await insertDag(t.db, 'qc');
      await upsertPool(t.db, { name: 'busy', slots: 2 });
      await upsertPool(t.db, { name: 'quiet', slots: 1 });
    });
    after(() => t?.drop());

    test(`a pool with ${BUSY} waiting high-priority TIs does not keep another pool's TI from its free slot`, async () => {
      await insertRun(t.db, 'qc', 'crowd', '2024-01-01T00:00:00.000Z', { state: 'running' });
      await addTis('crowd', [
        ...Array.from({ length: BUSY }, (_, i) => ({ task: 'b', index: i, pool: 'busy', priority: 10 })),
        { task: 'q', index: -1, pool: 'quiet', priority: 1 },
      ]);
      const outcome = await queueScheduled(t.db, new SerializedDagCache(), options());
      const s = await states('crowd');
      // Ties in priority are taken in any order: two of the busy pool's, and the quiet pool's one.
      assert.deepEqual(s.queued?.map((k) => k.split('[')[0]), ['b', 'b', 'q'], 'both pools filled their free slots in one pass');
      assert.equal(s.scheduled?.length, BUSY - 2);
      assert.equal(outcome.waiting, true, 'more wait behind the full pool');
      const again = await queueScheduled(t.db, new SerializedDagCache(), options());
      assert.equal(again.workloads.length, 0);
      assert.equal((await states('crowd')).queued?.length, 3, 'a full pool queues nothing more');
      await t.db.deleteFrom('task_instance').where('run_id', '=', 'crowd').execute();
    });

    test('only free slots are filled: a pool with one slot in use queues one more', async () => {
      await insertRun(t.db, 'qc', 'free', '2024-01-02T00:00:00.000Z', { state: 'running' });
      await addTis('free', [
        { task: 'running', index: -1, pool: 'busy', priority: 1, state: 'running' },
        ...Array.from({ length: 20 }, (_, i) => ({ task: 'b', index: i, pool: 'busy', priority: 20 - i })),
      ]);
      await queueScheduled(t.db, new SerializedDagCache(), options());
      const s = await states('free');
      assert.deepEqual(s.queued, ['b[0]'], 'the highest priority first, and only one');
      assert.deepEqual(s.running, ['running[-1]']);
      await t.db.deleteFrom('task_instance').where('run_id', '=', 'free').execute();
    });

    test('TIs naming a pool that does not exist are reported when looked for, and stay scheduled', async () => {
      await insertRun(t.db, 'qc', 'nopool', '2024-01-03T00:00:00.000Z', { state: 'running' });
      await addTis('nopool', [{ task: 'lost', index: -1, pool: 'no_such_pool', priority: 5 }]);
      const reported: string[] = [];
      const onUnknownPool = (pool: string, ids: string[]) => reported.push(`${pool}: ${ids.join(',')}`);
      const quiet = await queueScheduled(t.db, new SerializedDagCache(), options({ onUnknownPool }));
      assert.deepEqual(reported, [], 'not looked for: not read');
      assert.equal(quiet.workloads.length, 0);
      const looked = await queueScheduled(t.db, new SerializedDagCache(), options({ onUnknownPool, lookForUnknownPools: true }));
      assert.deepEqual(reported, ['no_such_pool: qc.lost']);
      assert.equal(looked.waiting, true, 'they wait for their pool');
      assert.deepEqual(await states('nopool'), { scheduled: ['lost[-1]'] });
      await upsertPool(t.db, { name: 'no_such_pool', slots: 1 });
      await queueScheduled(t.db, new SerializedDagCache(), options());
      assert.deepEqual(await states('nopool'), { queued: ['lost[-1]'] }, 'queued once the pool exists');
    });
  });
}

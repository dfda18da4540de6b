/**
 * Distributed mode at scale, on real PostgreSQL and Redis: two schedulers and three `baton
 * worker` processes run 10,000 task instances across 50 runs through a pool, each exactly once
 * and never past the pool's slots. (Faults: faults.test.ts.)
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { upsertPool } from '../../src/store/repos/pools.ts';
import { allRunsDone, lines, startDistributed, startScheduler } from './helpers.ts';

describe('distributed mode: exactly once', () => {
  test('2 schedulers and 3 worker processes run 10,000 task instances in 50 runs through a pool: each exactly once, never past the pool', async () => {
    const h = await startDistributed({});
    const marks = join(h.home, 'marks.txt');
    const children: ChildProcess[] = [];
    try {
      await upsertPool(h.db, { name: 'bulk_pool', slots: 8 });
      await h.writeDag('bulk.ts', `
import { dag, task } from 'baton';
import { appendFileSync } from 'node:fs';
export default dag({ id: 'bulk', schedule: null, maxActiveRuns: 50, maxActiveTasks: 1000 }, () => {
  const items = task('items', async (_: void, ctx) => { appendFileSync(${JSON.stringify(marks)}, ctx.runId + ' items -1\\n'); return Array.from({ length: 199 }, (_, i) => i); });
  const work = task({ taskId: 'work', pool: 'bulk_pool' }, async ({ i }: { i: number }, ctx) => { appendFileSync(${JSON.stringify(marks)}, ctx.runId + ' work ' + ctx.ti.mapIndex + '\\n'); return i; });
  work.expand({ i: items() });
});`);
      children.push(startScheduler(h));
      for (let i = 0; i < 3; i++) children.push(await h.workerProcess(['--concurrency', '3']));
      const runIds: string[] = [];
      for (let i = 0; i < 50; i++) runIds.push(await h.trigger('bulk', { runId: `r${String(i).padStart(2, '0')}` }));
      let maxInPool = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const r = await sql<{ n: number }>`select coalesce(sum(pool_slots), 0) as n from task_instance where pool = 'bulk_pool' and state in ('queued', 'running')`.execute(h.db);
          maxInPool = Math.max(maxInPool, Number(r.rows[0]!.n));
          await new Promise((res) => setTimeout(res, 25));
        }
      })();
      try {
        await h.waitFor('50 runs to finish', () => allRunsDone(h, 'bulk', 50), 900_000);
      } finally {
        sampling = false;
        await sampler.catch(() => {});
      }
      const states = await h.db.selectFrom('dag_run').select(['state']).where('dag_id', '=', 'bulk').execute();
      assert.deepEqual([...new Set(states.map((s) => s.state))], ['success']);
      const tis = await h.db.selectFrom('task_instance').select(['state', 'try_number', 'queued_by_job_id']).where('dag_id', '=', 'bulk').execute();
      assert.equal(tis.length, 10_000);
      assert.ok(tis.every((t) => t.state === 'success' && t.try_number === 1));
      const seen = lines(marks);
      assert.equal(seen.length, 10_000, 'every task ran once: no duplicates');
      assert.equal(new Set(seen).size, 10_000, 'none missing');
      assert.ok(maxInPool <= 8, `the pool had ${maxInPool} slots in use; it has 8`);
      assert.ok(maxInPool >= 2, 'the pool was used');
      assert.equal(new Set(tis.map((t) => t.queued_by_job_id)).size, 2, 'both schedulers queued work');
    } finally {
      for (const c of children) c.kill('SIGKILL');
      await h.stop();
    }
  });
});

/**
 * Queueing scheduled task instances within pools and DAG limits: what holds slots, which scheduled
 * TIs are considered and their runs are read together (one statement on PostgreSQL), after the
 * pool rows are locked by a statement of their own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { queueScheduled, type QueueOptions } from '../../src/scheduler/queue-tasks.ts';
import { SerializedDagCache } from '../../src/scheduler/serialized-dags.ts';
import { openDatabase, type BatonDb } from '../../src/store/database.ts';
import { upsertPool } from '../../src/store/repos/pools.ts';
import type { Schema } from '../../src/store/index.ts';
import { dialectNamed, eachDialect, type TestDb } from '../support/databases.ts';
import { insertDag, insertRun, insertTi } from '../support/store-fixtures.ts';

const options = (o: Partial<QueueOptions> = {}): QueueOptions => ({ executorSlots: 8, logsFolder: '/tmp/baton-queue-test-logs', jobId: null, executorName: 'test', ...o });

async function statesOf(db: Kysely<Schema>, runId: string): Promise<Record<string, string>> {
  const rows = await db.selectFrom('task_instance').select(['task_id', 'state']).where('run_id', '=', runId).orderBy('task_id').execute();
  return Object.fromEntries(rows.map((r) => [r.task_id, r.state]));
}

for (const dialect of eachDialect()) {
  describe(`queueing scheduled task instances on ${dialect.name}`, () => {
    let t: TestDb;
    before(async () => {
      t = await dialect.open();
      await insertDag(t.db, 'd');
      await upsertPool(t.db, { name: 'small', slots: 1, description: '' });
    });
    after(() => t?.drop());

    test("a full pool's scheduled TIs are not read as candidates: a lower-priority TI in another pool is queued, and the pool's TIs keep waiting", async () => {
      await insertRun(t.db, 'd', 'r1', '2024-01-01T00:00:00.000Z', { state: 'running' });
      const run = { dagId: 'd', runId: 'r1' };
      await insertTi(t.db, run, 'busy', 'running', { pool: 'small', try_number: 1 });
      for (const id of ['s1', 's2', 's3']) await insertTi(t.db, run, id, 'scheduled', { pool: 'small', priority_weight: 100 });
      await insertTi(t.db, run, 'low', 'scheduled', { priority_weight: 1 });
      // Two candidates at most: were the full pool's TIs read, they would be the only ones.
      const out = await queueScheduled(t.db, new SerializedDagCache(), options({ maxCandidates: 2 }));
      assert.deepEqual(await statesOf(t.db, 'r1'), { busy: 'running', low: 'queued', s1: 'scheduled', s2: 'scheduled', s3: 'scheduled' });
      assert.equal(out.waiting, true);
      await t.db.updateTable('task_instance').set({ state: 'success' }).where('run_id', '=', 'r1').execute();
    });

    test("a DAG's running and queued TIs count against its max_active_tasks; a run that is not running queues nothing", async () => {
      await t.db.updateTable('dag').set({ max_active_tasks: 2 }).where('dag_id', '=', 'd').execute();
      await insertRun(t.db, 'd', 'r2', '2024-01-02T00:00:00.000Z', { state: 'running' });
      await insertRun(t.db, 'd', 'r3', '2024-01-03T00:00:00.000Z', { state: 'queued' });
      await insertTi(t.db, { dagId: 'd', runId: 'r2' }, 'a', 'running', { try_number: 1 });
      for (const id of ['b', 'c', 'e']) await insertTi(t.db, { dagId: 'd', runId: 'r2' }, id, 'scheduled', { priority_weight: id === 'c' ? 5 : 1 });
      await insertTi(t.db, { dagId: 'd', runId: 'r3' }, 'x', 'scheduled', { priority_weight: 50 });
      const out = await queueScheduled(t.db, new SerializedDagCache(), options());
      assert.deepEqual(await statesOf(t.db, 'r2'), { a: 'running', b: 'scheduled', c: 'queued', e: 'scheduled' });
      assert.deepEqual(await statesOf(t.db, 'r3'), { x: 'scheduled' });
      assert.equal(out.waiting, true);
      const none = await queueScheduled(t.db, new SerializedDagCache(), options());
      assert.deepEqual(await statesOf(t.db, 'r2'), { a: 'running', b: 'scheduled', c: 'queued', e: 'scheduled' }, 'the DAG is at its limit');
      assert.equal(none.waiting, true);
      await t.db.updateTable('dag').set({ max_active_tasks: 16 }).where('dag_id', '=', 'd').execute();
      await t.db.updateTable('task_instance').set({ state: 'success' }).where('run_id', '=', 'r2').execute();
    });

    test('ready TIs are moved to scheduled and queued in the same step, highest priority first; one that moved on meanwhile is reported, not moved', async () => {
      await insertRun(t.db, 'd', 'r4', '2024-01-04T00:00:00.000Z', { state: 'running' });
      const run = { dagId: 'd', runId: 'r4' };
      const fresh = await insertTi(t.db, run, 'fresh', 'none', { priority_weight: 9 });
      const retry = await insertTi(t.db, run, 'retry', 'up_for_retry', { priority_weight: 8, try_number: 1, max_tries: 1, next_try_at: '2024-01-04T00:00:00.000Z' });
      const marked = await insertTi(t.db, run, 'marked', 'success', { priority_weight: 7 });
      const waiting = await insertTi(t.db, run, 'waiting', 'none', { priority_weight: 1 });
      const out = await queueScheduled(t.db, new SerializedDagCache(), options({ executorSlots: 2, ready: [fresh, retry, marked, waiting] }));
      assert.deepEqual(out.readyMoved.map((k) => k.taskId).sort(), ['fresh', 'retry', 'waiting']);
      assert.deepEqual(await statesOf(t.db, 'r4'), { fresh: 'queued', marked: 'success', retry: 'queued', waiting: 'scheduled' });
      const retried = await t.db.selectFrom('task_instance').select(['try_number', 'next_try_at']).where('run_id', '=', 'r4').where('task_id', '=', 'retry').executeTakeFirstOrThrow();
      assert.deepEqual(retried, { try_number: 2, next_try_at: null });
      assert.equal(out.waiting, true);
      // With no executor slot open, ready TIs are still moved to scheduled.
      const later = await insertTi(t.db, run, 'later', 'none');
      const none = await queueScheduled(t.db, new SerializedDagCache(), options({ executorSlots: 0, ready: [later] }));
      assert.deepEqual(none.readyMoved.map((k) => k.taskId), ['later']);
      assert.equal((await statesOf(t.db, 'r4')).later, 'scheduled');
      await t.db.updateTable('task_instance').set({ state: 'success' }).where('run_id', '=', 'r4').execute();
    });
  });
}

describe('two schedulers queueing into one pool on PostgreSQL', () => {
  let t: TestDb;
  let other: BatonDb;
  before(async () => {
    t = await dialectNamed('postgres').open();
    other = await openDatabase({ url: t.url });
    await insertDag(t.db, 'd');
    await upsertPool(t.db, { name: 'p', slots: 3, description: '' });
    await insertRun(t.db, 'd', 'r1', '2024-01-01T00:00:00.000Z', { state: 'running' });
  });
  after(async () => {
    await other?.close();
    await t?.drop();
  });

  test('the one that waited for the pool lock counts the slots the other took meanwhile: the pool is never overfilled', async () => {
    const run = { dagId: 'd', runId: 'r1' };
    for (const id of ['x1', 'x2', 'x3']) await insertTi(t.db, run, id, 'scheduled', { pool: 'p' });
    // Scheduler A queues x1..x3 and holds its transaction (and the pool lock) open.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let queued!: () => void;
    const hasQueued = new Promise<void>((r) => (queued = r));
    const a = t.db.transaction().execute(async (trx) => {
      await queueScheduled(trx, new SerializedDagCache(), options());
      queued();
      await released;
    });
    await Promise.race([hasQueued, a]);
    // More TIs of the pool become scheduled (committed), ahead of x1..x3 in priority; scheduler B
    // starts and waits for the lock. Had B read the pool's occupancy as it was before the wait, it
    // would queue them too.
    for (const id of ['y1', 'y2', 'y3']) await insertTi(t.db, run, id, 'scheduled', { pool: 'p', priority_weight: 10 });
    const b = queueScheduled(other.db, new SerializedDagCache(), options());
    for (let i = 0; ; i++) {
      const { rows } = await sql<{ n: number }>`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(t.db);
      if (Number(rows[0]!.n) > 0) break;
      assert.ok(i < 500, 'scheduler B never waited for the pool lock');
      await new Promise((r) => setTimeout(r, 10));
    }
    release();
    await a;
    const outB = await b;
    assert.deepEqual(await statesOf(t.db, 'r1'), { x1: 'queued', x2: 'queued', x3: 'queued', y1: 'scheduled', y2: 'scheduled', y3: 'scheduled' });
    assert.equal(outB.waiting, true, 'the full pool still has TIs waiting');
  });
});

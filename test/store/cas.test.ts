import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { casDagRunState, casTaskInstanceState, casTaskInstanceStates } from '../../src/store/cas.ts';
import { openDatabase } from '../../src/store/database.ts';
import type { BatonDb } from '../../src/store/database.ts';
import { eachDialect } from '../support/databases.ts';
import type { TestDb } from '../support/databases.ts';
import { insertDag, insertRun, insertTi } from '../support/store-fixtures.ts';

/** Resolves once `count` callers have arrived, so racers start their UPDATEs together. */
function barrier(count: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return () => {
    if (++arrived === count) release();
    return gate;
  };
}

for (const dialect of eachDialect()) {
  describe(`compare-and-set on ${dialect.name}`, () => {
    let t: TestDb;
    const run = { dagId: 'cas', runId: 'r1' };
    before(async () => {
      t = await dialect.open();
      await insertDag(t.db, 'cas');
      await insertRun(t.db, 'cas', 'r1', '2024-01-01T00:00:00.000Z');
    });
    after(async () => {
      await t?.drop();
    });

    const tiRow = (taskId: string) =>
      t.db.selectFrom('task_instance').selectAll().where('dag_id', '=', run.dagId).where('run_id', '=', run.runId).where('task_id', '=', taskId).executeTakeFirstOrThrow();

    test('moves a task instance from an expected state and sets the patch', async () => {
      const key = await insertTi(t.db, run, 'move', 'scheduled');
      const before = await tiRow('move');
      assert.equal(await casTaskInstanceState(t.db, key, ['none', 'scheduled'], { state: 'queued', queued_at: '2024-01-01T00:00:01.000Z' }), true);
      const row = await tiRow('move');
      assert.equal(row.state, 'queued');
      assert.equal(row.queued_at, '2024-01-01T00:00:01.000Z');
      assert.ok(row.updated_at >= before.updated_at);
    });

    test('a wrong expected state changes nothing', async () => {
      const key = await insertTi(t.db, run, 'wrong', 'running', { hostname: 'h1' });
      const before = await tiRow('wrong');
      assert.equal(await casTaskInstanceState(t.db, key, ['scheduled', 'queued'], { state: 'failed', hostname: 'h2' }), false);
      assert.deepEqual(await tiRow('wrong'), before);
    });

    test('a missing task instance is reported as not moved', async () => {
      assert.equal(await casTaskInstanceState(t.db, { ...run, taskId: 'ghost', mapIndex: -1 }, 'none', { state: 'scheduled' }), false);
    });

    test('only the addressed map index moves', async () => {
      const k0 = await insertTi(t.db, run, 'mapped', 'none', { map_index: 0 });
      const k1 = await insertTi(t.db, run, 'mapped', 'none', { map_index: 1 });
      assert.equal(await casTaskInstanceState(t.db, k1, 'none', { state: 'scheduled' }), true);
      const rows = await t.db.selectFrom('task_instance').select(['map_index', 'state']).where('task_id', '=', 'mapped').orderBy('map_index').execute();
      assert.deepEqual(rows, [{ map_index: k0.mapIndex, state: 'none' }, { map_index: 1, state: 'scheduled' }]);
    });

    test('bulk form returns exactly the keys that moved', async () => {
      const keys = [];
      for (let i = 0; i < 5; i++) keys.push(await insertTi(t.db, run, `bulk${i}`, i === 2 ? 'running' : 'scheduled'));
      const moved = await casTaskInstanceStates(t.db, [...keys, { ...run, taskId: 'nope', mapIndex: -1 }], 'scheduled', { state: 'queued' });
      assert.deepEqual(moved.map((k) => k.taskId).sort(), ['bulk0', 'bulk1', 'bulk3', 'bulk4']);
      assert.equal((await tiRow('bulk2')).state, 'running');
      assert.deepEqual(await casTaskInstanceStates(t.db, keys, 'scheduled', { state: 'queued' }), []);
    });

    test('refuses unknown states and an empty expected list', async () => {
      const key = await insertTi(t.db, run, 'bad', 'none');
      await assert.rejects(casTaskInstanceState(t.db, key, [], { state: 'scheduled' }), /at least one expected state/);
      await assert.rejects(casTaskInstanceState(t.db, key, 'none', { state: 'bogus' as never }), /not a task instance state/);
      await assert.rejects(casTaskInstanceState(t.db, key, 'nul' as never, { state: 'scheduled' }), /not a task instance state/);
    });

    test('DAG run CAS moves once and respects the expected state', async () => {
      const key = { dagId: 'cas', runId: 'r1' };
      assert.equal(await casDagRunState(t.db, key, 'running', { state: 'success' }), false);
      assert.equal(await casDagRunState(t.db, key, 'queued', { state: 'running', start_date: '2024-01-01T00:00:02.000Z' }), true);
      assert.equal(await casDagRunState(t.db, key, 'queued', { state: 'running' }), false);
      const row = await t.db.selectFrom('dag_run').selectAll().where('run_id', '=', 'r1').where('dag_id', '=', 'cas').executeTakeFirstOrThrow();
      assert.equal(row.state, 'running');
      assert.equal(row.start_date, '2024-01-01T00:00:02.000Z');
    });

    test('a CAS inside a rolled-back transaction leaves no trace', async () => {
      const key = await insertTi(t.db, run, 'rollback', 'scheduled');
      await assert.rejects(
        t.db.transaction().execute(async (trx) => {
          assert.equal(await casTaskInstanceState(trx, key, 'scheduled', { state: 'queued' }), true);
          throw new Error('abort');
        }),
        /abort/,
      );
      assert.equal((await tiRow('rollback')).state, 'scheduled');
    });

    test('20 concurrent transactions race on one task instance: exactly one wins', async () => {
      const key = await insertTi(t.db, run, 'race', 'scheduled');
      // PostgreSQL: 20 connections, each inside its own transaction, read the row, wait for the
      // others, then all UPDATE at once. SQLite has one connection per handle, so its
      // transactions queue; each still reads and decides on its own.
      let racers: BatonDb = t;
      if (dialect.name === 'postgres') racers = await openDatabase({ url: t.url, poolSize: 20 });
      const arrive = dialect.name === 'postgres' ? barrier(20) : async () => {};
      try {
        const results = await Promise.all(
          Array.from({ length: 20 }, () =>
            racers.db.transaction().execute(async (trx) => {
              const seen = await trx.selectFrom('task_instance').select('state').where('task_id', '=', 'race').executeTakeFirstOrThrow();
              await arrive();
              if (dialect.name === 'postgres') assert.equal(seen.state, 'scheduled', 'every racer saw the row before anyone moved it');
              return casTaskInstanceState(trx, key, 'scheduled', { state: 'queued', try_number: sql<number>`try_number + 1` });
            }),
          ),
        );
        assert.equal(results.filter(Boolean).length, 1);
        const row = await tiRow('race');
        assert.equal(row.state, 'queued');
        assert.equal(row.try_number, 1, 'the patch applied exactly once');
      } finally {
        if (racers !== t) await racers.close();
      }
    });
  });
}

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { migrateToLatest, resetDatabase, MIGRATIONS } from '../../src/store/migrate.ts';
import { eachDialect } from '../support/databases.ts';
import type { TestDb } from '../support/databases.ts';
import { insertDag, insertRun, insertTi } from '../support/store-fixtures.ts';

for (const dialect of eachDialect()) {
  describe(`store schema on ${dialect.name}`, () => {
    let t: TestDb;
    before(async () => {
      t = await dialect.open();
    });
    after(async () => {
      await t?.drop();
    });

    test('migrating again is a no-op', async () => {
      assert.deepEqual(await migrateToLatest(t.db), []);
      assert.deepEqual(await migrateToLatest(t.db), []);
      const applied = await t.db.selectFrom('kysely_migration' as any).select('name').orderBy('name').execute();
      assert.deepEqual(applied.map((r: any) => r.name), Object.keys(MIGRATIONS));
    });

    test('default_pool exists with 128 slots', async () => {
      const pool = await t.db.selectFrom('slot_pool').selectAll().where('pool', '=', 'default_pool').executeTakeFirstOrThrow();
      assert.equal(pool.slots, 128);
      assert.equal(pool.include_deferred, 0);
    });

    test('run_id is unique per DAG, and so is the logical date', async () => {
      await insertDag(t.db, 'uniq');
      await insertDag(t.db, 'uniq_other');
      await insertRun(t.db, 'uniq', 'r1', '2024-01-01T00:00:00.000Z');
      await assert.rejects(insertRun(t.db, 'uniq', 'r1', '2024-01-02T00:00:00.000Z'), /unique|duplicate/i);
      await assert.rejects(insertRun(t.db, 'uniq', 'r2', '2024-01-01T00:00:00.000Z'), /unique|duplicate/i);
      // The same run_id and date under another DAG are fine.
      await insertRun(t.db, 'uniq_other', 'r1', '2024-01-01T00:00:00.000Z');
    });

    test('foreign keys are enforced', async () => {
      await assert.rejects(insertRun(t.db, 'no_such_dag', 'r1', '2024-01-01T00:00:00.000Z'), /foreign key/i);
      await insertDag(t.db, 'fk');
      await assert.rejects(insertTi(t.db, { dagId: 'fk', runId: 'missing' }, 'a'), /foreign key/i);
    });

    test('deleting a DAG removes its runs, task instances and what hangs off them', async () => {
      await insertDag(t.db, 'doomed');
      await insertDag(t.db, 'kept');
      const runId = await insertRun(t.db, 'doomed', 'r1', '2024-01-01T00:00:00.000Z');
      await insertRun(t.db, 'kept', 'r1', '2024-01-01T00:00:00.000Z');
      await insertTi(t.db, { dagId: 'doomed', runId: 'r1' }, 'a', 'success');
      await insertTi(t.db, { dagId: 'kept', runId: 'r1' }, 'a', 'success');
      await t.db.insertInto('xcom').values({ dag_id: 'doomed', run_id: 'r1', task_id: 'a', map_index: -1, key: 'return_value', value: '1', value_ref: null, size_bytes: 1, timestamp: '2024-01-01T00:00:00.000Z' }).execute();
      await t.db.insertInto('task_map').values({ dag_id: 'doomed', run_id: 'r1', task_id: 'a', map_index: -1, length: 3, keys: null }).execute();
      await t.db.insertInto('serialized_dag').values({ dag_id: 'doomed', data: '{}', dag_hash: 'h', fileloc: '/dags/doomed.ts', last_updated: '2024-01-01T00:00:00.000Z' }).execute();
      const ds = await t.db.insertInto('dataset').values({ uri: 's3://b/k', created_at: '2024-01-01T00:00:00.000Z', updated_at: '2024-01-01T00:00:00.000Z' }).returning('id').executeTakeFirstOrThrow();
      const ev = await t.db.insertInto('dataset_event').values({ dataset_id: ds.id, timestamp: '2024-01-01T00:00:00.000Z' }).returning('id').executeTakeFirstOrThrow();
      await t.db.insertInto('dagrun_dataset_event').values({ dag_run_id: runId, event_id: ev.id }).execute();
      await t.db.insertInto('dag_schedule_dataset_reference').values({ dag_id: 'doomed', dataset_id: ds.id }).execute();

      await t.db.deleteFrom('dag').where('dag_id', '=', 'doomed').execute();

      const count = async (table: 'dag_run' | 'task_instance' | 'xcom' | 'task_map' | 'serialized_dag' | 'dagrun_dataset_event' | 'dag_schedule_dataset_reference', dagColumn: 'dag_id' | null = 'dag_id') => {
        let q = t.db.selectFrom(table).select(t.db.fn.countAll<number>().as('n'));
        if (dagColumn) q = q.where(sql.ref(dagColumn), '=', 'doomed');
        return (await q.executeTakeFirstOrThrow()).n;
      };
      for (const table of ['dag_run', 'task_instance', 'xcom', 'task_map', 'serialized_dag', 'dag_schedule_dataset_reference'] as const) {
        assert.equal(await count(table), 0, `${table} rows of the deleted DAG remain`);
      }
      assert.equal(await count('dagrun_dataset_event', null), 0);
      assert.equal((await t.db.selectFrom('task_instance').selectAll().where('dag_id', '=', 'kept').execute()).length, 1);
      assert.equal((await t.db.selectFrom('dataset').selectAll().execute()).length, 1, 'datasets outlive the DAGs that use them');
    });

    test('timestamps, JSON, flags and integers round-trip unchanged', async () => {
      await insertDag(t.db, 'types');
      const ts = '2024-02-29T23:59:59.123Z';
      await insertRun(t.db, 'types', 'r1', ts, { conf: JSON.stringify({ a: [1, 'x', null], b: { c: true } }), external_trigger: 1, data_interval_start: ts, data_interval_end: ts });
      await insertTi(t.db, { dagId: 'types', runId: 'r1' }, 'a', 'running', { duration: 1.25, pid: 4242, start_date: ts });
      const run = await t.db.selectFrom('dag_run').selectAll().where('dag_id', '=', 'types').executeTakeFirstOrThrow();
      assert.equal(run.logical_date, ts);
      assert.equal(typeof run.logical_date, 'string');
      assert.equal(run.external_trigger, 1);
      assert.deepEqual(JSON.parse(run.conf), { a: [1, 'x', null], b: { c: true } });
      assert.equal(typeof run.id, 'number');
      const ti = await t.db.selectFrom('task_instance').selectAll().where('dag_id', '=', 'types').executeTakeFirstOrThrow();
      assert.equal(ti.start_date, ts);
      assert.equal(ti.duration, 1.25);
      assert.equal(ti.pid, 4242);
      assert.equal(ti.map_index, -1);
      assert.equal(ti.try_number, 0);
      const { n } = await t.db.selectFrom('task_instance').select(t.db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(typeof n, 'number', 'COUNT(*) comes back as a number on both dialects');
    });

    test('timestamps sort chronologically as text', async () => {
      await insertDag(t.db, 'sorted');
      const dates = ['2024-01-10T00:00:00.000Z', '2023-12-31T23:59:59.999Z', '2024-01-09T12:00:00.500Z'];
      for (const [i, d] of dates.entries()) await insertRun(t.db, 'sorted', `r${i}`, d);
      const rows = await t.db.selectFrom('dag_run').select('logical_date').where('dag_id', '=', 'sorted').where('logical_date', '>', '2024-01-01T00:00:00.000Z').orderBy('logical_date').execute();
      assert.deepEqual(rows.map((r) => r.logical_date), ['2024-01-09T12:00:00.500Z', '2024-01-10T00:00:00.000Z']);
    });

    test('reset drops all data and leaves a migrated schema', async () => {
      await insertDag(t.db, 'before_reset');
      await t.db.updateTable('slot_pool').set({ slots: 5 }).where('pool', '=', 'default_pool').execute();
      await resetDatabase(t.db);
      assert.equal((await t.db.selectFrom('dag').selectAll().execute()).length, 0);
      const pool = await t.db.selectFrom('slot_pool').selectAll().executeTakeFirstOrThrow();
      assert.equal(pool.slots, 128);
      assert.deepEqual(await migrateToLatest(t.db), []);
      await insertDag(t.db, 'after_reset');
      await insertRun(t.db, 'after_reset', 'r1', '2024-01-01T00:00:00.000Z');
      await assert.rejects(insertRun(t.db, 'nope', 'r1', '2024-01-01T00:00:00.000Z'), /foreign key/i, 'foreign keys are back on after a reset');
    });
  });
}

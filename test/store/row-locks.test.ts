/**
 * Row locks on PostgreSQL: a row Baton locks (a DAG while queued runs start, a run while a
 * scheduler decides it) stays exclusive to its holder, yet a transaction that inserts rows
 * referring to it (a run of the DAG; a history row or an XCom of the run) does not wait for the
 * holder to commit. With two schedulers, one recording results while the other decides the same
 * run, that wait used to serialize them. SQLite lets one writer in at a time, so it has no row
 * locks to test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { loadRunHeads } from '../../src/scheduler/run-heads.ts';
import { openDatabase, type BatonDb } from '../../src/store/database.ts';
import { nowIso, toJson } from '../../src/store/codec.ts';
import { forUpdate } from '../../src/store/dialect.ts';
import { bumpRunVersions, bumpRunVersionsSkipLocked } from '../../src/store/cas.ts';
import type { Schema } from '../../src/store/index.ts';
import { dialectNamed, type TestDb } from '../support/databases.ts';
import { insertDag, insertRun } from '../support/store-fixtures.ts';

const postgres = dialectNamed('postgres');

/** Runs `fn` in a transaction that gives up on any lock after 2 s instead of waiting. */
function impatient<T>(db: Kysely<Schema>, fn: (trx: Kysely<Schema>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`set local lock_timeout = '2s'`.execute(trx);
    return fn(trx);
  });
}

/** Holds a transaction open (after `lock` ran in it) until `release` is called. */
async function holding(db: Kysely<Schema>, lock: (trx: Kysely<Schema>) => Promise<unknown>) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const done = db.transaction().execute(async (trx) => {
    await lock(trx);
    locked();
    await released;
  });
  await Promise.race([isLocked, done]);
  return { release: async () => { release(); await done; } };
}

describe('PostgreSQL row locks', () => {
  let t: TestDb;
  let other: BatonDb;
  before(async () => {
    t = await postgres.open();
    other = await openDatabase({ url: t.url });
    await insertDag(t.db, 'd');
    await insertRun(t.db, 'd', 'r1', '2024-01-01T00:00:00.000Z', { state: 'running' });
  });
  after(async () => {
    await other?.close();
    await t?.drop();
  });

  test('a locked DAG row is exclusive to its holder, and a run of that DAG can still be inserted meanwhile', async () => {
    const hold = await holding(t.db, (trx) => forUpdate(trx, trx.selectFrom('dag').select('dag_id').where('dag_id', '=', 'd')).execute());
    try {
      const skipped = await impatient(other.db, (trx) => forUpdate(trx, trx.selectFrom('dag').select('dag_id').where('dag_id', '=', 'd'), { skipLocked: true }).execute());
      assert.deepEqual(skipped, [], 'another locker skips the locked row');
      await impatient(other.db, (trx) => insertRun(trx, 'd', 'r2', '2024-01-02T00:00:00.000Z'));
    } finally {
      await hold.release();
    }
    assert.equal((await t.db.selectFrom('dag_run').select('run_id').where('run_id', '=', 'r2').execute()).length, 1);
  });

  test("a run a scheduler is deciding is left out by another scheduler, and the run's results can still be recorded meanwhile", async () => {
    const key = 'd\u0000r1';
    const hold = await holding(t.db, async (trx) => assert.equal((await loadRunHeads(trx, [key], true)).size, 1));
    try {
      const heads = await impatient(other.db, (trx) => loadRunHeads(trx, [key], true));
      assert.equal(heads.size, 0, 'the other scheduler skips the locked run');
      await impatient(other.db, async (trx) => {
        await trx.insertInto('task_instance_history').values({ dag_id: 'd', run_id: 'r1', task_id: 't', map_index: -1, try_number: 1, state: 'success' }).execute();
        await trx.insertInto('xcom').values({ dag_id: 'd', run_id: 'r1', task_id: 't', map_index: -1, key: 'return_value', value: toJson(1), value_ref: null, size_bytes: 1, list_length: null, timestamp: nowIso() }).execute();
      });
    } finally {
      await hold.release();
    }
    assert.equal((await t.db.selectFrom('task_instance_history').select('task_id').where('run_id', '=', 'r1').execute()).length, 1);
  });

  test('locking runs bumps the TI version of those asked, in the same statement; a run locked elsewhere is neither read nor bumped', async () => {
    await insertRun(t.db, 'd', 'r3', '2024-01-03T00:00:00.000Z', { state: 'running' });
    await insertRun(t.db, 'd', 'r4', '2024-01-04T00:00:00.000Z', { state: 'running' });
    const version = async (runId: string) => (await t.db.selectFrom('dag_run').select('ti_version').where('run_id', '=', runId).executeTakeFirstOrThrow()).ti_version;
    const [v1, v3, v4] = [await version('r1'), await version('r3'), await version('r4')];
    const hold = await holding(other.db, (trx) => loadRunHeads(trx, ['d\u0000r4'], true));
    try {
      const heads = await impatient(t.db, (trx) => loadRunHeads(trx, ['d\u0000r1', 'd\u0000r3', 'd\u0000r4'], true, new Set(['d\u0000r3', 'd\u0000r4'])));
      assert.deepEqual([...heads.keys()].sort(), ['d\u0000r1', 'd\u0000r3']);
      assert.deepEqual([heads.get('d\u0000r1')!.ti_version, heads.get('d\u0000r1')!.bumpedVersion], [v1, null]);
      assert.deepEqual([heads.get('d\u0000r3')!.ti_version, heads.get('d\u0000r3')!.bumpedVersion], [v3, v3 + 1]);
    } finally {
      await hold.release();
    }
    assert.deepEqual([await version('r1'), await version('r3'), await version('r4')], [v1, v3 + 1, v4]);
  });

  test('two schedulers that each hold a run and bump the other one do not wait for each other: each bumps only what it can lock', async () => {
    await insertRun(t.db, 'd', 'r5', '2024-01-05T00:00:00.000Z', { state: 'running' });
    await insertRun(t.db, 'd', 'r6', '2024-01-06T00:00:00.000Z', { state: 'running' });
    await insertRun(t.db, 'd', 'r7', '2024-01-07T00:00:00.000Z', { state: 'running' });
    const version = async (runId: string) => (await t.db.selectFrom('dag_run').select('ti_version').where('run_id', '=', runId).executeTakeFirstOrThrow()).ti_version;
    const [v5, v6, v7] = [await version('r5'), await version('r6'), await version('r7')];
    const r5 = { dagId: 'd', runId: 'r5' };
    const r6 = { dagId: 'd', runId: 'r6' };
    const r7 = { dagId: 'd', runId: 'r7' };
    // Scheduler A holds r5, scheduler B holds r6; each recorded results for the other's run.
    let bumpedByA!: Map<string, number>;
    let bumpedByB!: Map<string, number>;
    const holdA = await holding(t.db, (trx) => loadRunHeads(trx, ['d\u0000r5'], true));
    try {
      const holdB = await holding(other.db, (trx) => loadRunHeads(trx, ['d\u0000r6'], true));
      try {
        // lock_timeout fails a statement that waits: neither may wait for the other.
        bumpedByA = await impatient(t.db, (trx) => bumpRunVersionsSkipLocked(trx, [r6, r7]));
        bumpedByB = await impatient(other.db, (trx) => bumpRunVersionsSkipLocked(trx, [r5, r7, r7]));
      } finally {
        await holdB.release();
      }
    } finally {
      await holdA.release();
    }
    assert.deepEqual([...bumpedByA], [['d\u0000r7', v7 + 1]], 'A bumps the free run r7 and skips r6, which B holds');
    assert.deepEqual([...bumpedByB], [['d\u0000r7', v7 + 2]], 'B skips r5, which A holds, and bumps r7 once');
    assert.deepEqual([await version('r5'), await version('r6'), await version('r7')], [v5, v6, v7 + 2]);
    // Once free, the owed runs are bumped.
    const later = await impatient(t.db, (trx) => bumpRunVersionsSkipLocked(trx, [r5, r6]));
    assert.deepEqual([...later].sort(), [['d\u0000r5', v5 + 1], ['d\u0000r6', v6 + 1]]);
  });

  test('the plain bump of a run another transaction holds waits for it (which is why the scheduler does not use it there)', async () => {
    await insertRun(t.db, 'd', 'r8', '2024-01-08T00:00:00.000Z', { state: 'running' });
    const hold = await holding(other.db, (trx) => loadRunHeads(trx, ['d\u0000r8'], true));
    try {
      await assert.rejects(
        db2Impatient(t.db, (trx) => bumpRunVersions(trx, [{ dagId: 'd', runId: 'r8' }])),
        /lock timeout/,
      );
    } finally {
      await hold.release();
    }
  });
});

/** As `impatient`, with a shorter lock timeout. */
function db2Impatient<T>(db: Kysely<Schema>, fn: (trx: Kysely<Schema>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`set local lock_timeout = '300ms'`.execute(trx);
    return fn(trx);
  });
}

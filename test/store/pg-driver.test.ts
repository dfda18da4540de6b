/**
 * Baton's PostgreSQL driver sends a transaction's `begin` in the same pipeline as its first
 * statement. These tests hold it to what a separate `begin` gave: every statement inside the
 * transaction, errors failing the statement and rolling the whole transaction back, a usable
 * connection afterwards, and one round trip less per transaction.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { executePipelined, PipelinedPostgresDialect } from '../../src/store/pg-driver.ts';
import { dialectNamed, type TestDb } from '../support/databases.ts';

describe('PostgreSQL driver: begin pipelined with the first statement', () => {
  let t: TestDb;
  let pool: pg.Pool;
  let db: Kysely<any>;
  /** Statements sent to the server by `db`'s connections (each a round trip). */
  const sent: string[] = [];

  before(async () => {
    t = await dialectNamed('postgres').openEmpty();
    pool = new pg.Pool({ connectionString: t.url, max: 2 });
    pool.on('error', () => {});
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const first = args[0] as { text?: string } | string;
        sent.push(typeof first === 'string' ? first : `begin+${first.text}`);
        return query(...args);
      };
    });
    db = new Kysely({ dialect: new PipelinedPostgresDialect(pool) });
    await sql`create table item (id integer primary key, label text not null)`.execute(db);
  });
  after(async () => {
    const open = pool.totalCount - pool.idleCount;
    await db?.destroy();
    assert.equal(open, 0, 'every connection was given back to the pool');
    await t?.drop();
  });

  test('a transaction of two statements costs three round trips (first statement with begin, second, commit), all in one transaction', async () => {
    sent.length = 0;
    const ids = await db.transaction().execute(async (trx) => {
      const a = await sql<{ x: string }>`select txid_current()::text as x, ${1}::int as one`.execute(trx);
      const b = await sql<{ x: string }>`select txid_current()::text as x, ${2}::int as two`.execute(trx);
      return [a.rows[0]!.x, b.rows[0]!.x];
    });
    assert.equal(ids[0], ids[1], 'both statements ran in the same transaction');
    assert.deepEqual(sent.map((s) => s.split(' ')[0]), ['begin+select', 'select', 'commit']);
  });

  test('rows written in a committed transaction are there; a transaction that throws leaves nothing', async () => {
    await db.transaction().execute(async (trx) => {
      await sql`insert into item (id, label) values (${1}, ${'kept'})`.execute(trx);
      await sql`insert into item (id, label) values (${2}, ${'kept too'})`.execute(trx);
    });
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await sql`insert into item (id, label) values (${3}, ${'lost'})`.execute(trx);
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    const rows = await sql<{ id: number }>`select id from item order by id`.execute(db);
    assert.deepEqual(rows.rows.map((r) => r.id), [1, 2]);
  });

  test('an error in the first statement fails it with the server error, rolls back, and leaves the connection usable', async () => {
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await sql`insert into item (id, label) values (${1}, ${'duplicate'})`.execute(trx);
      }),
      (e: Error & { code?: string }) => e.code === '23505' && /duplicate key/.test(e.message),
    );
    for (let i = 0; i < 3; i++) {
      // Both pooled connections answer normally, outside and inside transactions.
      const r = await db.transaction().execute((trx) => sql<{ n: number }>`select count(*)::int as n from item where id > ${0}`.execute(trx));
      assert.equal(r.rows[0]!.n, 2);
    }
  });

  test('an error in a later statement rolls back what the first one wrote', async () => {
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await sql`insert into item (id, label) values (${10}, ${'first'})`.execute(trx);
        await sql`insert into item (id, label) values (${11}, ${null})`.execute(trx);
      }),
      /null value/,
    );
    const r = await sql<{ n: number }>`select count(*)::int as n from item where id >= 10`.execute(db);
    assert.equal(r.rows[0]!.n, 0);
  });

  test('a first statement without parameters (several statements in one text) gets its begin sent first, and still rolls back', async () => {
    sent.length = 0;
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await sql.raw(`insert into item (id, label) values (20, 'a'); insert into item (id, label) values (21, 'b')`).execute(trx);
        throw new Error('undo');
      }),
      /undo/,
    );
    assert.deepEqual(sent.map((s) => s.split(' ')[0]), ['begin', 'insert', 'rollback']);
    const r = await sql<{ n: number }>`select count(*)::int as n from item where id >= 20`.execute(db);
    assert.equal(r.rows[0]!.n, 0);
  });

  test('a transaction that runs no statement sends nothing', async () => {
    sent.length = 0;
    assert.equal(await db.transaction().execute(async () => 42), 42);
    await assert.rejects(db.transaction().execute(async () => { throw new Error('early'); }), /early/);
    assert.deepEqual(sent, []);
  });

  test('an isolation level still applies, set by its own statement', async () => {
    sent.length = 0;
    const level = await db.transaction().setIsolationLevel('serializable').execute(async (trx) => (await sql<{ l: string }>`select current_setting(${'transaction_isolation'}) as l`.execute(trx)).rows[0]!.l);
    assert.equal(level, 'serializable');
    assert.equal(sent[0], 'start transaction isolation level serializable');
  });

  test('inserts, updates and deletes report how many rows they changed, as before', async () => {
    const r = await db.transaction().execute(async (trx) => {
      const u = await trx.updateTable('item').set({ label: 'renamed' }).where('id', '<=', 2).executeTakeFirst();
      const d = await trx.deleteFrom('item').where('id', '=', 2).executeTakeFirst();
      return [u.numUpdatedRows, d.numDeletedRows];
    });
    assert.deepEqual(r, [2n, 1n]);
  });

  test('executePipelined sends its statements (and begin) in one round trip; each sees what the one before it did', async () => {
    sent.length = 0;
    const [ins, count] = await db.transaction().execute((trx) =>
      executePipelined(trx, [
        sql`insert into item (id, label) values (${30}, ${'p'}), (${31}, ${'q'})`.compile(trx),
        sql<{ n: number }>`select count(*)::int as n from item where id >= ${30}`.compile(trx),
      ]),
    );
    assert.equal(ins!.numAffectedRows, 2n);
    assert.deepEqual(count!.rows, [{ n: 2 }]);
    assert.deepEqual(sent.map((s) => s.split(' ')[0]), ['begin+insert', 'commit']);
    await sql`delete from item where id >= ${30}`.execute(db);
  });

  test('with commit, the transaction is committed in the same round trip and its end sends nothing', async () => {
    sent.length = 0;
    let seenElsewhere = -1;
    await db.transaction().execute(async (trx) => {
      await executePipelined(trx, [sql`insert into item (id, label) values (${40}, ${'committed early'})`.compile(trx)], { commit: true });
      // Another connection sees the row at once: the commit went with the statement.
      const other = new pg.Client({ connectionString: t.url });
      await other.connect();
      seenElsewhere = (await other.query('select count(*)::int as n from item where id = 40')).rows[0].n;
      await other.end();
    });
    assert.equal(seenElsewhere, 1);
    assert.deepEqual(sent.map((s) => s.split(' ')[0]), ['begin+insert']);
  });

  test('no statement may follow a pipelined commit: it fails with a clear error, and the committed rows stay', async () => {
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await executePipelined(trx, [sql`insert into item (id, label) values (${41}, ${'stays'})`.compile(trx)], { commit: true });
        await sql`insert into item (id, label) values (${42}, ${'never'})`.execute(trx);
      }),
      /already committed with its last statement/,
    );
    const r = await sql<{ id: number }>`select id from item where id in (${41}, ${42}) order by id`.execute(db);
    assert.deepEqual(r.rows.map((x) => x.id), [41]);
  });

  test('a failing statement in a pipeline stops it: later statements and the commit do not run, and the transaction rolls back', async () => {
    await assert.rejects(
      db.transaction().execute((trx) =>
        executePipelined(trx, [
          sql`insert into item (id, label) values (${50}, ${'first'})`.compile(trx),
          sql`insert into item (id, label) values (${51}, ${null})`.compile(trx),
          sql`insert into item (id, label) values (${52}, ${'third'})`.compile(trx),
        ], { commit: true }),
      ),
      /null value/,
    );
    const r = await sql<{ n: number }>`select count(*)::int as n from item where id >= ${50}`.execute(db);
    assert.equal(r.rows[0]!.n, 0);
    // The connections still answer.
    const again = await db.transaction().execute((trx) => executePipelined(trx, [sql`select ${7}::int as seven`.compile(trx)], { commit: true }));
    assert.deepEqual(again[0]!.rows, [{ seven: 7 }]);
  });

  test('outside a transaction a pipeline runs its statements in one round trip (one implicit transaction)', async () => {
    sent.length = 0;
    const [a, b] = await executePipelined(db, [sql`select ${1}::int as a`.compile(db), sql`select ${2}::int as b`.compile(db)], { commit: true });
    assert.deepEqual([a!.rows, b!.rows], [[{ a: 1 }], [{ b: 2 }]]);
    assert.equal(sent.length, 1);
  });
});

describe('PostgreSQL driver: pipelined statements are prepared once per connection', () => {
  let t: TestDb;
  let db: Kysely<any>;
  before(async () => {
    t = await dialectNamed('postgres').openEmpty();
    const pool = new pg.Pool({ connectionString: t.url, max: 1 });
    pool.on('error', () => {});
    db = new Kysely({ dialect: new PipelinedPostgresDialect(pool) });
    await sql`create table thing (id integer primary key, label text)`.execute(db);
  });
  after(async () => {
    await db?.destroy();
    await t?.drop();
  });

  const prepared = async () =>
    (await sql<{ statement: string }>`select statement from pg_prepared_statements where statement like ${'%from thing%'} order by statement`.execute(db)).rows.map((r) => r.statement);

  test('a statement sent again is not prepared again; its results stay right', async () => {
    for (let i = 1; i <= 3; i++) {
      const [ins, count] = await db.transaction().execute((trx) =>
        executePipelined(trx, [
          sql`insert into thing (id, label) values (${i}, ${`n${i}`})`.compile(trx),
          sql<{ n: number }>`select count(*)::int as n from thing where id <= ${i}`.compile(trx),
        ], { commit: true }),
      );
      assert.equal(ins!.numAffectedRows, 1n);
      assert.deepEqual(count!.rows, [{ n: i }]);
    }
    assert.deepEqual(await prepared(), ['select count(*)::int as n from thing where id <= $1']);
  });

  test('after an error the connection prepares what it needs again, and a changed table is read with its new columns', async () => {
    await assert.rejects(
      db.transaction().execute((trx) => executePipelined(trx, [sql`insert into thing (id, label) values (${1}, ${'again'})`.compile(trx)])),
      /duplicate key/,
    );
    const read = () => db.transaction().execute((trx) => executePipelined(trx, [sql`select * from thing where id = ${1}`.compile(trx)]));
    assert.deepEqual((await read())[0]!.rows, [{ id: 1, label: 'n1' }]);
    await sql`alter table thing add column extra integer not null default 7`.execute(db);
    // A plan prepared before the change fails once ("cached plan must not change result type");
    // the next try prepares it anew.
    let rows: unknown[] | undefined;
    for (let attempt = 0; attempt < 2 && !rows; attempt++) rows = await read().then((r) => r[0]!.rows, () => undefined);
    assert.deepEqual(rows, [{ id: 1, label: 'n1', extra: 7 }]);
  });
});

describe('executePipelined on SQLite', () => {
  test('runs the statements one after another, in order', async () => {
    const t = await dialectNamed('sqlite').openEmpty();
    try {
      const results = await t.db.transaction().execute(async (trx) => {
        await sql`create table item (id integer primary key)`.execute(trx);
        return executePipelined(trx, [sql`insert into item (id) values (${1})`.compile(trx), sql`select count(*) as n from item`.compile(trx)], { commit: true });
      });
      assert.deepEqual(results[1]!.rows, [{ n: 1 }]);
      assert.deepEqual((await sql<{ n: number }>`select count(*) as n from item`.execute(t.db)).rows, [{ n: 1 }]);
    } finally {
      await t.drop();
    }
  });
});

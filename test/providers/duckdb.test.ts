import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { closeAllDuckDbInstances, DUCKDB_POOL, DuckDbHook, DuckDbOperator, dataframe, loadFile, transform, withDuckDb } from '../../src/providers/duckdb/index.ts';
import { dag } from '../../src/sdk/index.ts';
import { DATA_DIR, runDag, tempDir, withEnv } from './support.ts';

const projectsCsv = join(DATA_DIR, 'projects.csv');
const tagsCsv = join(DATA_DIR, 'tags.csv');
const csvRows = (path: string) => parse(readFileSync(path), { columns: true }) as Record<string, string>[];

let dir: Awaited<ReturnType<typeof tempDir>>;
before(async () => (dir = await tempDir()));
after(async () => {
  await closeAllDuckDbInstances();
  await dir.remove();
});

describe('DuckDbHook', () => {
  test('query returns plain rows: BIGINTs as numbers (or strings when too large), dates as Dates, times as text', async () => {
    const rows = await withDuckDb(join(dir.path, 'types.duckdb'), (h) =>
      h.query(`SELECT 42::BIGINT AS small, 9223372036854775807::BIGINT AS big, 1.25::DECIMAL(5,2) AS dec, DATE '2024-01-02' AS d,
                      TIMESTAMP '2024-01-02 03:04:05' AS ts, TIME '12:30:00' AS t, [1, 2]::BIGINT[] AS list, {'k': 3::HUGEINT} AS s, NULL AS n, 'x' AS v`),
    );
    assert.deepEqual(rows, [{
      small: 42, big: '9223372036854775807', dec: 1.25, d: new Date('2024-01-02T00:00:00Z'), ts: new Date('2024-01-02T03:04:05Z'),
      t: '12:30:00', list: [1, 2], s: { k: 3 }, n: null, v: 'x',
    }]);
  });

  test('run executes several statements and reports the rows changed; query binds parameters', async () => {
    await withDuckDb(join(dir.path, 'params.duckdb'), async (h) => {
      assert.equal(await h.run('CREATE TABLE t (a INTEGER, b VARCHAR); INSERT INTO t VALUES (1, \'x\'), (2, \'y\'), (3, \'z\')'), 3);
      assert.deepEqual(await h.query('SELECT b FROM t WHERE a >= $1 ORDER BY a', [2]), [{ b: 'y' }, { b: 'z' }]);
      assert.deepEqual(await h.query('SELECT a FROM t WHERE b = $name', { name: 'z' }), [{ a: 3 }]);
      assert.deepEqual(await h.query('SELECT a FROM t ORDER BY a', undefined, { limit: 2 }), [{ a: 1 }, { a: 2 }]);
    });
  });

  test('tableExists sees tables and views, qualified or not', async () => {
    await withDuckDb(join(dir.path, 'exists.duckdb'), async (h) => {
      await h.run('CREATE SCHEMA staging; CREATE TABLE staging.a (x INT); CREATE TABLE b (x INT); CREATE VIEW v AS SELECT 1');
      assert.equal(await h.tableExists('staging.a'), true);
      assert.equal(await h.tableExists('a'), false);
      assert.equal(await h.tableExists('b'), true);
      assert.equal(await h.tableExists('main.b'), true);
      assert.equal(await h.tableExists('v'), true);
    });
  });

  test('hooks on one file share an instance, so they see each other\'s writes', async () => {
    const file = join(dir.path, 'shared.duckdb');
    const a = new DuckDbHook(file);
    const b = new DuckDbHook(file);
    try {
      await a.run('CREATE TABLE t AS SELECT 7 AS x');
      assert.deepEqual(await b.query('SELECT x FROM t'), [{ x: 7 }]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('closing the last hook releases the file for another process', async () => {
    const file = join(dir.path, 'released.duckdb');
    await withDuckDb(file, (h) => h.run('CREATE TABLE t AS SELECT 1 AS x'));
    const child = spawn(process.execPath, ['--input-type=module', '-e', `
      import { DuckDBInstance } from '@duckdb/node-api';
      const i = await DuckDBInstance.create(${JSON.stringify(file)});
      const c = await i.connect();
      const r = await c.runAndReadAll('SELECT count(*)::INT AS n FROM t');
      console.log(JSON.stringify(r.getRowObjectsJS()));
    `], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, err);
    assert.deepEqual(JSON.parse(out), [{ n: 1 }]);
  });

  test('a file held by another process fails with an error that names the lock and the duckdb pool', async () => {
    const file = join(dir.path, 'locked.duckdb');
    const child = spawn(process.execPath, ['--input-type=module', '-e', `
      import { DuckDBInstance } from '@duckdb/node-api';
      const i = await DuckDBInstance.create(${JSON.stringify(file)});
      await i.connect();
      console.log('ready');
      process.stdin.resume();
      process.stdin.on('end', () => process.exit(0));
    `], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await once(child.stdout, 'data');
      await assert.rejects(withDuckDb(file, (h) => h.query('SELECT 1')), (e: Error) => /cannot open DuckDB database .*locked\.duckdb/.test(e.message) && /"duckdb" pool with 1 slot/.test(e.message));
    } finally {
      child.stdin.end();
      await once(child, 'exit');
    }
  });

  test('a SQL error names the database and quotes the SQL', async () => {
    await assert.rejects(withDuckDb(':memory:', (h) => h.query('SELECT * FROM no_such_table')), (e: Error) => /DuckDB \(:memory:\) could not run the SQL: .*no_such_table/s.test(e.message) && /SQL: SELECT \* FROM no_such_table/.test(e.message));
  });
});

describe('DuckDB tasks in a DAG', () => {
  test('loadFile reads projects.csv into 764 rows with quoted newlines intact', async () => {
    const database = join(dir.path, 'load.duckdb');
    const d = dag({ id: 'duckdb_load', schedule: null }, () => {
      loadFile({ taskId: 'load_projects', database, path: projectsCsv, table: 'raw.projects' });
    });
    const run = await runDag(d);
    assert.equal(run.state, 'success', run.lines.join('\n'));
    assert.deepEqual(run.xcom('load_projects'), { table: 'raw.projects', rows: 764 });
    const expected = csvRows(projectsCsv);
    const multiLine = expected.filter((r) => r.description!.includes('\n'));
    assert.ok(multiLine.length > 0, 'the file has descriptions spanning lines');
    const rows = await withDuckDb(database, (h) => h.query('SELECT id, title, description FROM raw.projects ORDER BY id'));
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    for (const e of multiLine) assert.equal(byId.get(e.id!)?.description, e.description, `description of project ${e.id}`);
    assert.deepEqual(rows.map((r) => String(r.id)).sort(), expected.map((r) => r.id!).sort());
  });

  test('loadFile appends by column name, and reads Parquet and JSON', async () => {
    const database = join(dir.path, 'formats.duckdb');
    const parquet = join(dir.path, 'tags.parquet');
    const json = join(dir.path, 'tags.json');
    await withDuckDb(':memory:', async (h) => {
      await h.run(`COPY (SELECT * FROM read_csv('${tagsCsv}')) TO '${parquet}' (FORMAT parquet)`);
      await h.run(`COPY (SELECT * FROM read_csv('${tagsCsv}') LIMIT 10) TO '${json}' (FORMAT json)`);
    });
    const d = dag({ id: 'duckdb_formats', schedule: null }, () => {
      const p = loadFile({ taskId: 'parquet', database, path: parquet, table: 'tags' });
      const j = loadFile({ taskId: 'json', database, path: json, table: 'tags', ifExists: 'append' });
      p.then(j);
    });
    const run = await runDag(d);
    assert.equal(run.state, 'success', run.lines.join('\n'));
    assert.deepEqual(run.xcom('parquet'), { table: 'tags', rows: 764 });
    assert.deepEqual(run.xcom('json'), { table: 'tags', rows: 774 });
  });

  test('transform joins two loaded tables named as {{ inputs }} and writes CREATE OR REPLACE TABLE', async () => {
    const restore = withEnv({ BATON_CONN_WAREHOUSE: JSON.stringify({ conn_type: 'duckdb', host: join(dir.path, 'warehouse.duckdb') }) });
    try {
      const d = dag({ id: 'duckdb_transform', schedule: null }, () => {
        const projects = loadFile({ taskId: 'load_projects', connId: 'warehouse', path: projectsCsv, table: 'projects' });
        const tags = loadFile({ taskId: 'load_tags', connId: 'warehouse', path: tagsCsv, table: 'tags' });
        transform({
          taskId: 'label',
          connId: 'warehouse',
          outputTable: 'labeled',
          inputs: { projects, tags },
          sql: `SELECT p.id, p.title, t.tag FROM {{ projects }} p JOIN {{ tags }} t ON p.rowid = t.rowid
                WHERE p.created_on < TIMESTAMP '{{ ds }}' -- {{ projects.rows }} projects`,
        });
      });
      const run = await runDag(d);
      assert.equal(run.state, 'success', run.lines.join('\n'));
      assert.deepEqual(run.xcom('label'), { table: 'labeled', rows: 764 });
      assert.ok(run.lines.some((l) => l.includes('FROM "projects" p JOIN "tags" t') && l.includes('-- 764 projects')), 'the rendered SQL is logged');
      const tagRows = csvRows(tagsCsv);
      const expected = new Map(csvRows(projectsCsv).map((r, i) => [r.id!, tagRows[i]!.tag!]));
      const labeled = await withDuckDb(join(dir.path, 'warehouse.duckdb'), (h) => h.query('SELECT id, tag FROM labeled'));
      assert.equal(labeled.length, 764);
      for (const r of labeled) assert.equal(r.tag, expected.get(String(r.id)), `tag of project ${r.id}`);
    } finally {
      restore();
    }
  });

  test('dataframe passes the query rows to a function and returns its result', async () => {
    const database = join(dir.path, 'frame.duckdb');
    let received: unknown[] = [];
    const d = dag({ id: 'duckdb_dataframe', schedule: null }, () => {
      const tags = loadFile({ taskId: 'load_tags', database, path: tagsCsv, table: 'tags' });
      dataframe({
        taskId: 'tag_counts',
        database,
        inputs: { tags },
        sql: 'SELECT tag, count(*) AS n FROM {{ tags }} GROUP BY tag ORDER BY tag',
        fn: (rows) => {
          received = rows;
          return Object.fromEntries(rows.map((r) => [r.tag as string, r.n as number]));
        },
      });
    });
    const run = await runDag(d);
    assert.equal(run.state, 'success', run.lines.join('\n'));
    const expected: Record<string, number> = {};
    for (const r of csvRows(tagsCsv)) expected[r.tag!] = (expected[r.tag!] ?? 0) + 1;
    assert.deepEqual(run.xcom('tag_counts'), expected);
    assert.ok(received.every((r) => typeof (r as { n: unknown }).n === 'number'), 'counts arrive as JS numbers');
  });

  test('DuckDbOperator renders its SQL, returns no XCom by default and up to returnRows rows when asked', async () => {
    const database = join(dir.path, 'op.duckdb');
    const d = dag({ id: 'duckdb_operator', schedule: null, params: { n: 3 } }, () => {
      const create = new DuckDbOperator({ taskId: 'create', database, sql: "CREATE OR REPLACE TABLE days AS SELECT range AS i, DATE '{{ ds }}' + range::INT AS day FROM range({{ params.n }})" });
      const read = new DuckDbOperator({ taskId: 'read', database, sql: 'SELECT i, day FROM days ORDER BY i', returnRows: 2 });
      create.then(read);
    });
    const run = await runDag(d);
    assert.equal(run.state, 'success', run.lines.join('\n'));
    assert.equal(run.xcom('create'), undefined);
    assert.deepEqual(run.xcom('read'), [{ i: 0, day: new Date('2024-03-01T00:00:00Z') }, { i: 1, day: new Date('2024-03-02T00:00:00Z') }]);
  });

  test('DuckDB tasks default to the duckdb pool; a pool given explicitly wins', () => {
    const d = dag({ id: 'duckdb_pools', schedule: null }, () => {
      new DuckDbOperator({ taskId: 'a', database: ':memory:', sql: 'SELECT 1' });
      loadFile({ taskId: 'b', database: ':memory:', path: tagsCsv, table: 't' });
      transform({ taskId: 'c', database: ':memory:', outputTable: 'u', sql: 'SELECT 1' });
      dataframe({ taskId: 'd', database: ':memory:', sql: 'SELECT 1', fn: () => 1 });
      new DuckDbOperator({ taskId: 'e', database: ':memory:', sql: 'SELECT 1', pool: 'warehouse_writer' });
    });
    assert.equal(DUCKDB_POOL, 'duckdb');
    assert.deepEqual(['a', 'b', 'c', 'd', 'e'].map((id) => d.getTask(id).opts.pool), ['duckdb', 'duckdb', 'duckdb', 'duckdb', 'warehouse_writer']);
  });

  test('a missing connection and a bad table input fail with errors that say what to do', async () => {
    const d = dag({ id: 'duckdb_errors', schedule: null }, () => {
      new DuckDbOperator({ taskId: 'no_conn', connId: 'nowhere', sql: 'SELECT 1' });
      transform({ taskId: 'bad_input', database: ':memory:', outputTable: 'x', inputs: { t: 'not a table' }, sql: 'SELECT * FROM {{ t }}' });
    });
    const run = await runDag(d);
    const err = (id: string) => run.tis.find((t) => t.taskId === id)!.error ?? '';
    assert.match(err('no_conn'), /DuckDB connection 'nowhere' is not defined: create it \(type "duckdb", host = database file path\), e\.g\. BATON_CONN_NOWHERE=/);
    assert.match(err('bad_input'), /table name "not a table" is not valid/);
  });
});

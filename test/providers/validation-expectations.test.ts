import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { closeAllDuckDbInstances, DuckDbHook } from '../../src/providers/duckdb/index.ts';
import { parseSuite, validate, type Expectation, type ExpectationResult } from '../../src/providers/validation/index.ts';
import { tempDir } from './support.ts';

/**
 * people:  id | name | email             | age | color  | code
 *           1 | ann  | ann@example.com   |  30 | red    | 10
 *           2 | bob  | bob@example.com   |  40 | blue   | 20
 *           3 | cy   | NULL              |  50 | green  | 3.5
 *           3 | cy   | cy-at-example     | 200 | purple | x9
 *           5 | NULL | eve@example.com   |  -1 | red    | NULL
 */
const PEOPLE = `CREATE TABLE people AS SELECT * FROM (VALUES
  (1, 'ann', 'ann@example.com', 30, 'red', '10', DATE '2024-01-01'),
  (2, 'bob', 'bob@example.com', 40, 'blue', '20', DATE '2024-01-02'),
  (3, 'cy', NULL, 50, 'green', '3.5', DATE '2024-01-03'),
  (3, 'cy', 'cy-at-example', 200, 'purple', 'x9', DATE '2024-01-04'),
  (5, NULL, 'eve@example.com', -1, 'red', NULL, DATE '2024-01-05')
) AS t(id, name, email, age, color, code, joined)`;

let dir: Awaited<ReturnType<typeof tempDir>>;
let hook: DuckDbHook;
before(async () => {
  dir = await tempDir();
  hook = new DuckDbHook(join(dir.path, 'people.duckdb'));
  await hook.run(PEOPLE);
});
after(async () => {
  await hook.close();
  await closeAllDuckDbInstances();
  await dir.remove();
});

async function check(expectation: Record<string, unknown>): Promise<ExpectationResult> {
  const suite = parseSuite({ name: 'one', expectations: [expectation] });
  const report = await validate(hook, { table: 'people' }, suite);
  return report.results[0]!;
}

type Case = [name: string, expectation: Record<string, unknown>, expected: Partial<ExpectationResult>];

const cases: Case[] = [
  ['row count within bounds passes', { expectationType: 'expect_table_row_count_to_be_between', min: 1, max: 10 }, { success: true, observedValue: 5, unexpectedCount: null }],
  ['row count below min fails', { expectationType: 'expect_table_row_count_to_be_between', min: 6 }, { success: false, observedValue: 5 }],
  ['compound key without duplicates passes (rows whose key columns are all null are ignored)', { expectationType: 'expect_compound_columns_to_be_unique', columns: ['id', 'email'] }, { success: true, observedValue: '0 of 5 unexpected (0%)', unexpectedCount: 0, unexpectedExamples: [] }],
  ['compound key with a duplicate fails and shows the key with its count', { expectationType: 'expect_compound_columns_to_be_unique', columns: ['id', 'name'] }, { success: false, observedValue: '2 of 5 unexpected (40%)', unexpectedCount: 2, unexpectedExamples: [{ id: 3, name: 'cy', count: 2 }] }],
  ['unique column passes, nulls ignored', { expectationType: 'expect_column_values_to_be_unique', column: 'email' }, { success: true, observedValue: '0 of 4 unexpected (0%)', unexpectedCount: 0, elementCount: 5 }],
  ['duplicate values fail and are listed once', { expectationType: 'expect_column_values_to_be_unique', column: 'id' }, { success: false, observedValue: '2 of 5 unexpected (40%)', unexpectedCount: 2, unexpectedExamples: [3] }],
  ['a column without nulls passes not-null', { expectationType: 'expect_column_values_to_not_be_null', column: 'id' }, { success: true, observedValue: '0 of 5 unexpected (0%)', unexpectedCount: 0 }],
  [
    'a null fails not-null and the whole row is the example',
    { expectationType: 'expect_column_values_to_not_be_null', column: 'name' },
    { success: false, observedValue: '1 of 5 unexpected (20%)', unexpectedCount: 1, unexpectedExamples: [{ id: 5, name: null, email: 'eve@example.com', age: -1, color: 'red', code: null, joined: new Date('2024-01-05T00:00:00Z') }] },
  ],
  ['an INTEGER column is an integer', { expectationType: 'expect_column_values_to_be_of_type', column: 'age', type: 'integer' }, { success: true, observedValue: 'INTEGER', unexpectedExamples: [] }],
  ['an INTEGER column is a number', { expectationType: 'expect_column_values_to_be_of_type', column: 'age', type: 'number' }, { success: true, observedValue: 'INTEGER' }],
  ['a DATE column is a date', { expectationType: 'expect_column_values_to_be_of_type', column: 'joined', type: 'date' }, { success: true, observedValue: 'DATE' }],
  ['a VARCHAR column is a string', { expectationType: 'expect_column_values_to_be_of_type', column: 'name', type: 'string' }, { success: true, observedValue: 'VARCHAR' }],
  ['a VARCHAR column is not an integer; values that are not integers are the examples', { expectationType: 'expect_column_values_to_be_of_type', column: 'code', type: 'int' }, { success: false, observedValue: 'VARCHAR', unexpectedExamples: ['3.5', 'x9'] }],
  ['a DATE column is not a boolean', { expectationType: 'expect_column_values_to_be_of_type', column: 'joined', type: 'boolean' }, { success: false, observedValue: 'DATE' }],
  ['values in the set pass', { expectationType: 'expect_column_values_to_be_in_set', column: 'color', values: ['red', 'blue', 'green', 'purple'] }, { success: true, observedValue: '0 of 5 unexpected (0%)' }],
  ['a value outside the set fails', { expectationType: 'expect_column_values_to_be_in_set', column: 'color', values: ['red', 'blue', 'green'] }, { success: false, observedValue: '1 of 5 unexpected (20%)', unexpectedCount: 1, unexpectedExamples: ['purple'] }],
  ['mostly tolerates a share of unexpected values', { expectationType: 'expect_column_values_to_be_in_set', column: 'color', values: ['red', 'blue', 'green'], mostly: 0.8 }, { success: true, unexpectedCount: 1 }],
  ['mostly still fails when too many values are unexpected', { expectationType: 'expect_column_values_to_be_in_set', column: 'color', values: ['red', 'blue', 'green'], mostly: 0.81 }, { success: false }],
  ['numeric set members match numeric columns', { expectationType: 'expect_column_values_to_be_in_set', column: 'id', values: [1, 2, 3] }, { success: false, unexpectedExamples: [5] }],
  ['values between min and max pass', { expectationType: 'expect_column_values_to_be_between', column: 'age', min: -10, max: 500 }, { success: true, observedValue: '0 of 5 unexpected (0%)' }],
  ['values outside min and max fail', { expectationType: 'expect_column_values_to_be_between', column: 'age', min: 0, max: 100 }, { success: false, observedValue: '2 of 5 unexpected (40%)', unexpectedExamples: [-1, 200] }],
  ['dates compare with string bounds', { expectationType: 'expect_column_values_to_be_between', column: 'joined', min: '2024-01-02' }, { success: false, unexpectedExamples: [new Date('2024-01-01T00:00:00Z')] }],
  ['values matching the regex pass', { expectationType: 'expect_column_values_to_match_regex', column: 'name', regex: '^[a-z]+$' }, { success: true, observedValue: '0 of 4 unexpected (0%)' }],
  ['a value not matching the regex fails', { expectationType: 'expect_column_values_to_match_regex', column: 'email', regex: '^[^@]+@[^@]+\\.[a-z]+$' }, { success: false, observedValue: '1 of 4 unexpected (25%)', unexpectedCount: 1, unexpectedExamples: ['cy-at-example'] }],
  ['a mean within bounds passes', { expectationType: 'expect_column_mean_to_be_between', column: 'age', min: 60, max: 70 }, { success: true, observedValue: 63.8 }],
  ['a mean above max fails', { expectationType: 'expect_column_mean_to_be_between', column: 'age', max: 50 }, { success: false, observedValue: 63.8, unexpectedCount: null }],
];

describe('expectations against a DuckDB table', () => {
  for (const [name, expectation, expected] of cases) {
    test(`${expectation.expectationType}: ${name}`, async () => {
      const result = await check(expectation);
      assert.equal(result.error, undefined, result.error);
      for (const [k, v] of Object.entries(expected)) assert.deepEqual(result[k as keyof ExpectationResult], v, `${k} of ${JSON.stringify(result)}`);
    });
  }

  test('a missing column fails the expectation with an error listing the columns', async () => {
    const r = await check({ expectationType: 'expect_column_values_to_not_be_null', column: 'nickname' });
    assert.equal(r.success, false);
    assert.equal(r.error, "column 'nickname' not found; the columns are id, name, email, age, color, code, joined");
  });

  test('an expectation the database cannot compute fails with the database error, and the others still run', async () => {
    const suite = parseSuite({ name: 's', expectations: [{ expectationType: 'expect_column_mean_to_be_between', column: 'name', min: 0 }, { expectationType: 'expect_table_row_count_to_be_between', min: 1 }] });
    const report = await validate(hook, { table: 'people' }, suite);
    assert.equal(report.results[0]!.success, false);
    assert.match(report.results[0]!.error ?? '', /avg/i);
    assert.equal(report.results[1]!.success, true);
    assert.deepEqual(report.statistics, { evaluated: 2, successful: 1, unsuccessful: 1, successPercent: 50 });
    assert.equal(report.success, false);
  });

  test('examples are capped at 10 distinct values', async () => {
    await hook.run('CREATE OR REPLACE TABLE many AS SELECT range AS v FROM range(100)');
    const suite = parseSuite({ name: 's', expectations: [{ expectationType: 'expect_column_values_to_be_between', column: 'v', max: 10 }] });
    const r = (await validate(hook, { table: 'many' }, suite)).results[0]!;
    assert.equal(r.unexpectedCount, 89);
    assert.deepEqual(r.unexpectedExamples, [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
  });

  test('validating a table that does not exist says so', async () => {
    await assert.rejects(validate(hook, { table: 'nope' }, { name: 's', expectations: [] }), /cannot validate table 'nope': it does not exist/);
  });
});

describe('expectations against files read through DuckDB', () => {
  test('a CSV and a Parquet file give the same results as the table', async () => {
    const csv = join(dir.path, 'people.csv');
    const parquet = join(dir.path, 'people.parquet');
    await hook.run(`COPY people TO '${csv}' (HEADER); COPY people TO '${parquet}' (FORMAT parquet)`);
    const expectations: Expectation[] = [
      { expectationType: 'expect_column_values_to_be_unique', column: 'id' },
      { expectationType: 'expect_column_values_to_not_be_null', column: 'name' },
      { expectationType: 'expect_column_values_to_be_between', column: 'age', min: 0, max: 100 },
    ];
    const suite = { name: 'people', expectations };
    const memory = new DuckDbHook(':memory:');
    try {
      const fromTable = await validate(hook, { table: 'people' }, suite);
      for (const file of [csv, parquet]) {
        const fromFile = await validate(memory, { file }, suite);
        assert.equal(fromFile.source, `file ${file}`);
        assert.deepEqual(fromFile.results.map((r) => [r.success, r.observedValue, r.unexpectedExamples.length]), fromTable.results.map((r) => [r.success, r.observedValue, r.unexpectedExamples.length]));
      }
      assert.deepEqual(await memory.query("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name LIKE '__baton_validation_%'"), [{ n: 0 }], 'the temporary table is dropped');
    } finally {
      await memory.close();
    }
  });
});

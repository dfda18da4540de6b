import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EXPECTATION_TYPES, InvalidSuiteError, loadSuite, parseSuite, ValidationOperator } from '../../src/providers/validation/index.ts';
import { dag } from '../../src/sdk/index.ts';
import { FIXTURES } from './support.ts';

const dir = join(FIXTURES, 'providers-validation');

describe('expectation suites', () => {
  test('a suite JSON file loads with every expectation typed and normalised', async () => {
    const suite = await loadSuite(join(dir, 'projects.suite.json'));
    assert.equal(suite.name, 'labeled_projects');
    assert.equal(suite.expectations.length, 9);
    assert.deepEqual(suite.expectations[4], { expectationType: 'expect_column_values_to_be_of_type', column: 'id', type: 'integer' });
    assert.deepEqual(suite.expectations[8], { expectationType: 'expect_column_values_to_match_regex', column: 'title', regex: '\\S', meta: { notes: 'titles are not blank' } });
  });

  test("a Great Expectations suite file reads the same as the native one (kwargs, min_value, value_set, column_list, type_)", async () => {
    const native = await loadSuite(join(dir, 'projects.suite.json'));
    const ge = await loadSuite(join(dir, 'projects.ge-suite.json'));
    assert.deepEqual(ge, native);
  });

  test('every supported expectation type is listed', () => {
    assert.deepEqual([...EXPECTATION_TYPES].sort(), [
      'expect_column_mean_to_be_between',
      'expect_column_values_to_be_between',
      'expect_column_values_to_be_in_set',
      'expect_column_values_to_be_of_type',
      'expect_column_values_to_be_unique',
      'expect_column_values_to_match_regex',
      'expect_column_values_to_not_be_null',
      'expect_compound_columns_to_be_unique',
      'expect_table_row_count_to_be_between',
    ]);
  });

  test('a bad suite is rejected with one clear line per bad entry', async () => {
    const file = join(dir, 'bad.suite.json');
    await assert.rejects(loadSuite(file), (e: unknown) => {
      assert.ok(e instanceof InvalidSuiteError);
      assert.deepEqual(e.problems, [
        "expectations[0] (expect_column_values_to_be_unique): 'column' is required",
        `expectations[1]: unknown expectation type "expect_column_values_to_be_purple"; supported types: ${EXPECTATION_TYPES.join(', ')}`,
        "expectations[2] (expect_column_values_to_be_between): 'min' (10) is greater than 'max' (1)",
        "expectations[3] (expect_column_values_to_not_be_null): unknown argument 'colum'; it takes column, mostly, meta",
        "expectations[3] (expect_column_values_to_not_be_null): 'column' is required",
        "expectations[4] (expect_column_values_to_be_of_type): 'type' must be one of string, integer, number, boolean, date, timestamp (or an alias such as int, float, str, bool, datetime) (got \"complex\")",
        "expectations[5] (expect_column_values_to_be_in_set): 'values' must be a list of strings, numbers or booleans (got \"computer-vision\")",
        "expectations[6] (expect_column_values_to_not_be_null): 'mostly' must be a number from 0 to 1 (got 1.5)",
        "expectations[7] (expect_table_row_count_to_be_between): give 'min', 'max' or both",
        'expectations[8]: must be an object with "expectationType" and its arguments',
      ]);
      assert.match(e.message, new RegExp(`^expectation suite 'broken' \\(${file.replaceAll('/', '\\/').replaceAll('.', '\\.')}\\) is not valid:\\n  - expectations\\[0\\]`));
      return true;
    });
  });

  test('a file that is not JSON is rejected naming the file', async () => {
    await assert.rejects(loadSuite(join(dir, 'not-json.suite.json')), (e: Error) => e instanceof InvalidSuiteError && /not-json\.suite\.json is not valid:\n {2}- the file is not valid JSON/.test(e.message));
  });

  test('a missing file is reported with its absolute path', async () => {
    await assert.rejects(loadSuite(join(dir, 'absent.json')), /cannot read expectation suite .*absent\.json/);
  });

  test('a suite object without a name or expectations list is rejected', () => {
    assert.throws(() => parseSuite({ expectations: {} }), (e: Error) => e instanceof InvalidSuiteError && /"name" must be a non-empty string/.test(e.message) && /"expectations" must be a list/.test(e.message));
    assert.throws(() => parseSuite({ name: 'x', expectations: [], colour: 1 }), /unknown key 'colour' at the top level/);
  });

  test('a bad suite given in code fails when the DAG is defined, naming the task', () => {
    assert.throws(
      () => dag({ id: 'bad_suite_dag', schedule: null }, () => {
        new ValidationOperator({ taskId: 'check', file: 'x.csv', suite: { name: 's', expectations: [{ expectationType: 'expect_column_values_to_be_unique' } as never] } });
      }),
      (e: Error) => e instanceof InvalidSuiteError && /expectation suite 's' \(of task 'check'\) is not valid/.test(e.message) && /'column' is required/.test(e.message),
    );
  });

  test('ValidationOperator needs exactly one of table and file', () => {
    assert.throws(() => dag({ id: 'neither', schedule: null }, () => new ValidationOperator({ taskId: 'v', suite: { name: 's', expectations: [] } })), /give either table \(with connId or database\) or file, not neither/);
    assert.throws(() => dag({ id: 'both', schedule: null }, () => new ValidationOperator({ taskId: 'v', table: 't', file: 'f.csv', suite: { name: 's', expectations: [] } })), /not both/);
  });
});

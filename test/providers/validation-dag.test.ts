import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closeAllDuckDbInstances, loadFile } from '../../src/providers/duckdb/index.ts';
import { LocalObjectStore } from '../../src/providers/objectstore/index.ts';
import { ValidationOperator, type ValidationReport } from '../../src/providers/validation/index.ts';
import { dag, task } from '../../src/sdk/index.ts';
import { FIXTURES, runDag, tempDir, withEnv } from './support.ts';

const fixtures = join(FIXTURES, 'providers-validation');
const suitePath = join(fixtures, 'projects.suite.json');
const corrupted = join(fixtures, 'projects_corrupted.csv');
const clean = join(fixtures, 'projects_clean.csv');

let dir: Awaited<ReturnType<typeof tempDir>>;
before(async () => (dir = await tempDir()));
after(async () => {
  await closeAllDuckDbInstances();
  await dir.remove();
});

describe('ValidationOperator in a DAG', () => {
  test('corrupted input (duplicate ids, null titles) fails validation without retrying, and the downstream task does not run', async () => {
    const artifactsDir = join(dir.path, 'artifacts');
    let trained = false;
    const d = dag({ id: 'validate_projects', schedule: null }, () => {
      const check = new ValidationOperator({ taskId: 'validate', file: corrupted, suite: suitePath, artifactsDir, retries: 2 });
      const train = task('train', async () => {
        trained = true;
      });
      check.then(train());
    });
    const run = await runDag(d);

    assert.equal(run.state, 'failed');
    assert.equal(run.stateOf('validate'), 'failed');
    assert.equal(run.tis.find((t) => t.taskId === 'validate')!.tryNumber, 1, 'a failed validation is not retried');
    assert.equal(run.stateOf('train'), 'upstream_failed');
    assert.equal(trained, false);
    const error = run.tis.find((t) => t.taskId === 'validate')!.error!;
    assert.match(error, /FailTask: validation of file .*projects_corrupted\.csv with suite 'labeled_projects' failed: 2 of 9 expectations not met \(expect_column_values_to_be_unique\(id\); expect_column_values_to_not_be_null\(title\)\)/);

    const report = run.xcom('validate') as ValidationReport;
    assert.equal(report.success, false);
    assert.deepEqual(report.statistics, { evaluated: 9, successful: 7, unsuccessful: 2, successPercent: (7 / 9) * 100 });
    const unique = report.results[1]!;
    assert.deepEqual([unique.observedValue, unique.unexpectedCount, unique.unexpectedExamples], ['4 of 12 unexpected (33.33%)', 4, [44, 130]]);
    const titles = report.results[2]!;
    assert.deepEqual([titles.observedValue, titles.unexpectedCount], ['2 of 12 unexpected (16.67%)', 2]);
    assert.deepEqual(titles.unexpectedExamples.map((r) => (r as { id: number }).id), [80, 141]);

    const key = `validation/validate_projects/${run.runId}/validate.json`;
    const stored = JSON.parse(await readFile(join(artifactsDir, key), 'utf8')) as ValidationReport;
    assert.equal(stored.suite, 'labeled_projects');
    assert.equal(stored.success, false);
    assert.deepEqual(stored.results[1]!.unexpectedExamples, [44, 130]);

    const log = run.lines.join('\n');
    assert.match(log, /Validation of file .*projects_corrupted\.csv with suite 'labeled_projects': FAILED \(7 of 9 expectations met, 77\.78%\)/);
    assert.match(log, /✔ +expect_table_row_count_to_be_between +min=1, max=100000 +12/);
    assert.match(log, /✖ +expect_column_values_to_be_unique +column=id +4 of 12 unexpected \(33\.33%\)/);
    assert.match(log, /✖ +expect_column_values_to_not_be_null +column=title +2 of 12 unexpected \(16\.67%\)/);
    assert.match(log, /✔ +expect_column_values_to_be_of_type +column=created_on, type=timestamp +TIMESTAMP/);
    assert.match(log, /✖ expect_column_values_to_be_unique column=id: unexpected examples \[44,130\]/);
    assert.ok(log.includes(`Validation report written to file://${join(artifactsDir, key)}`));
  });

  test('clean data loaded into DuckDB passes, and the downstream task runs', async () => {
    const restore = withEnv({ BATON_CONN_LAKE: JSON.stringify({ conn_type: 'duckdb', host: join(dir.path, 'lake.duckdb') }), BATON_HOME: join(dir.path, 'home') });
    try {
      let seen: ValidationReport | null = null;
      const d = dag({ id: 'validate_table', schedule: null }, () => {
        const loaded = loadFile({ taskId: 'load', connId: 'lake', path: clean, table: 'projects' });
        const check = new ValidationOperator({ taskId: 'validate', connId: 'lake', table: 'projects', suite: suitePath });
        const train = task('train', async (report: ValidationReport) => {
          seen = report;
        });
        loaded.then(check);
        train(check.output);
      });
      assert.equal(d.getTask('validate').opts.pool, 'duckdb');
      const run = await runDag(d);
      assert.equal(run.state, 'success', run.lines.join('\n'));
      assert.equal(run.stateOf('train'), 'success');
      assert.equal(seen!.success, true);
      assert.equal(seen!.source, 'table projects');
      assert.match(run.lines.join('\n'), /Validation of table projects with suite 'labeled_projects': PASSED \(9 of 9 expectations met, 100%\)/);
      const defaultKey = join(dir.path, 'home', 'artifacts', 'validation', 'validate_table', run.runId, 'validate.json');
      assert.equal(JSON.parse(await readFile(defaultKey, 'utf8')).success, true, 'the report goes under $BATON_HOME/artifacts by default');
    } finally {
      restore();
    }
  });

  test('with failOnValidationFailure false the task succeeds, records the failed report, and downstream runs', async () => {
    const store = new LocalObjectStore(join(dir.path, 'reports'));
    const d = dag({ id: 'validate_soft', schedule: null }, () => {
      const check = new ValidationOperator({ taskId: 'validate', file: corrupted, suite: suitePath, failOnValidationFailure: false, objectStore: store, reportKey: 'soft/{{ ds }}/projects.json' });
      check.then(task('after', async () => 'ran')());
    });
    const run = await runDag(d);
    assert.equal(run.state, 'success', run.lines.join('\n'));
    assert.equal(run.stateOf('after'), 'success');
    assert.equal((run.xcom('validate') as ValidationReport).success, false);
    assert.deepEqual(await store.list('soft/'), ['soft/2024-03-01/projects.json']);
    assert.match(run.lines.join('\n'), /WARN +Validation failed; continuing because failOnValidationFailure is false/);
  });

  test('an invalid suite file fails the task with the list of problems', async () => {
    const d = dag({ id: 'validate_bad_suite', schedule: null }, () => {
      new ValidationOperator({ taskId: 'validate', file: clean, suite: join(fixtures, 'bad.suite.json'), artifactsDir: join(dir.path, 'a') });
    });
    const run = await runDag(d);
    assert.equal(run.state, 'failed');
    assert.match(run.tis[0]!.error!, /expectation suite 'broken' \(.*bad\.suite\.json\) is not valid:\n {2}- expectations\[0\] \(expect_column_values_to_be_unique\): 'column' is required/);
  });
});

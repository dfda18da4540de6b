/**
 * The pipeline DAG files load cleanly (as `baton dags list-import-errors` sees the examples
 * folder), their helper modules are not DAG files, and the helpers compute what the pipelines
 * rely on: drift statistics, the policy, the train/validation split.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { findDagFiles } from '../../src/processor/find-dag-files.ts';
import { loadSuite } from '../../src/providers/validation/index.ts';
import { runCli, show } from '../cli/cli-helpers.ts';
import { decide, DEFAULT_THRESHOLDS, ksStatistic, measureDrift, psi, type DriftReport, type PerformanceReport } from '../../examples/dags/lib/drift.ts';
import { readExamples, stratifiedSplit } from '../../examples/dags/lib/training.ts';
import { DATA_DIR, EXAMPLE_DAGS } from './support.ts';

const PIPELINES = ['dataops', 'mlops', 'new_data', 'update'];

describe('the pipeline DAG files', () => {
  test('`baton dags list-import-errors` is clean for examples/dags and `dags list` shows the four pipelines with their schedules', async () => {
    const home = await mkdtemp(join(tmpdir(), 'baton-dags-'));
    try {
      const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BATON_'))), BATON_HOME: home, BATON_DAGS_FOLDER: EXAMPLE_DAGS };
      const [errors, list] = await Promise.all([runCli(['dags', 'list-import-errors', '-o', 'json'], env), runCli(['dags', 'list', '-o', 'json'], env)]);
      assert.equal(errors.code, 0, show(errors));
      assert.deepEqual(JSON.parse(errors.stdout), []);
      assert.equal(list.code, 0, show(list));
      const dags = JSON.parse(list.stdout) as Array<{ dag_id: string; schedule: string; fileloc: string }>;
      const found = Object.fromEntries(dags.filter((d) => PIPELINES.includes(d.dag_id)).map((d) => [d.dag_id, d.schedule]));
      assert.deepEqual(found, { dataops: 'None', mlops: 'Dataset', new_data: '@continuous', update: 'None' });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  test('helper modules under lib/ are not DAG files (.batonignore)', async () => {
    const files = (await findDagFiles(EXAMPLE_DAGS)).map((f) => f.slice(EXAMPLE_DAGS.length + 1));
    for (const p of PIPELINES) assert.ok(files.includes(`${p}.ts`), `${p}.ts in ${files.join(', ')}`);
    assert.deepEqual(files.filter((f) => f.startsWith('lib/')), []);
  });

  test('every expectation suite is valid', async () => {
    for (const name of ['projects', 'tags', 'labeled_projects', 'incoming_projects', 'training_data']) {
      const suite = await loadSuite(join(DATA_DIR, 'suites', `${name}.json`));
      assert.equal(suite.name, name);
      assert.ok(suite.expectations.length >= 4);
    }
  });
});

describe('drift statistics and the policy', () => {
  test('PSI is 0 for equal distributions, grows with the shift, and floors missing categories', () => {
    assert.equal(psi({ a: 10, b: 30 }, { a: 1, b: 3 }), 0);
    const small = psi({ a: 50, b: 50 }, { a: 55, b: 45 });
    const large = psi({ a: 50, b: 50 }, { a: 90, b: 10 });
    assert.ok(small > 0 && small < 0.05 && large > 0.5, `${small} ${large}`);
    assert.ok(Number.isFinite(psi({ a: 10 }, { b: 10 })));
  });

  test('the KS statistic is the largest gap between the two cumulative distributions', () => {
    assert.equal(ksStatistic([1, 2, 3], [1, 2, 3]), 0);
    assert.equal(ksStatistic([1, 2, 3, 4], [5, 6, 7, 8]), 1);
    assert.equal(ksStatistic([1, 2, 3, 4], [3, 4, 5, 6]), 0.5);
  });

  test('holdout.csv looks like dataset.csv; its mlops projects alone do not', () => {
    const train = readExamples(join(DATA_DIR, 'dataset.csv'));
    const holdout = readExamples(join(DATA_DIR, 'holdout.csv'));
    const same = measureDrift(train, holdout);
    assert.ok(same.labelPsi < 0.01 && same.lengthKs < 0.1, JSON.stringify(same));
    const shifted = measureDrift(train, holdout.filter((e) => e.label === 'mlops'));
    assert.ok(shifted.labelPsi > 1, JSON.stringify(shifted));
  });

  const drift = (o: Partial<DriftReport>): DriftReport => ({
    referenceRows: 700, currentRows: 100, referenceLabels: {}, currentLabels: {}, labelPsi: 0, lengthKs: 0, lengthPsi: 0, referenceMedianLength: 20, currentMedianLength: 20, ...o,
  });
  const perf = (o: Partial<PerformanceReport>): PerformanceReport => ({ model: 'm', productionVersion: 2, productionF1: 0.9, previousVersion: 1, previousF1: 0.8, ...o });
  const t = DEFAULT_THRESHOLDS;

  test('the policy: continue, inspect, improve, rollback, and an explicit action', () => {
    assert.equal(decide(drift({}), perf({}), t).action, 'continue');
    assert.equal(decide(drift({ currentRows: 3, labelPsi: 5 }), perf({}), t).action, 'continue', 'too few rows to judge');
    assert.equal(decide(drift({ labelPsi: 0.12 }), perf({}), t).action, 'inspect');
    assert.equal(decide(drift({ lengthKs: 0.2 }), perf({}), t).action, 'inspect');
    assert.equal(decide(drift({ labelPsi: 0.3 }), perf({}), t).action, 'improve');
    assert.equal(decide(drift({ lengthKs: 0.35 }), perf({}), t).action, 'improve');
    assert.equal(decide(drift({}), perf({ productionVersion: null, productionF1: null, previousVersion: null, previousF1: null }), t).action, 'improve');
    assert.equal(decide(drift({}), perf({ productionF1: 0.5, previousF1: 0.52 }), t).action, 'improve', 'the previous version is not better by the margin');
    assert.deepEqual(decide(drift({}), perf({ productionF1: 0.5, previousF1: 0.8 }), t), { action: 'rollback', reasons: ['production version 2 scores F1 0.500 < 0.7 on the new data; version 1 scores 0.800'] });
    assert.deepEqual(decide(drift({}), perf({}), t, 'rollback'), { action: 'rollback', reasons: ["action 'rollback' was requested"] });
  });

  test('the split is stratified, reproducible and disjoint', () => {
    const examples = readExamples(join(DATA_DIR, 'dataset.csv'));
    const a = stratifiedSplit(examples, 0.2, 42);
    const b = stratifiedSplit(examples, 0.2, 42);
    assert.deepEqual(a, b);
    assert.equal(a.train.length + a.validation.length, examples.length);
    const ids = new Set(a.train.map((e) => e.id));
    assert.ok(a.validation.every((e) => !ids.has(e.id)));
    for (const label of ['computer-vision', 'mlops', 'natural-language-processing', 'other']) {
      const share = a.validation.filter((e) => e.label === label).length / examples.filter((e) => e.label === label).length;
      assert.ok(Math.abs(share - 0.2) < 0.02, `${label}: ${share}`);
    }
    assert.notDeepEqual(stratifiedSplit(examples, 0.2, 7).validation.map((e) => e.id), a.validation.map((e) => e.id));
  });
});

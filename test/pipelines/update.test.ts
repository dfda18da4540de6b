/**
 * The continual-learning pipeline (examples/dags/update.ts) through the real engine on SQLite:
 * its policy keeps the model on familiar data, flags drift for inspection by its thresholds,
 * rolls back a production version that does badly on new data to the previous one, and retrains
 * on drifted data by composing a retraining set and triggering mlops.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sqlLiteral, withDuckDb } from '../../src/providers/duckdb/index.ts';
import { DbModelRegistry } from '../../src/providers/ml/registry/index.ts';
import { dialectNamed } from '../support/databases.ts';
import { DATA_DIR, EXAMPLE_DAGS, failures, runToEnd, startPipelines, type PipelineHarness } from './support.ts';

const sqlite = dialectNamed('sqlite');
const HOLDOUT = join(DATA_DIR, 'holdout.csv');
const reexport = (name: string) => `export { default } from ${JSON.stringify(join(EXAMPLE_DAGS, `${name}.ts`))};\n`;

interface Decision {
  action: string;
  reasons: string[];
}

describe('update: drift monitoring and its policy', () => {
  let p: PipelineHarness;
  let tmp: string;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'baton-update-'));
    // dataops first, alone: its dataset event then starts no training.
    p = await startPipelines(sqlite, ['dataops']);
    assert.equal((await runToEnd(p, 'dataops')).state, 'success');
    await p.h.writeDag('mlops.ts', reexport('mlops'));
    await p.h.writeDag('update.ts', reexport('update'));
    // Version 1: a weak model (25 rows); version 2: trained on everything, better, in production.
    for (const conf of [{ maxTrainRows: 25 }, {}]) {
      const r = await runToEnd(p, 'mlops', conf);
      assert.equal(r.state, 'success', await failures(p, 'mlops', r.runId));
    }
    const versions = await p.versions('tag_classifier');
    assert.deepEqual(versions.map((v) => [v.version, v.stage]), [[1, 'archived'], [2, 'production']]);
    assert.ok(versions[0]!.metrics.holdout_f1! < 0.6 && versions[1]!.metrics.holdout_f1! > 0.85, JSON.stringify(versions));
  });
  after(async () => {
    await p?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  const decision = async (runId: string) => (await p.xcom<Decision>('update', runId, 'policy', 'decision'))!;

  test('new data like the training data (holdout.csv): drift is low, the production model does well, the policy continues', async () => {
    const { runId, state } = await runToEnd(p, 'update', { newDataFile: HOLDOUT });
    assert.equal(state, 'success', await failures(p, 'update', runId));
    const s = await p.states('update', runId);
    assert.deepEqual([s.policy, s.continue, s.inspect, s.improve, s.retrain, s.rollback, s.notify], ['success', 'success', 'skipped', 'skipped', 'skipped', 'skipped', 'success']);
    const drift = await p.xcom<{ labelPsi: number; lengthKs: number; currentRows: number; referenceRows: number }>('update', runId, 'detect_drift');
    assert.equal(drift!.currentRows, 191);
    assert.equal(drift!.referenceRows, 764);
    assert.ok(drift!.labelPsi < 0.01 && drift!.lengthKs < 0.1, JSON.stringify(drift));
    const perf = await p.xcom<{ productionVersion: number; productionF1: number; previousVersion: number; previousF1: number }>('update', runId, 'check_performance');
    assert.equal(perf!.productionVersion, 2);
    assert.equal(perf!.previousVersion, 1);
    assert.ok(perf!.productionF1 > 0.85 && perf!.previousF1 < 0.6, JSON.stringify(perf));
    assert.equal((await decision(runId)).action, 'continue');
    assert.deepEqual((await p.versions('tag_classifier')).map((v) => v.stage), ['archived', 'production']);
  });

  test('thresholds are params: with psiInspect 0 the same data is sent for inspection with a drift report', async () => {
    const { runId, state } = await runToEnd(p, 'update', { newDataFile: HOLDOUT, psiInspect: 0 });
    assert.equal(state, 'success', await failures(p, 'update', runId));
    const s = await p.states('update', runId);
    assert.deepEqual([s.continue, s.inspect, s.improve, s.rollback, s.notify], ['skipped', 'success', 'skipped', 'skipped', 'success']);
    assert.match((await decision(runId)).reasons.join(';'), /^label PSI 0\.000 ≥ 0$/);
    const artifact = await p.h.db.selectFrom('ml_artifact').select('object_key').where('run_id', '=', runId).where('name', '=', 'drift_report.json').executeTakeFirstOrThrow();
    const report = JSON.parse(await readFile(join(p.home, 'artifacts', artifact.object_key), 'utf8')) as { drift: { currentRows: number } };
    assert.equal(report.drift.currentRows, 191);
  });

  test('a production version that does badly on new data is rolled back to the previous version (ctx.ml.rollback)', async () => {
    // Someone puts the weak version 1 back in production by hand.
    await new DbModelRegistry(p.h.db).setStage('tag_classifier', 1, 'production');
    assert.deepEqual((await p.versions('tag_classifier')).map((v) => v.stage), ['production', 'archived']);

    const { runId, state } = await runToEnd(p, 'update', { newDataFile: HOLDOUT });
    assert.equal(state, 'success', await failures(p, 'update', runId));
    const s = await p.states('update', runId);
    assert.deepEqual([s.continue, s.inspect, s.improve, s.rollback, s.notify], ['skipped', 'skipped', 'skipped', 'success', 'success']);
    const d = await decision(runId);
    assert.equal(d.action, 'rollback');
    assert.match(d.reasons[0]!, /^production version 1 scores F1 0\.\d+ < 0\.7 on the new data; version 2 scores 0\.\d+$/);
    assert.deepEqual(await p.xcom('update', runId, 'rollback'), { name: 'tag_classifier', restored: 2, archived: 1 });
    assert.deepEqual((await p.versions('tag_classifier')).map((v) => [v.version, v.stage]), [[1, 'archived'], [2, 'production']]);
  });

  test('drifted new data (only mlops projects) is retrained on: a retraining set is composed and mlops is triggered on it', async () => {
    // 16 holdout projects, all tagged mlops: the label distribution moves far from the training data's.
    const file = join(tmp, 'mlops_only.csv');
    await withDuckDb(':memory:', (h) => h.run(`COPY (SELECT * FROM read_csv(${sqlLiteral(HOLDOUT)}, header = true) WHERE tag = 'mlops') TO ${sqlLiteral(file)} (HEADER)`));
    const mlopsBefore = (await p.runs('mlops')).length;

    const { runId, state } = await runToEnd(p, 'update', { newDataFile: file });
    assert.equal(state, 'success', await failures(p, 'update', runId));
    const s = await p.states('update', runId);
    assert.deepEqual([s.continue, s.inspect, s.improve, s.retrain, s.rollback, s.notify], ['skipped', 'skipped', 'success', 'success', 'skipped', 'success']);
    const d = await decision(runId);
    assert.equal(d.action, 'improve');
    assert.match(d.reasons.join('; '), /label PSI \d+\.\d{3} ≥ 0\.25/);
    assert.deepEqual(await p.xcom('update', runId, 'improve'), { table: 'retraining_set', rows: 764 + 16 });

    const runs = await p.waitForRuns('mlops', mlopsBefore + 1, 60_000);
    assert.equal(runs.length, mlopsBefore + 1, 'exactly one retraining run');
    const retrain = runs.at(-1)!;
    assert.equal(retrain.run_type, 'manual');
    assert.equal(retrain.conf.sourceTable, 'retraining_set');
    assert.equal(retrain.conf.reason, `update: ${runId}`);
    assert.equal(retrain.state, 'success', await failures(p, 'mlops', retrain.run_id));
    assert.deepEqual(await p.query('SELECT count(*) AS n, count(*) FILTER (WHERE tag = \'mlops\') AS mlops FROM training_data'), [{ n: 780, mlops: 63 + 16 }]);
  });
});

/**
 * Tracking and the registry from tasks run by the real engine (scheduler, LocalExecutor, worker
 * processes asking over IPC) on SQLite and PostgreSQL, then read back with `baton ml …`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eachDialect } from '../support/databases.ts';
import { startHarness, type EngineHarness } from '../support/engine-harness.ts';
import { runCli, show } from '../cli/cli-helpers.ts';

// The executor's services write artifacts to $BATON_HOME/artifacts of this process.
const ARTIFACTS_HOME = mkdtempSync(join(tmpdir(), 'baton-ml-home-'));
process.env.BATON_HOME = ARTIFACTS_HOME;
process.once('exit', () => rmSync(ARTIFACTS_HOME, { recursive: true, force: true }));

const ML_INDEX = fileURLToPath(new URL('../../src/providers/ml/tracking/index.ts', import.meta.url));

const files = {
  'tracked.ts': `
import { dag, task } from 'baton';
import type { TaskMl } from ${JSON.stringify(ML_INDEX)};
export default dag({ id: 'tracked', schedule: null }, () => {
  const train = task('train', async (_: void, ctx) => {
    const ml: TaskMl = ctx.ml;
    const lr = Number(ctx.conf.lr);
    await ml.logParams({ lr, epochs: 3, optimizer: 'sgd' });
    for (let step = 0; step < 3; step++) await ml.logMetrics({ loss: lr * (3 - step), acc: 0.5 + lr + step / 10 }, { step });
    await ml.logArtifact('summary.json', { lr, note: 'trained' });
    await ml.logArtifact('weights.bin', new Uint8Array([1, 2, 3, 4]));
    const m = await ml.registerModel('engine_model', { format: 'test', lr }, { acc: 0.5 + lr + 0.2 }, { params: { lr }, description: 'lr ' + lr });
    return m.version;
  });
  const deploy = task('deploy', async (version: number, ctx) => {
    const change = await ctx.ml.promote('engine_model', version, 'production');
    const model = await ctx.ml.getModel<{ lr: number }>('engine_model');
    return { archived: change.archived, served: model?.version, lr: model?.artifact.lr, stage: model?.stage };
  });
  const flaky = task({ taskId: 'flaky', retries: 1, retryDelay: 0 }, async (_: void, ctx) => {
    await ctx.ml.logMetrics({ attempt: ctx.ti.tryNumber });
    if (ctx.ti.tryNumber === 1) throw new Error('first try fails');
  });
  deploy(train());
  flaky();
});`,
};

for (const dialect of eachDialect()) {
  describe(`ML tracking through the engine on ${dialect.name}`, () => {
    let h: EngineHarness;
    let env: NodeJS.ProcessEnv;
    const runs: string[] = [];
    before(async () => {
      h = await startHarness(dialect, files);
      env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BATON_'))), BATON_HOME: ARTIFACTS_HOME, BATON_DATABASE_URL: h.config.databaseUrl, BATON_DAGS_FOLDER: h.dagsDir };
      for (const lr of [0.1, 0.2]) {
        const runId = await h.trigger('tracked', { runId: `lr_${lr}_${dialect.name}`, conf: { lr } });
        assert.equal(await h.waitForRun('tracked', runId, 30_000), 'success');
        runs.push(runId);
      }
    });
    after(() => h?.stop());

    test('params, step-wise metrics and artifacts are stored per task instance and try', async () => {
      const params = await h.db.selectFrom('ml_param').selectAll().where('run_id', '=', runs[0]!).orderBy('key').execute();
      assert.deepEqual(params.map((p) => [p.task_id, p.map_index, p.try_number, p.key, JSON.parse(p.value)]), [
        ['train', -1, 1, 'epochs', 3], ['train', -1, 1, 'lr', 0.1], ['train', -1, 1, 'optimizer', 'sgd'],
      ]);
      const loss = await h.db.selectFrom('ml_metric').select(['step', 'value', 'timestamp']).where('run_id', '=', runs[0]!).where('key', '=', 'loss').orderBy('step').execute();
      assert.deepEqual(loss.map((m) => [m.step, Number(m.value.toFixed(6))]), [[0, 0.3], [1, 0.2], [2, 0.1]]);
      assert.ok(loss.every((m) => /^\d{4}-\d\d-\d\dT.*Z$/.test(m.timestamp)));
      const attempts = await h.db.selectFrom('ml_metric').select(['try_number', 'value']).where('run_id', '=', runs[0]!).where('task_id', '=', 'flaky').orderBy('try_number').execute();
      assert.deepEqual(attempts.map((m) => [m.try_number, m.value]), [[1, 1], [2, 2]]);
      const artifacts = await h.db.selectFrom('ml_artifact').selectAll().where('run_id', '=', runs[0]!).orderBy('name').execute();
      assert.deepEqual(artifacts.map((a) => [a.name, a.encoding, a.content_type, a.size_bytes]), [
        ['summary.json', 'json', 'application/json', JSON.stringify({ lr: 0.1, note: 'trained' }).length], ['weights.bin', 'bytes', 'application/octet-stream', 4],
      ]);
      const stored = readFileSync(join(ARTIFACTS_HOME, 'artifacts', artifacts[0]!.object_key), 'utf8');
      assert.deepEqual(JSON.parse(stored), { lr: 0.1, note: 'trained' });
    });

    test('tasks register, promote and load models through the executor', async () => {
      const versions = await h.db.selectFrom('ml_model_version').select(['version', 'stage', 'source_run_id', 'source_task_id', 'description']).where('name', '=', 'engine_model').orderBy('version').execute();
      assert.deepEqual(versions, [
        { version: 1, stage: 'archived', source_run_id: runs[0], source_task_id: 'train', description: 'lr 0.1' },
        { version: 2, stage: 'production', source_run_id: runs[1], source_task_id: 'train', description: 'lr 0.2' },
      ]);
      const deployed = await h.db.selectFrom('xcom').select('value').where('run_id', '=', runs[1]!).where('task_id', '=', 'deploy').executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(deployed.value!), { archived: [1], served: 2, lr: 0.2, stage: 'production' });
    });

    test('`baton ml runs` compares the runs: one row per try, a column per param and final metric', async () => {
      const [table, json] = await Promise.all([
        runCli(['ml', 'runs', 'tracked'], env),
        runCli(['ml', 'runs', 'tracked', '--run-id', runs[1]!, '--metric', 'acc', '-o', 'json'], env),
      ]);
      assert.equal(table.code, 0, show(table));
      const lines = table.stdout.trim().split('\n');
      assert.match(lines[0]!, /^run_id\s+\| task_id \| try \| param\.epochs \| param\.lr \| param\.optimizer \| metric\.acc \| metric\.attempt \| metric\.loss$/);
      assert.match(table.stdout, new RegExp(`${runs[0]}\\s+\\| train\\s+\\| 1\\s+\\| 3\\s+\\| 0\\.1\\s+\\| sgd\\s+\\| 0\\.8\\s+\\|\\s+\\| 0\\.1`));
      assert.match(table.stdout, new RegExp(`${runs[1]}\\s+\\| flaky\\s+\\| 2\\s+\\|.*\\| 2\\s+\\|`));
      assert.equal(lines.length, 2 + 6, 'two runs × (train + two flaky tries)');

      assert.equal(json.code, 0, show(json));
      const rows = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.task_id, 'train');
      assert.deepEqual(rows[0]!.params, { epochs: 3, lr: 0.2, optimizer: 'sgd' });
      assert.ok(Math.abs((rows[0]!.metrics as { acc: number }).acc - 0.9) < 1e-9);
      assert.deepEqual(rows[0]!.artifacts, ['summary.json', 'weights.bin']);
    });

    test('`baton ml metrics` shows the step-wise history; `baton ml artifacts` where artifacts are', async () => {
      const [r, a, unknown, noRun] = await Promise.all([
        runCli(['ml', 'metrics', 'tracked', runs[0]!, 'train', '--metric', 'loss', '-o', 'json'], env),
        runCli(['ml', 'artifacts', 'tracked', '-r', runs[0]!, '-o', 'json'], env),
        runCli(['ml', 'runs', 'no_such_dag'], env),
        runCli(['ml', 'metrics', 'tracked', 'missing_run', 'train'], env),
      ]);
      assert.equal(r.code, 0, show(r));
      const points = JSON.parse(r.stdout) as Array<{ step: number; value: number; metric: string; try: number }>;
      assert.deepEqual(points.map((p) => [p.try, p.metric, p.step]), [[1, 'loss', 0], [1, 'loss', 1], [1, 'loss', 2]]);
      assert.equal(a.code, 0, show(a));
      const listed = JSON.parse(a.stdout) as Array<{ name: string; url: string }>;
      assert.deepEqual(listed.map((x) => x.name), ['summary.json', 'weights.bin']);
      assert.ok(listed[0]!.url.startsWith(`file://${ARTIFACTS_HOME}/artifacts/ml/runs/tracked/`), listed[0]!.url);
      assert.equal(unknown.code, 1, show(unknown));
      assert.match(unknown.stderr, /DAG 'no_such_dag' is not in the database/);
      assert.equal(noRun.code, 1, show(noRun));
      assert.match(noRun.stderr, /has no run with id 'missing_run'/);
    });
  });
}

/**
 * The model registry and the tracking store, with the same expectations for every backend: the
 * metadata database on SQLite and PostgreSQL, and memory (`dags test`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LocalObjectStore } from '../../src/providers/objectstore/local.ts';
import { DbModelRegistry, MemoryModelRegistry, ModelNotFoundError, ModelStore, RollbackError, type ModelRegistry } from '../../src/providers/ml/registry/index.ts';
import { DbTrackingStore, MemoryTrackingStore, MlInputError, mlRequestHandler, type TrackingStore, type TryRef } from '../../src/providers/ml/tracking/index.ts';
import { eachDialect, type TestDb } from '../support/databases.ts';
import { tempDir } from '../providers/support.ts';

interface Backend {
  name: string;
  open(): Promise<{ registry: ModelRegistry; tracking: TrackingStore; close(): Promise<void> }>;
}

const backends: Backend[] = [
  ...eachDialect().map((d) => ({
    name: d.name,
    async open() {
      const db: TestDb = await d.open();
      return { registry: new DbModelRegistry(db.db), tracking: new DbTrackingStore(db.db), close: () => db.drop() };
    },
  })),
  { name: 'memory', open: async () => ({ registry: new MemoryModelRegistry(), tracking: new MemoryTrackingStore(), close: async () => {} }) },
];

const ti = (over: Partial<TryRef> = {}): TryRef => ({ dagId: 'd', runId: 'r1', taskId: 'train', mapIndex: -1, tryNumber: 1, ...over });

for (const backend of backends) {
  describe(`ML stores on ${backend.name}`, () => {
    let registry: ModelRegistry;
    let tracking: TrackingStore;
    let models: ModelStore;
    let close: () => Promise<void>;
    let dir: Awaited<ReturnType<typeof tempDir>>;
    before(async () => {
      ({ registry, tracking, close } = await backend.open());
      dir = await tempDir('baton-ml-');
      models = new ModelStore(registry, new LocalObjectStore(dir.path));
    });
    after(async () => {
      await close?.();
      await dir?.remove();
    });

    const register = (name: string, artifact: unknown = { format: 'test', n: 1 }, metrics: Record<string, number> = {}) =>
      models.register({ name, artifact: { kind: 'json', value: artifact }, metrics, params: {}, description: null, source: null });

    test('versions count up from 1 per model, even when registered concurrently, and start in stage none', async () => {
      const first = await register('counted', { format: 'test', n: 1 }, { acc: 0.5 });
      assert.equal(first.version, 1);
      assert.equal(first.stage, 'none');
      const more = await Promise.all([1, 2, 3, 4].map((n) => register('counted', { format: 'test', n })));
      assert.deepEqual(more.map((v) => v.version).sort(), [2, 3, 4, 5]);
      assert.equal((await register('other')).version, 1);
      const listed = await registry.listVersions({ name: 'counted' });
      assert.deepEqual(listed.map((v) => [v.version, v.stage]), [[1, 'none'], [2, 'none'], [3, 'none'], [4, 'none'], [5, 'none']]);
      assert.deepEqual(listed[0]!.metrics, { acc: 0.5 });
      assert.equal(listed[0]!.artifact.format, 'test');
      const loaded = await models.load('counted', 1);
      assert.deepEqual(loaded?.body, { kind: 'json', value: { format: 'test', n: 1 } });
      assert.equal((await registry.getVersion('counted', 'latest'))?.version, 5);
      assert.equal(await registry.getVersion('counted', 'production'), null);
      assert.equal(await registry.getVersion('counted', 99), null);
      assert.equal(await registry.getVersion('nope', 'latest'), null);
    });

    test('promoting to production archives the previous production version; staging does not', async () => {
      for (let i = 0; i < 3; i++) await register('promo');
      assert.deepEqual(await registry.setStage('promo', 1, 'production'), { name: 'promo', version: 1, from: 'none', to: 'production', archived: [] });
      assert.deepEqual(await registry.setStage('promo', 2, 'staging'), { name: 'promo', version: 2, from: 'none', to: 'staging', archived: [] });
      assert.equal((await registry.getVersion('promo', 'production'))?.version, 1);
      assert.deepEqual(await registry.setStage('promo', 2, 'production'), { name: 'promo', version: 2, from: 'staging', to: 'production', archived: [1] });
      const stages = (await registry.listVersions({ name: 'promo' })).map((v) => v.stage);
      assert.deepEqual(stages, ['archived', 'production', 'none']);
      assert.deepEqual((await registry.setStage('promo', 2, 'production')).archived, [], 'promoting the production version again changes nothing');
      await assert.rejects(registry.setStage('promo', 9, 'production'), (e: Error) => e instanceof ModelNotFoundError && /model 'promo' has no version 9 \(its versions: 1–3\)/.test(e.message));
      await assert.rejects(registry.setStage('ghost', 1, 'production'), (e: Error) => e instanceof ModelNotFoundError && /model 'ghost' is not registered/.test(e.message));
    });

    test('rollback restores the previous production version and archives the current one, never restoring a rolled-back version', async () => {
      for (let i = 0; i < 3; i++) await register('rb');
      await assert.rejects(registry.rollback('rb'), (e: Error) => e instanceof RollbackError && /no earlier production version/.test(e.message));
      await registry.setStage('rb', 1, 'production');
      await assert.rejects(registry.rollback('rb'), RollbackError);
      await registry.setStage('rb', 2, 'production');
      await registry.setStage('rb', 3, 'production');
      assert.deepEqual(await registry.rollback('rb'), { name: 'rb', restored: 2, archived: 3 });
      assert.deepEqual((await registry.listVersions({ name: 'rb' })).map((v) => v.stage), ['archived', 'production', 'archived']);
      assert.deepEqual(await registry.rollback('rb'), { name: 'rb', restored: 1, archived: 2 }, 'a second rollback goes further back, not to the rolled-back version 3');
      await assert.rejects(registry.rollback('rb'), RollbackError);
      assert.equal((await registry.getVersion('rb', 'production'))?.version, 1);
      // Promoting a rolled-back version again makes it eligible once more.
      await registry.setStage('rb', 3, 'production');
      assert.deepEqual(await registry.rollback('rb'), { name: 'rb', restored: 1, archived: 3 });
    });

    test('tracking keeps the last value of a param, the final metric per try, step-wise history and artifacts', async () => {
      await tracking.logParams(ti(), { lr: 0.1, layers: [2, 3] }, '2024-01-01T00:00:00.000Z');
      await tracking.logParams(ti(), { lr: 0.2 }, '2024-01-01T00:00:01.000Z');
      await tracking.logMetrics(ti(), { loss: 0.9, acc: 0.5 }, 0, '2024-01-01T00:00:02.000Z');
      await tracking.logMetrics(ti(), { loss: 0.4 }, 2, '2024-01-01T00:00:04.000Z');
      await tracking.logMetrics(ti(), { loss: 0.6 }, 1, '2024-01-01T00:00:05.000Z');
      await tracking.logMetrics(ti(), { acc: 0.7 }, 0, '2024-01-01T00:00:06.000Z');
      await tracking.logArtifact(ti(), { name: 'report.json', key: 'k1', encoding: 'json', contentType: 'application/json', sizeBytes: 10, loggedAt: '2024-01-01T00:00:03.000Z' });
      await tracking.logMetrics(ti({ runId: 'r2', tryNumber: 2 }), { loss: 0.3 }, 0, '2023-12-31T00:00:00.000Z');
      await tracking.logParams(ti({ dagId: 'other' }), { lr: 1 }, '2024-01-01T00:00:00.000Z');

      const tries = await tracking.listTries({ dagId: 'd' });
      assert.deepEqual(tries.map((t) => [t.runId, t.tryNumber, t.firstLoggedAt]), [['r2', 2, '2023-12-31T00:00:00.000Z'], ['r1', 1, '2024-01-01T00:00:00.000Z']]);
      const r1 = tries[1]!;
      assert.deepEqual(r1.params, { layers: [2, 3], lr: 0.2 });
      assert.deepEqual(r1.metrics, { acc: 0.7, loss: 0.4 }, 'the highest step wins; among equal steps the last logged');
      assert.deepEqual(r1.artifacts.map((a) => [a.name, a.key]), [['report.json', 'k1']]);
      assert.deepEqual((await tracking.listTries({ dagId: 'd', runId: 'r2' })).map((t) => t.metrics), [{ loss: 0.3 }]);

      const history = await tracking.metricHistory({ dagId: 'd', runId: 'r1', taskId: 'train', key: 'loss' });
      assert.deepEqual(history.map((p) => [p.step, p.value]), [[0, 0.9], [1, 0.6], [2, 0.4]]);
      assert.equal((await tracking.metricHistory({ dagId: 'd', runId: 'r1', taskId: 'train' })).length, 5);
      assert.deepEqual(await tracking.metricHistory({ dagId: 'd', runId: 'r1', taskId: 'train', tryNumber: 2 }), []);
    });

    test('the request handler checks what tasks send and stores artifacts under their try', async () => {
      const handle = mlRequestHandler({ tracking, models });
      const who = ti({ dagId: 'h', runId: 'manual__2024-01-01T00:00:00+00:00' });
      await assert.rejects(handle(who, { op: 'logMetrics', metrics: { bad: Number.NaN }, step: 0, timestamp: 'x' }), MlInputError);
      await assert.rejects(handle(who, { op: 'logArtifact', name: '../escape', body: { kind: 'text', text: 'x' }, contentType: null }), /empty, "\." or "\.\." part/);
      await assert.rejects(handle(who, { op: 'registerModel', name: 'bad name', artifact: { kind: 'text', text: 'x' }, metrics: {}, params: {}, description: null }), /model name "bad name" is not valid/);
      const ref = (await handle(who, { op: 'logArtifact', name: 'plots/loss.csv', body: { kind: 'text', text: 'step,loss\n0,1\n' }, contentType: 'text/csv' })) as { key: string };
      assert.equal(ref.key, 'ml/runs/h/manual__2024-01-01T00%3A00%3A00%2B00%3A00/train/-1/1/plots/loss.csv');
      assert.equal(new TextDecoder().decode(await models.objects.get(ref.key)), 'step,loss\n0,1\n');
      const [t] = await tracking.listTries({ dagId: 'h' });
      assert.deepEqual(t!.artifacts.map((a) => [a.name, a.contentType, a.encoding, a.sizeBytes]), [['plots/loss.csv', 'text/csv', 'text', 14]]);
      const reg = await handle(who, { op: 'registerModel', name: 'from-task', artifact: { kind: 'bytes', base64: 'AQID' }, metrics: { f1: 0.5 }, params: { k: 'v' }, description: 'd' });
      assert.deepEqual(reg, { name: 'from-task', version: 1 });
      const v = await registry.getVersion('from-task', 1);
      assert.deepEqual(v?.source, who);
      assert.deepEqual(v?.params, { k: 'v' });
      const got = (await handle(who, { op: 'getModel', name: 'from-task', selector: 'latest' })) as { artifact: unknown; stage: string };
      assert.deepEqual(got.artifact, { kind: 'bytes', base64: 'AQID' });
      assert.equal(await handle(who, { op: 'getModel', name: 'from-task', selector: 'production' }), null);
    });
  });
}

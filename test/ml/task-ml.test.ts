/**
 * `ctx.ml` in `dags test` (answered in memory), argument checks where the task sees them, and
 * the request shapes the worker protocol accepts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { asFromWorker } from '../../src/executors/local/protocol.ts';
import { createTaskMl, parseMlRequest, type MlRequest, type TryRef } from '../../src/providers/ml/tracking/index.ts';
import { loadTextClassifier, type TextClassifier } from '../../src/providers/ml/text-classifier/index.ts';
import { runDagLocally } from '../../src/runner/local-dag-run.ts';
import { dag, task } from '../../src/sdk/index.ts';
import { serializeDag } from '../../src/sdk/serialize.ts';
import { smallClassifiers } from './support.ts';

const TI: TryRef = { dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1, tryNumber: 1 };

describe('ctx.ml', () => {
  test('in dags test, tasks track, register, promote, roll back and load models in memory', async () => {
    const d = dag({ id: 'ml_local', schedule: null }, () => {
      const train = task('train', async (_: void, ctx) => {
        await ctx.ml.logParams({ rows: 150 });
        await ctx.ml.logMetrics({ loss: 0.5 }, { step: 1 });
        const ref = await ctx.ml.logArtifact('notes.txt', 'hello');
        const { first, second } = smallClassifiers();
        const v1 = await ctx.ml.registerModel('tags', first, { f1: 0.8 }, { description: 'first' });
        const v2 = await ctx.ml.registerModel('tags', second, { f1: 0.9 });
        await ctx.ml.promote('tags', v1.version, 'production');
        const change = await ctx.ml.promote('tags', v2.version, 'production');
        return { ref: ref.url, versions: [v1.version, v2.version], archived: change.archived };
      });
      const check = task('check', async (_: unknown, ctx) => {
        const prod = await ctx.ml.getModel('tags');
        const rb = await ctx.ml.rollback('tags');
        const after = await ctx.ml.getModel('tags', { stage: 'production' });
        const byNumber = await ctx.ml.getModel('tags', { stage: 2 });
        const clf: TextClassifier = loadTextClassifier(after!.artifact);
        return {
          prod: prod && [prod.version, prod.stage, prod.metrics, prod.format], rb, after: after?.version, byNumber: byNumber?.stage,
          missing: await ctx.ml.getModel('nothing'), label: clf.predict('image segmentation'),
        };
      });
      check(train());
    });
    const r = await runDagLocally({ dag: d, serialized: serializeDag(d), print: () => {}, fastRetries: true });
    assert.equal(r.state, 'success', JSON.stringify(r.tis));
    const value = (taskId: string) => r.xcoms.find((x) => x.taskId === taskId && x.key === 'return_value')?.value;
    assert.deepEqual(value('train'), { ref: `memory:ml/runs/ml_local/${encodeURIComponent(r.runId)}/train/-1/1/notes.txt`, versions: [1, 2], archived: [1] });
    assert.deepEqual(value('check'), {
      prod: [2, 'production', { f1: 0.9 }, 'baton.text-classifier'], rb: { name: 'tags', restored: 1, archived: 2 }, after: 1, byNumber: 'archived',
      missing: null, label: smallClassifiers().first.predict('image segmentation'),
    });
  });

  test('checks arguments before anything is sent', async () => {
    const sent: MlRequest[] = [];
    const ml = createTaskMl(TI, async (req) => {
      sent.push(req);
      return null;
    });
    await assert.rejects(ml.logMetrics({ acc: Number.POSITIVE_INFINITY }), /metric 'acc' must be a finite number \(got Infinity\)/);
    await assert.rejects(ml.logMetrics({ acc: 1 }, { step: -1 }), /step must be an integer from 0/);
    await assert.rejects(ml.logMetrics({ acc: '1' as unknown as number }), /metric 'acc' must be a finite number \(got "1"\)/);
    await assert.rejects(ml.logParams({ f: () => 1 }), /param 'f' cannot be stored: a function has no JSON form/);
    await assert.rejects(ml.logArtifact('a/../b', 'x'), /has an empty, "\." or "\.\." part/);
    await assert.rejects(ml.logArtifact('x', 10n as unknown as object), /artifact 'x' cannot be stored: it is not JSON-serializable/);
    await assert.rejects(ml.registerModel('has space', {}), /model name "has space" is not valid/);
    await assert.rejects(ml.promote('m', 0, 'production'), /model version must be a positive integer \(got 0\)/);
    await assert.rejects(ml.promote('m', 1, 'live' as never), /stage must be one of none, staging, production, archived/);
    await assert.rejects(ml.getModel('m', { stage: 'best' as never }), /stage must be 'production', 'staging', 'latest' or a version number/);
    assert.deepEqual(sent, []);
    await ml.logParams({});
    await ml.logMetrics({ acc: 1 }, { step: 3 });
    assert.equal(sent.length, 1);
    assert.deepEqual({ ...(sent[0] as object), timestamp: 'x' }, { op: 'logMetrics', metrics: { acc: 1 }, step: 3, timestamp: 'x' });
    await assert.rejects(ml.logArtifact('x', 'y'), /ctx\.ml\.logArtifact got an unexpected answer/);
    await assert.rejects(createTaskMl(TI, undefined).logParams({ a: 1 }), /ctx\.ml\.logParams is not available in this runner/);
  });

  test('artifacts keep their kind: values, text and bytes', async () => {
    const ml = createTaskMl(TI, async (req) => (req.op === 'getModel' ? { name: 'm', version: 1, stage: 'none', artifact: { kind: 'bytes', base64: 'AAEC' } } : null));
    const m = await ml.getModel<Uint8Array>('m', { stage: 'latest' });
    assert.deepEqual([...m!.artifact], [0, 1, 2]);
    assert.ok(m!.artifact instanceof Uint8Array);
  });

  test('the worker protocol accepts well-formed ML calls and drops malformed ones', () => {
    const ok = { kind: 'service', seq: 1, id: 2, call: { method: 'ml', request: { op: 'promote', name: 'm', version: 2, stage: 'production' } } };
    assert.deepEqual(asFromWorker(ok), ok);
    const bytes = { op: 'logArtifact', name: 'w.bin', body: { kind: 'bytes', base64: 'AQ==' }, contentType: null };
    assert.deepEqual(parseMlRequest(bytes), bytes);
    for (const bad of [{ op: 'logArtifact', name: 'x', body: { kind: 'bytes', base64: 5 }, contentType: null }, { op: 'rollback' }, { op: 'drop', name: 'm' }, null, 'x']) {
      assert.equal(parseMlRequest(bad), null, JSON.stringify(bad));
      assert.equal(asFromWorker({ ...ok, call: { method: 'ml', request: bad } }), null);
    }
  });
});

/**
 * Serving the production version of a registered model over real HTTP (127.0.0.1, a free
 * port), with the registry in the metadata database on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DbModelRegistry, ModelStore } from '../../src/providers/ml/registry/index.ts';
import { ModelLoaders, startModelServer, textClassifierLoader, type RunningModelServer } from '../../src/providers/ml/serving/index.ts';
import { projectText } from '../../src/providers/ml/text-classifier/index.ts';
import { LocalObjectStore } from '../../src/providers/objectstore/local.ts';
import { eachDialect, type TestDb } from '../support/databases.ts';
import { tempDir } from '../providers/support.ts';
import { call, eventually, smallClassifiers } from './support.ts';

const TEXT = 'Object detection in images with convolutional neural networks';
const PROJECT = { title: 'Transformers for text', description: 'Fine-tuning BERT for sentiment analysis and named entity recognition.' };

for (const dialect of eachDialect()) {
  describe(`models serve on ${dialect.name}`, () => {
    let db: TestDb;
    let dir: Awaited<ReturnType<typeof tempDir>>;
    let store: ModelStore;
    let server: RunningModelServer;
    const logs: string[] = [];
    const register = (artifact: unknown) => store.register({ name: 'clf', artifact: { kind: 'json', value: artifact }, metrics: { f1: 0.5 }, params: {}, description: null, source: null });

    before(async () => {
      db = await dialect.open();
      dir = await tempDir('baton-serve-');
      store = new ModelStore(new DbModelRegistry(db.db), new LocalObjectStore(dir.path));
      server = await startModelServer({ models: store, name: 'clf', port: 0, refreshMs: 50, log: (l) => logs.push(l) });
    });
    after(async () => {
      await server?.stop();
      await db?.drop();
      await dir?.remove();
    });

    test('answers 503 with a clear message before the model has a production version', async () => {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const none = await call(`${server.url}/predict`, { body: { text: TEXT } });
      assert.equal(none.status, 503);
      assert.match(none.body.error, /model 'clf' has no production version: no version of 'clf' is registered yet/);
      await register(smallClassifiers().first.toJSON());
      const health = await eventually('the new version to be noticed', async () => {
        const h = await call(`${server.url}/health`);
        return /promote one: `baton models promote clf <version>` \(latest is 1\)/.test(h.body.error) && h;
      });
      assert.equal(health.status, 503);
      assert.equal(health.body.status, 'unavailable');
    });

    test('predicts with the production version for { text }, { inputs } and { title, description }', async () => {
      await store.registry.setStage('clf', 1, 'production');
      const clf = smallClassifiers().first;
      const one = await eventually('version 1 to be served', async () => {
        const r = await call(`${server.url}/predict`, { body: { text: TEXT } });
        return r.status === 200 && r;
      });
      assert.equal(one.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.deepEqual(Object.keys(one.body), ['model', 'version', 'predictions']);
      assert.equal(one.body.model, 'clf');
      assert.equal(one.body.version, 1);
      assert.equal(one.body.predictions.length, 1);
      const [p] = one.body.predictions;
      assert.equal(p.label, clf.predict(TEXT));
      assert.deepEqual(Object.keys(p.probabilities), [...clf.labels]);
      assert.ok(Math.abs(Object.values(p.probabilities as Record<string, number>).reduce((a, b) => a + b, 0) - 1) < 1e-9);

      const many = await call(`${server.url}/predict`, { body: { inputs: [TEXT, PROJECT, { text: 'MLOps pipelines for model deployment' }] } });
      assert.equal(many.status, 200, JSON.stringify(many.body));
      assert.deepEqual(many.body.predictions.map((x: { label: string }) => x.label), [clf.predict(TEXT), clf.predict(projectText(PROJECT)), clf.predict('MLOps pipelines for model deployment')]);
      const project = await call(`${server.url}/predict`, { body: PROJECT });
      assert.equal(project.body.predictions[0].label, clf.predict(projectText(PROJECT)));
      assert.deepEqual(project.body.predictions[0].probabilities, clf.predictProba(projectText(PROJECT)));
      const health = await call(`${server.url}/health`);
      assert.deepEqual(health.body, { status: 'ok', model: 'clf', version: 1, format: 'baton.text-classifier' });
    });

    test('bad requests get a 400 (or 404, 405, 413) with a JSON error', async () => {
      const cases: Array<[unknown, RegExp]> = [
        ['{not json', /the body is not valid JSON/],
        ['', /the body is empty/],
        [[TEXT], /the body must be a JSON object/],
        [{}, /the body has no "inputs", "text" or "title"/],
        [{ inputs: [] }, /"inputs" must be a non-empty array/],
        [{ inputs: 'text' }, /"inputs" must be a non-empty array/],
        [{ inputs: [TEXT, 5] }, /inputs\[1\] must be a string, \{ "text": "\.\.\." \} or \{ "title"/],
        [{ text: 5 }, /"text" must be a string/],
        [{ title: 'x', description: 3 }, /"description" must be a string/],
        [{ inputs: new Array(1001).fill('x') }, /send at most 1000 per request/],
      ];
      for (const [body, error] of cases) {
        const r = await call(`${server.url}/predict`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
        assert.equal(r.status, 400, `${JSON.stringify(body)?.slice(0, 60)} → ${JSON.stringify(r.body)}`);
        assert.match(r.body.error, error);
      }
      const get = await call(`${server.url}/predict`);
      assert.equal(get.status, 405);
      assert.equal(get.headers.get('allow'), 'POST');
      assert.equal((await call(`${server.url}/nope`)).status, 404);
      const big = await call(`${server.url}/predict`, { body: JSON.stringify({ text: 'x'.repeat(1024 * 1024 + 10) }) });
      assert.equal(big.status, 413);
      assert.equal((await call(`${server.url}/predict`, { body: { text: TEXT } })).status, 200, 'still serving after bad requests');
    });

    test('switches to a newly promoted version, and back on rollback, without a restart', async () => {
      const v2 = await register(smallClassifiers().second.toJSON());
      assert.equal(v2.version, 2);
      assert.equal((await call(`${server.url}/predict`, { body: { text: TEXT } })).body.version, 1, 'registering alone changes nothing');
      await store.registry.setStage('clf', 2, 'production');
      const switched = await eventually('version 2 to be served', async () => {
        const r = await call(`${server.url}/predict`, { body: { text: TEXT } });
        return r.body.version === 2 && r;
      });
      assert.equal(switched.body.predictions[0].label, smallClassifiers().second.predict(TEXT));
      await store.registry.rollback('clf');
      await eventually('version 1 to be served again', async () => (await call(`${server.url}/predict`, { body: { text: TEXT } })).body.version === 1);
      assert.ok(logs.some((l) => /serving model 'clf' version 2/.test(l)), logs.join('\n'));
    });

    test('a version whose artifact no loader reads answers 503; a registered loader serves it', async () => {
      const v3 = await register({ format: 'constant', label: 'always' });
      await store.registry.setStage('clf', v3.version, 'production');
      const refused = await eventually('version 3 to be refused', async () => {
        const r = await call(`${server.url}/predict`, { body: { text: TEXT } });
        return r.status === 503 && r;
      });
      assert.match(refused.body.error, /version 3 cannot be served: its artifact has format 'constant', which no loader reads \(loaders: baton\.text-classifier\)/);
      const loaders = new ModelLoaders([textClassifierLoader]).register({
        format: 'constant',
        load: (artifact) => ({ predict: (inputs) => inputs.map(() => ({ label: (artifact as { label: string }).label, probabilities: { always: 1 } })) }),
      });
      const custom = await startModelServer({ models: store, name: 'clf', port: 0, loaders });
      try {
        const r = await call(`${custom.url}/predict`, { body: { inputs: ['a', 'b'] } });
        assert.deepEqual(r.body, { model: 'clf', version: 3, predictions: [{ label: 'always', probabilities: { always: 1 } }, { label: 'always', probabilities: { always: 1 } }] });
      } finally {
        await custom.stop();
      }
      await assert.rejects(startModelServer({ models: store, name: 'clf', port: server.port }), /port \d+ on 127\.0\.0\.1 is already in use/);
    });
  });
}

/**
 * `baton models list | promote | rollback | serve` against a test database of each dialect,
 * with artifacts under the command's $BATON_HOME/artifacts: `serve` (which runs until stopped)
 * as the real command in a child process, the others in-process.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DbModelRegistry, ModelStore } from '../../src/providers/ml/registry/index.ts';
import { LocalObjectStore } from '../../src/providers/objectstore/local.ts';
import { eachDialect } from '../support/databases.ts';
import { openCliEnv, ROOT, runJson, show, type CliEnv } from '../cli/cli-helpers.ts';
import { call, eventually, smallClassifiers } from './support.ts';

const TEXT = 'Generative adversarial networks for image synthesis';

/** Starts `baton models serve …` and resolves with its URL once it listens. */
async function startServe(cli: CliEnv, ...args: string[]): Promise<{ url: string; proc: ChildProcess; output: () => string }> {
  const proc = spawn(process.execPath, [join(ROOT, 'bin/baton.js'), 'models', 'serve', ...args], { cwd: ROOT, env: cli.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const url = await eventually('the model server to listen', async () => {
    if (proc.exitCode !== null) throw new Error(`baton models serve exited ${proc.exitCode}:\n${out}`);
    return /Serving model \S+ at (http:\/\/\S+)/.exec(out)?.[1];
  }, 60_000);
  return { url, proc, output: () => out };
}

for (const dialect of eachDialect()) {
  describe(`baton models on ${dialect.name}`, () => {
    let cli: CliEnv;
    let store: ModelStore;
    before(async () => {
      cli = await openCliEnv(dialect);
      store = new ModelStore(new DbModelRegistry(cli.db.db), new LocalObjectStore(join(cli.home, 'artifacts')));
      const { first, second } = smallClassifiers();
      for (const [clf, f1] of [[first, 0.61234567], [second, 0.7]] as const) {
        await store.register({ name: 'tags', artifact: { kind: 'json', value: clf.toJSON() }, metrics: { f1 }, params: {}, description: null, source: null });
      }
      await store.register({ name: 'aaa', artifact: { kind: 'text', text: 'x' }, metrics: {}, params: {}, description: null, source: null });
    });
    after(() => cli?.close());

    test('list, promote and rollback: the previous production version is archived, and restored by rollback', async () => {
      const listed = await runJson(cli, 'models', 'list');
      assert.deepEqual(listed.map((r) => [r.name, r.version, r.stage]), [['aaa', 1, 'none'], ['tags', 1, 'none'], ['tags', 2, 'none']]);
      assert.deepEqual(listed[1]!.metrics, { f1: 0.61234567 });
      assert.match(String(listed[1]!.created), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

      const p1 = await cli.run('models', 'promote', 'tags', '1');
      assert.equal(p1.code, 0, show(p1));
      assert.equal(p1.stdout, 'Model tags version 1: none → production\n');
      const p2 = await cli.run('models', 'promote', 'tags', '2', '--stage', 'production');
      assert.equal(p2.stdout, 'Model tags version 2: none → production (archived version 1)\n', show(p2));
      const table = await cli.run('models', 'list', '--name', 'tags');
      assert.match(table.stdout, /^name\s+\| version \| stage\s+\| metrics\s+\| created/);
      assert.match(table.stdout, /tags\s+\| 1\s+\| archived\s+\| f1=0\.6123\s+\|/);
      assert.match(table.stdout, /tags\s+\| 2\s+\| production \| f1=0\.7\s+\|/);

      const rb = await cli.run('models', 'rollback', 'tags');
      assert.equal(rb.stdout, 'Model tags rolled back: version 1 is in production (version 2 archived)\n', show(rb));
      assert.deepEqual((await runJson(cli, 'models', 'list', '-n', 'tags')).map((r) => r.stage), ['production', 'archived']);
      const events = await cli.db.db.selectFrom('log').select('event').where('event', 'like', 'cli_models_%').orderBy('id').execute();
      assert.deepEqual(events.map((e) => e.event), ['cli_models_promote', 'cli_models_promote', 'cli_models_rollback']);
    });

    test('unknown models and versions fail with exit 1, bad arguments with exit 2', async () => {
      const [noModel, noVersion, badVersion, badStage, noRollback, listUnknown] = await Promise.all([
        cli.run('models', 'promote', 'ghost', '1'),
        cli.run('models', 'promote', 'tags', '7'),
        cli.run('models', 'promote', 'tags', 'one'),
        cli.run('models', 'promote', 'tags', '1', '--stage', 'live'),
        cli.run('models', 'rollback', 'aaa'),
        cli.run('models', 'list', '--name', 'ghost'),
      ]);
      assert.equal(noModel.code, 1, show(noModel));
      assert.match(noModel.stderr, /^error: model 'ghost' is not registered \(registered models: aaa, tags\)/);
      assert.equal(noVersion.code, 1, show(noVersion));
      assert.match(noVersion.stderr, /model 'tags' has no version 7 \(its versions: 1–2\)/);
      assert.equal(badVersion.code, 2, show(badVersion));
      assert.match(badVersion.stderr, /model version must be a positive integer/);
      assert.equal(badStage.code, 2, show(badStage));
      assert.match(badStage.stderr, /stage must be one of none, staging, production, archived/);
      assert.equal(noRollback.code, 1, show(noRollback));
      assert.match(noRollback.stderr, /model 'aaa' has no earlier production version to roll back to \(no version is in production/);
      assert.equal(listUnknown.code, 1, show(listUnknown));
    });

    test('serve answers predictions, 503 without a production version, and follows promotions without a restart', async () => {
      await store.register({ name: 'later', artifact: { kind: 'json', value: smallClassifiers().first.toJSON() }, metrics: {}, params: {}, description: null, source: null });
      const tags = await startServe(cli, 'tags', '--port', '0', '--refresh-interval', '0.1');
      const later = await startServe(cli, 'later', '--port', '0', '--host', '127.0.0.1');
      try {
        assert.match(tags.output(), /production version: version 1; checked every 0\.1 s/);
        const r = await call(`${tags.url}/predict`, { body: { text: TEXT } });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.version, 1);
        assert.equal(r.body.predictions[0].label, smallClassifiers().first.predict(TEXT));

        assert.match(later.output(), /production version: none yet \(requests get 503 until a version is promoted\)/);
        const unavailable = await call(`${later.url}/predict`, { body: { text: TEXT } });
        assert.equal(unavailable.status, 503);
        assert.match(unavailable.body.error, /model 'later' has no production version/);
        const bad = await call(`${tags.url}/predict`, { body: { inputs: [] } });
        assert.equal(bad.status, 400);

        const promoted = await cli.run('models', 'promote', 'tags', '2');
        assert.equal(promoted.code, 0, show(promoted));
        const switched = await eventually('the server to serve version 2', async () => {
          const s = await call(`${tags.url}/predict`, { body: { title: 'GANs', description: TEXT } });
          return s.body.version === 2 && s;
        });
        assert.equal(switched.status, 200);
        assert.match(tags.output(), /serving model 'tags' version 2 \(baton\.text-classifier\)/);
      } finally {
        for (const s of [tags, later]) {
          s.proc.kill('SIGTERM');
          if (s.proc.exitCode === null) await once(s.proc, 'exit');
        }
      }
      assert.match(tags.output(), /SIGTERM: stopping the model server/);
      assert.equal(tags.proc.exitCode, 0, tags.output());
    });
  });
}

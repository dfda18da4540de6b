/**
 * The web UI's private endpoints (/ui/…) and how the API server serves the UI's page, on every
 * dialect through the real app: the grid in one answer (states, mapped summaries, groups),
 * recent runs per DAG, the signed-in user's permissions, ML runs, metrics and the registry's
 * promote and rollback, and the errors for bad input (each leaving the data unchanged).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DbModelRegistry } from '../../src/providers/ml/registry/index.ts';
import { DbTrackingStore } from '../../src/providers/ml/tracking/db-store.ts';
import { openApiHarness, type ApiHarness } from '../api/support/api-harness.ts';
import { eachDialect } from '../support/databases.ts';
import { insertRun, insertTi } from '../support/store-fixtures.ts';

const uiDir = mkdtempSync(join(tmpdir(), 'baton-ui-dist-'));
mkdirSync(join(uiDir, 'assets'));
writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>Baton</title><div id="root"></div>');
writeFileSync(join(uiDir, 'assets', 'app-1234.js'), 'console.log(1)');
// As scripts/build-ui.mjs leaves them: a bundle with its brotli and gzip copies.
const BUNDLE = `console.log(${JSON.stringify('x'.repeat(4000))});`;
writeFileSync(join(uiDir, 'assets', 'big-5678.js'), BUNDLE);
writeFileSync(join(uiDir, 'assets', 'big-5678.js.br'), brotliCompressSync(BUNDLE));
writeFileSync(join(uiDir, 'assets', 'big-5678.js.gz'), gzipSync(BUNDLE));
after(() => rmSync(uiDir, { recursive: true, force: true }));

for (const dialect of eachDialect()) {
  describe(`the UI endpoints on ${dialect.name}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await openApiHarness(dialect, { app: { uiDir } });
      await insertRun(h.db, 'api_mapped', 'r1', '2024-01-01T00:00:00.000Z', { state: 'success' });
      await insertRun(h.db, 'api_mapped', 'r2', '2024-01-02T00:00:00.000Z', { state: 'running' });
      await insertTi(h.db, { dagId: 'api_mapped', runId: 'r1' }, 'numbers', 'success');
      for (const [i, s] of (['success', 'failed', 'success'] as const).entries()) await insertTi(h.db, { dagId: 'api_mapped', runId: 'r1' }, 'square', s, { map_index: i });
      await insertTi(h.db, { dagId: 'api_mapped', runId: 'r2' }, 'numbers', 'running');
    });
    after(() => h?.close());

    const get = (path: string, role: 'Admin' | 'Viewer' | 'User' | null = 'Admin') => h.call('GET', path, { role, unchecked: true });

    test('the grid answers tasks, runs oldest first, states and mapped counts in one response', async () => {
      const r = await get('/ui/dags/api_mapped/grid');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.tasks.map((t: { task_id: string; is_mapped: boolean; upstream: string[] }) => [t.task_id, t.is_mapped, t.upstream]), [['numbers', false, []], ['square', true, ['numbers']]]);
      assert.deepEqual(r.body.runs.map((x: { run_id: string; state: string }) => [x.run_id, x.state]), [['r1', 'success'], ['r2', 'running']]);
      const state = (i: number) => r.body.states[i];
      assert.deepEqual(r.body.cells.map((row: number[]) => row.map((i) => (i >= 0 ? state(i) : i))), [['success', -2], ['running', -1]], 'states by index; -2 mapped, -1 none');
      assert.deepEqual(r.body.mapped, { '0:1': { total: 3, states: { success: 2, failed: 1 } } });
    });

    test('the grid keeps the latest num_runs and refuses a bad num_runs or an unknown DAG', async () => {
      const one = await get('/ui/dags/api_mapped/grid?num_runs=1');
      assert.deepEqual(one.body.runs.map((x: { run_id: string }) => x.run_id), ['r2']);
      const before = await get('/ui/dags/api_mapped/grid?before=2024-01-02T00:00:00Z');
      assert.deepEqual(before.body.runs.map((x: { run_id: string }) => x.run_id), ['r1']);
      for (const bad of ['0', '366', 'abc']) {
        const r = await get(`/ui/dags/api_mapped/grid?num_runs=${bad}`);
        assert.equal(r.status, 400, bad);
        assert.match(r.body.detail, /num_runs must be an integer/);
      }
      const missing = await get('/ui/dags/nope/grid');
      assert.equal(missing.status, 404);
      assert.match(missing.body.detail, /nope/);
      assert.equal((await get('/ui/dags/api_mapped/grid', null)).status, 401);
    });

    test('recent runs lists each DAG newest first, limited per DAG', async () => {
      const r = await get('/ui/recent-runs?limit=1');
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.body.dag_runs), ['api_mapped']);
      assert.deepEqual(r.body.dag_runs.api_mapped.map((x: { run_id: string }) => x.run_id), ['r2']);
      const both = await get('/ui/recent-runs?dag_id=api_mapped&dag_id=api_etl');
      assert.deepEqual(both.body.dag_runs.api_mapped.map((x: { run_id: string }) => x.run_id), ['r2', 'r1']);
      assert.equal((await get('/ui/recent-runs?limit=0')).status, 400);
    });

    test('me names the user, the role and its permissions', async () => {
      const viewer = await get('/ui/me', 'Viewer');
      assert.equal(viewer.body.role, 'Viewer');
      assert.ok(viewer.body.permissions.includes('read:DAGs'));
      assert.ok(!viewer.body.permissions.includes('create:DAG Runs'), 'a Viewer may not trigger');
      const user = await get('/ui/me', 'User');
      assert.ok(user.body.permissions.includes('create:DAG Runs'));
      const anonymous = await get('/ui/me', null);
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.headers.get('www-authenticate'), null, 'no browser password dialog for the UI');
    });

    test("the UI's API requests get 401 without the header that opens the browser's password dialog", async () => {
      const fromUi = await h.call('GET', '/api/v1/dags', { role: null, headers: { 'x-baton-ui': '1' }, unchecked: true });
      assert.equal(fromUi.status, 401);
      assert.equal(fromUi.headers.get('www-authenticate'), null);
      const fromClient = await h.call('GET', '/api/v1/dags', { role: null, unchecked: true });
      assert.match(fromClient.headers.get('www-authenticate') ?? '', /^Basic/, 'API clients still get the Basic challenge');
    });

    test('ML runs, metric history, promote and rollback; a Viewer may read but not promote', async () => {
      const tracking = new DbTrackingStore(h.db);
      const ref = { dagId: 'api_mapped', runId: 'r1', taskId: 'numbers', mapIndex: -1, tryNumber: 1 };
      await tracking.logParams(ref, { lr: 0.1 }, '2024-01-01T00:00:01.000Z');
      for (let step = 0; step < 3; step++) await tracking.logMetrics(ref, { loss: 1 / (step + 1) }, step, `2024-01-01T00:00:0${step + 2}.000Z`);
      const runs = await get('/ui/ml/runs?dag_id=api_mapped', 'Viewer');
      assert.equal(runs.status, 200);
      assert.deepEqual(runs.body.tries[0].params, { lr: 0.1 });
      assert.equal(runs.body.tries[0].metrics.loss, 1 / 3);
      const points = await get('/ui/ml/metrics?dag_id=api_mapped&run_id=r1&task_id=numbers&key=loss', 'Viewer');
      assert.deepEqual(points.body.points.map((p: { step: number }) => p.step), [0, 1, 2]);
      assert.equal((await get('/ui/ml/runs', 'Viewer')).status, 400, 'dag_id is required');

      const registry = new DbModelRegistry(h.db);
      const artifact = { key: 'k', encoding: 'json' as const, contentType: 'application/json', format: null, sizeBytes: 2 };
      await registry.createVersion({ name: 'm', artifact, metrics: {}, params: {}, description: null, source: null });
      await registry.createVersion({ name: 'm', artifact, metrics: {}, params: {}, description: null, source: null });
      const denied = await h.call('POST', '/ui/ml/models/m/versions/1/stage', { role: 'Viewer', body: { stage: 'production' }, unchecked: true });
      assert.equal(denied.status, 403);
      const badStage = await h.call('POST', '/ui/ml/models/m/versions/1/stage', { body: { stage: 'gold' }, unchecked: true });
      assert.equal(badStage.status, 400);
      const unknown = await h.call('POST', '/ui/ml/models/m/versions/9/stage', { body: { stage: 'production' }, unchecked: true });
      assert.equal(unknown.status, 404);
      assert.equal((await registry.getVersion('m', 'production')), null, 'refused changes change nothing');
      for (const v of [1, 2]) assert.equal((await h.call('POST', `/ui/ml/models/m/versions/${v}/stage`, { body: { stage: 'production' }, unchecked: true })).status, 200);
      const rolled = await h.call('POST', '/ui/ml/models/m/rollback', { unchecked: true });
      assert.deepEqual(rolled.body, { name: 'm', restored: 1, archived: 2 });
      const models = await get('/ui/ml/models', 'Viewer');
      assert.deepEqual(models.body.versions.map((v: { version: number; stage: string }) => [v.version, v.stage]), [[1, 'production'], [2, 'archived']]);
      const audit = await h.db.selectFrom('log').select('event').where('event', 'like', 'ml.model.%').execute();
      assert.equal(audit.length, 3, 'two promotions and a rollback are in the audit log');
    });

    test('a browser gets the UI page at any page path; API clients still get problem documents', async () => {
      for (const path of ['/', '/dags/api_mapped/grid?run_id=r1', '/admin/pools']) {
        const page = await h.call('GET', path, { role: null, headers: { accept: 'text/html,application/xhtml+xml' }, unchecked: true });
        assert.equal(page.status, 200, path);
        assert.match(page.text, /<div id="root">/);
        assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
      }
      const asset = await h.call('GET', '/assets/app-1234.js', { role: null, unchecked: true });
      assert.equal(asset.status, 200);
      assert.match(asset.contentType, /javascript/);
      assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
      assert.equal((await h.call('GET', '/assets/..%2f..%2fetc%2fpasswd', { role: null, unchecked: true })).status, 404);
      for (const folder of ['/assets/', '/assets']) assert.equal((await h.call('GET', folder, { role: null, unchecked: true })).status, 404, `${folder} is a folder, not a file`);
      const api = await h.call('GET', '/nothing-here', { role: null, unchecked: true });
      assert.equal(api.status, 404);
    });

    test('bundles are sent brotli- or gzip-compressed from their pre-built copies when the browser accepts it, as they are otherwise', async () => {
      const fetchAsset = async (acceptEncoding?: string) => {
        const res = await h.app.request('/assets/big-5678.js', { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} });
        return { encoding: res.headers.get('content-encoding'), vary: res.headers.get('vary'), type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
      };
      const br = await fetchAsset('gzip, deflate, br, zstd');
      assert.deepEqual([br.encoding, br.vary], ['br', 'accept-encoding']);
      assert.match(br.type ?? '', /javascript/);
      assert.equal(brotliDecompressSync(br.body).toString(), BUNDLE);
      const gz = await fetchAsset('gzip, br;q=0');
      assert.equal(gz.encoding, 'gzip');
      assert.equal(gunzipSync(gz.body).toString(), BUNDLE);
      const plain = await fetchAsset();
      assert.deepEqual([plain.encoding, plain.body.toString()], [null, BUNDLE]);
      const small = await h.app.request('/assets/app-1234.js', { headers: { 'accept-encoding': 'br' } });
      assert.equal(small.headers.get('content-encoding'), null, 'a file without compressed copies is sent as it is');
    });

    test('paths outside the UI stay the API\'s', async () => {
      const api = await h.call('GET', '/nothing-here', { role: null, unchecked: true });
      assert.equal(api.status, 404);
      assert.equal(api.contentType, 'application/problem+json');
      const apiHtml = await h.call('GET', '/api/v1/nothing', { role: 'Admin', headers: { accept: 'text/html' }, unchecked: true });
      assert.equal(apiHtml.contentType, 'application/problem+json', 'paths under /api are never the page');
    });
  });
}

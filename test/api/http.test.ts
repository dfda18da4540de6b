/**
 * What every endpoint shares: each operation of the OpenAPI document is served, errors are
 * problem documents (unknown paths 404, wrong methods 405 with Allow, no credentials 401, no
 * permission 403, oversize bodies 413, non-JSON bodies 415, malformed JSON 400), bad requests
 * change nothing, and the health check and the OpenAPI document need no credentials.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createApiApp, DEFAULT_MAX_BODY_BYTES } from '../../src/api/app.ts';
import { eachDialect } from '../support/databases.ts';
import { openApiHarness, validator, type ApiHarness } from './support/api-harness.ts';
import { testAuthenticator } from './support/test-auth.ts';

const SAMPLE_PARAMS: Record<string, string> = {
  dag_id: 'zz_missing', dag_run_id: 'zz_run', task_id: 'zz_task', map_index: '0', task_try_number: '1', xcom_key: 'k', uri: encodeURIComponent('zz://none'),
  variable_key: 'zz_var', connection_id: 'zz_conn', pool_name: 'zz_pool', import_error_id: '999', event_log_id: '999', file_token: 'eHg',
  role_name: 'Wizard', username: 'zz_user', section: 'core', option: 'zz',
};

const runCount = async (h: ApiHarness) => (await h.db.selectFrom('dag_run').select('id').execute()).length;

for (const dialect of eachDialect()) {
  describe(`HTTP behaviour on ${dialect.name}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await openApiHarness(dialect, { app: { maxBodyBytes: 2048 } });
    });
    after(() => h?.close());

    test('every operation of the OpenAPI document is routed (no 405 and no unknown-path 404), and answers as documented', async () => {
      const operations = validator.allOperations();
      assert.equal(operations.length, 89, 'the document describes 89 operations');
      for (const op of operations) {
        const [method, template] = op.split(' ') as [string, string];
        const path = `/api/v1${template.replace(/\{([^}]+)\}/g, (_, name: string) => SAMPLE_PARAMS[name] ?? 'x')}`;
        const r = await h.call(method, path, { body: ['POST', 'PATCH', 'PUT'].includes(method) ? {} : undefined });
        assert.notEqual(r.status, 405, op);
        assert.ok(!(r.status === 404 && /^There is no /.test(r.body.detail)), `${op} is not routed`);
      }
      assert.equal(await runCount(h), 0, 'none of these requests created anything');
    });

    test('an unknown path is a 404 problem document, inside and outside /api/v1', async () => {
      for (const path of ['/api/v1/nothing', '/', '/api/v3/dags']) {
        const r = await h.call('GET', path);
        assert.equal(r.status, 404, path);
        assert.match(r.contentType, /^application\/problem\+json/);
        assert.deepEqual(Object.keys(r.body).sort(), ['detail', 'status', 'title', 'type']);
      }
    });

    test('a method the path does not support is 405 with an Allow header', async () => {
      const r = await h.call('PUT', '/api/v1/dags/api_etl', { body: {} });
      assert.equal(r.status, 405);
      assert.equal(r.headers.get('allow'), 'DELETE, GET, HEAD, PATCH');
      assert.match(r.body.type, /MethodNotAllowed$/);
      assert.equal((await h.call('DELETE', '/api/v1/version')).status, 405);
    });

    test('without credentials a protected endpoint is 401 with a Basic challenge; without the permission 403', async () => {
      const anon = await h.call('GET', '/api/v1/dags', { role: null });
      assert.equal(anon.status, 401);
      assert.match(anon.headers.get('www-authenticate') ?? '', /^Basic/);
      assert.equal((await h.call('GET', '/api/v1/dags', { role: 'Public' })).status, 403);
      assert.equal((await h.call('GET', '/api/v1/pools', { role: 'Viewer' })).status, 403);
      assert.equal((await h.call('GET', '/api/v1/dags', { role: 'Viewer' })).status, 200);
    });

    test('a body over the size limit is 413, malformed JSON 400, a non-JSON body 415 — and none of them changes anything', async () => {
      const big = await h.call('POST', '/api/v1/dags/api_etl/dagRuns', { body: { conf: { blob: 'x'.repeat(4000) } } });
      assert.equal(big.status, 413);
      assert.match(big.body.type, /RequestTooLarge$/);
      const broken = await h.call('POST', '/api/v1/dags/api_etl/dagRuns', { body: '{"conf": {' });
      assert.equal(broken.status, 400);
      assert.match(broken.body.detail, /not valid JSON/);
      assert.equal((await h.call('POST', '/api/v1/dags/api_etl/dagRuns', { body: '' , headers: { 'content-type': 'application/json' } })).status, 400);
      assert.equal((await h.call('POST', '/api/v1/dags/api_etl/dagRuns', { body: 'conf=1', headers: { 'content-type': 'text/plain' } })).status, 415);
      assert.equal((await h.call('POST', '/api/v1/dags/api_etl/dagRuns', { body: '[]' })).status, 400);
      assert.equal(await runCount(h), 0);
    });

    test('the default body limit is 1 MiB', async () => {
      const app = createApiApp({ db: h.db, config: h.config, authenticator: testAuthenticator });
      assert.equal(DEFAULT_MAX_BODY_BYTES, 1024 * 1024);
      const res = await app.request('/api/v1/variables', {
        method: 'POST', headers: { 'x-test-role': 'Admin', 'content-type': 'application/json' }, body: JSON.stringify({ key: 'k', value: 'v'.repeat(DEFAULT_MAX_BODY_BYTES) }),
      });
      assert.equal(res.status, 413);
      validator.check('POST', '/api/v1/variables', { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.json() });
    });

    test('GET /api/v1/openapi.yaml serves the OpenAPI document without credentials', async () => {
      const r = await h.call('GET', '/api/v1/openapi.yaml', { role: null, unchecked: true });
      assert.equal(r.status, 200);
      assert.match(r.contentType, /yaml/);
      assert.equal(r.text, readFileSync(new URL('../../src/api/openapi-v1.yaml', import.meta.url), 'utf8'));
      assert.match(r.text, /^openapi: 3\.0\.3$/m);
    });

    test('the health check is served at /health and /api/v1/health without credentials', async () => {
      for (const path of ['/health', '/api/v1/health']) {
        const r = await h.call('GET', path, { role: null });
        assert.equal(r.status, 200, path);
        assert.equal(r.body.metadatabase.status, 'healthy');
      }
    });
  });
}

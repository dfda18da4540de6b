/**
 * The last v2 operations: the browser sign-in links (`/auth/login` keeps only local `next`
 * paths; `/auth/logout` ends the session), default connections (created once, never overwriting),
 * and human-in-the-loop details (none exist in Baton: an empty list, 404 for one). Every
 * response is checked against openapi-v2.yaml.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createDagRun } from '../../src/scheduler/create-run.ts';
import { SerializedDagCache } from '../../src/scheduler/serialized-dags.ts';
import { eachDialect } from '../support/databases.ts';
import { openV2Harness, type V2Harness } from './support/v2-harness.ts';

for (const dialect of eachDialect()) {
  describe(`API v2 sign-in links, default connections and human-in-the-loop details on ${dialect.name}`, () => {
    let h: V2Harness;
    before(async () => {
      h = await openV2Harness(dialect, { encrypt: true, files: { 'hitl.ts': `import { dag, task } from 'baton';\nexport default dag({ id: 'hitl_dag', schedule: null }, () => { task('t', async () => 1)(); });` } });
    });
    after(() => h?.close());

    test('login sends the browser to the sign-in page with a local next path; another site as next becomes /', async () => {
      const cases: Array<[string, string]> = [
        ['/api/v2/auth/login', '/login?next=%2F'],
        ['/api/v2/auth/login?next=%2Fdags%2Fetl%2Fgrid', '/login?next=%2Fdags%2Fetl%2Fgrid'],
        ['/api/v2/auth/login?next=https%3A%2F%2Fevil.example%2F', '/login?next=%2F'],
        ['/api/v2/auth/login?next=%2F%2Fevil.example', '/login?next=%2F'],
      ];
      for (const [path, location] of cases) {
        const r = await h.call('GET', path, { role: null });
        assert.equal(r.status, 307, path);
        assert.equal(r.headers.get('location'), location, path);
      }
    });

    test('logout clears the session cookie and sends the browser to the sign-in page, signed in or not', async () => {
      const r = await h.call('GET', '/api/v2/auth/logout', { role: null, headers: { cookie: 'baton_session=abc' } });
      assert.equal(r.status, 307);
      assert.equal(r.headers.get('location'), '/login');
      assert.match(r.headers.get('set-cookie') ?? '', /^baton_session=;.*Max-Age=0/);
    });

    test('default connections are created once, an existing one is left as it is, and only users who may create connections may ask', async () => {
      assert.equal((await h.call('POST', '/api/v2/connections', { body: { connection_id: 'http_default', conn_type: 'http', host: 'api.internal' } })).status, 201);
      assert.equal((await h.call('POST', '/api/v2/connections/defaults', { role: 'Viewer' })).status, 403);
      assert.equal((await h.call('POST', '/api/v2/connections/defaults', { role: null })).status, 401);
      const made = await h.call('POST', '/api/v2/connections/defaults');
      assert.equal(made.status, 204);
      const list = await h.call('GET', '/api/v2/connections?order_by=connection_id');
      assert.deepEqual(list.body.connections.map((c: { connection_id: string; host: string }) => [c.connection_id, c.host]), [['duckdb_default', ':memory:'], ['http_default', 'api.internal'], ['smtp_default', 'localhost']]);
      assert.equal((await h.call('POST', '/api/v2/connections/defaults')).status, 204);
      assert.equal((await h.call('GET', '/api/v2/connections')).body.total_entries, 3, 'asking again adds nothing');
    });

    test('human-in-the-loop details: an empty list for a run, 404 for one task instance, and 404 for an unknown run', async () => {
      const dag = await new SerializedDagCache().get(h.db, 'hitl_dag');
      assert.ok(dag, 'the DAG was synced');
      await h.db.transaction().execute((trx) => createDagRun(trx, { dag, runType: 'manual', runId: 'r1' }));
      const list = await h.call('GET', '/api/v2/dags/hitl_dag/dagRuns/r1/hitlDetails');
      assert.equal(list.status, 200);
      assert.deepEqual(list.body, { hitl_details: [], total_entries: 0 });
      assert.equal((await h.call('GET', '/api/v2/dags/~/dagRuns/~/hitlDetails')).status, 200);
      const one = await h.call('GET', '/api/v2/dags/hitl_dag/dagRuns/r1/taskInstances/t/-1/hitlDetails');
      assert.equal(one.status, 404);
      assert.match(one.body.detail, /no human-in-the-loop operators/);
      assert.equal((await h.call('PATCH', '/api/v2/dags/hitl_dag/dagRuns/r1/taskInstances/t/-1/hitlDetails', { body: { chosen_options: ['ok'] } })).status, 404);
      assert.equal((await h.call('GET', '/api/v2/dags/hitl_dag/dagRuns/r1/taskInstances/t/-1/hitlDetails/tries/1')).status, 404);
      const noRun = await h.call('GET', '/api/v2/dags/hitl_dag/dagRuns/nope/hitlDetails');
      assert.equal(noRun.status, 404);
      assert.match(noRun.body.detail, /DagRun .* was not found/);
      assert.equal((await h.call('GET', '/api/v2/dags/hitl_dag/dagRuns/r1/hitlDetails', { role: null })).status, 401);
    });
  });
}

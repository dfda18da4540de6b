/** The audit middleware on every dialect: mutating requests land in the event log, secrets redacted. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Hono } from 'hono';
import { authenticate, requirePermission, type ApiEnv } from '../../src/api/auth-contract.ts';
import { auditMutations, redactBody } from '../../src/api/auth/audit.ts';
import { problemResponse } from '../../src/api/problem.ts';
import { listEventLog } from '../../src/store/index.ts';
import { eachDialect, type TestDb } from '../support/databases.ts';

function buildApp(t: TestDb): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.onError((e, c) => problemResponse(c, e));
  // A stand-in authenticator: the user named in X-User, with the role in X-Role.
  app.use('*', authenticate(async (c) => (c.req.header('x-user') ? { username: c.req.header('x-user')!, role: (c.req.header('x-role') ?? 'Admin') as 'Admin' } : null)));
  app.use('*', auditMutations({ db: t }));
  const api = new Hono<ApiEnv>();
  api.get('/dags/:dag_id', requirePermission('read', 'DAGs'), (c) => c.json({}));
  api.post('/dags/:dag_id/dagRuns', requirePermission('create', 'DAG Runs'), async (c) => c.json(await c.req.json()));
  api.patch('/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id', requirePermission('edit', 'Task Instances'), (c) => c.json({}));
  api.post('/variables', requirePermission('create', 'Variables'), (c) => c.json({}));
  api.post('/connections', requirePermission('create', 'Connections'), (c) => c.json({}));
  app.route('/api/v1', api);
  return app;
}

const post = (body: unknown, headers: Record<string, string> = {}, method = 'POST') => ({
  method, headers: { 'content-type': 'application/json', 'x-user': 'ops', ...headers }, body: JSON.stringify(body),
});

for (const dialect of eachDialect()) {
  describe(`audit log on ${dialect.name}`, () => {
    let t: TestDb;
    let app: Hono<ApiEnv>;
    before(async () => {
      t = await dialect.open();
      app = buildApp(t);
    });
    after(() => t?.drop());

    test('a mutation is logged with user, route, path ids, status and a redacted body', async () => {
      const res = await app.request('/api/v1/dags/etl/dagRuns', post({ dag_run_id: 'r1', conf: { db_password: 'hunter22', rows: 5 } }));
      assert.equal(res.status, 200);
      const [e] = await listEventLog(t.db, { dagId: 'etl' });
      assert.equal(e?.event, 'POST /api/v1/dags/:dag_id/dagRuns');
      assert.equal(e?.owner, 'ops');
      assert.deepEqual(e?.extra, { status: 200, path: '/api/v1/dags/etl/dagRuns', body: { dag_run_id: 'r1', conf: { db_password: '***', rows: 5 } } });
      await app.request('/api/v1/dags/etl/dagRuns/r1/taskInstances/load?dry_run=true', post({ new_state: 'success' }, {}, 'PATCH'));
      const [p] = await listEventLog(t.db, { taskId: 'load' });
      assert.deepEqual([p?.event, p?.dagId, p?.runId, p?.taskId], ['PATCH /api/v1/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id', 'etl', 'r1', 'load']);
      assert.deepEqual((p?.extra as { query: unknown }).query, { dry_run: 'true' });
    });

    test('variable values with sensitive keys, connection passwords and extras are never logged', async () => {
      await app.request('/api/v1/variables', post({ key: 'stripe_api_key', value: 'sk_live_123' }));
      await app.request('/api/v1/variables', post({ key: 'region', value: 'eu' }));
      await app.request('/api/v1/connections', post({ connection_id: 'c', conn_type: 'http', password: 'conn-pw', extra: '{"token": "tk-1", "timeout": 3}' }));
      const text = JSON.stringify(await listEventLog(t.db, { limit: 1000 }));
      for (const secret of ['sk_live_123', 'conn-pw', 'tk-1']) assert.equal(text.includes(secret), false, secret);
      assert.match(text, /"value":"eu"/);
      assert.match(text, /\\"timeout\\":3/);
    });

    test('denied mutations are logged with their status; reads and anonymous requests are not', async () => {
      const before = (await listEventLog(t.db, { limit: 1000 })).length;
      assert.equal((await app.request('/api/v1/dags/etl/dagRuns', post({}, { 'x-user': 'peek', 'x-role': 'Viewer' }))).status, 403);
      assert.equal((await app.request('/api/v1/dags/etl/dagRuns', post({}, { 'x-user': '' }))).status, 401);
      assert.equal((await app.request('/api/v1/dags/etl', { headers: { 'x-user': 'ops' } })).status, 200);
      const after = await listEventLog(t.db, { limit: 1000 });
      assert.equal(after.length, before + 1);
      assert.deepEqual([after[0]!.owner, (after[0]!.extra as { status: number }).status], ['peek', 403]);
    });

    test('bodies that are not JSON or too large are noted, not stored', async () => {
      await app.request('/api/v1/variables', { method: 'POST', headers: { 'content-type': 'text/plain', 'x-user': 'txt' }, body: 'password=hunter22' });
      await app.request('/api/v1/variables', post({ key: 'big', value: 'x'.repeat(20_000) }, { 'x-user': 'big' }));
      await app.request('/api/v1/variables', { method: 'POST', headers: { 'content-type': 'application/json', 'x-user': 'bad' }, body: '{"password": "hunter22"' });
      const extra = async (owner: string) => (await listEventLog(t.db, { owner }))[0]?.extra as Record<string, unknown>;
      assert.equal('body' in (await extra('txt')), false);
      assert.deepEqual((await extra('big')).body, { truncated: true });
      assert.deepEqual((await extra('bad')).body, { unparsable: true });
      assert.deepEqual(redactBody({ password: 'x', key: 'my_token', value: 'v', extra: 'not json' }), { password: '***', key: 'my_token', value: '***', extra: '***' });
    });
  });
}

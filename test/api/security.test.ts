/**
 * Security of the whole REST API (`createApiApp` with the real authenticator), on every
 * dialect: every protected route answers 401 without (or with bad) credentials and 403 to a
 * role without the permission; the role matrix holds at its edges; sign-in by basic, token and
 * session cookie works through the app; and no response ever carries a connection password or
 * a sensitive variable's value.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getConnection, getVariable } from '../../src/store/index.ts';
import { eachDialect } from '../support/databases.ts';
import { openSecureApi, protectedRoutes, type RouteCase, type SecureApi } from '../security/support/secure-api.ts';

const MUTATING = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);
/** POST routes that only read (Airflow's batch list endpoints). */
const READ_ONLY_POSTS = new Set(['/api/v1/dags/~/dagRuns/list', '/api/v1/dags/~/dagRuns/~/taskInstances/list']);

async function send(s: SecureApi, r: RouteCase, headers: Record<string, string>): Promise<Response> {
  const init: RequestInit = { method: r.method, headers: { ...headers } };
  if (MUTATING.has(r.method)) {
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
    init.body = '{}';
  }
  return s.app.request(r.path, init);
}

async function isProblem(res: Response, status: number, what: string): Promise<void> {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${await res.clone().text()}`);
  assert.equal(res.headers.get('content-type'), 'application/problem+json', what);
  const body = (await res.json()) as { status: number; title: string; type: string; detail: string };
  assert.equal(body.status, status, what);
  assert.equal(typeof body.detail, 'string', what);
}

for (const dialect of eachDialect()) {
  describe(`API security on ${dialect.name}`, () => {
    let s: SecureApi;
    let routes: RouteCase[];
    before(async () => {
      s = await openSecureApi(dialect);
      routes = protectedRoutes(s.app);
    });
    after(() => s?.close());

    test('the route table is large enough to mean something', () => {
      assert.ok(routes.length > 60, `only ${routes.length} protected routes found`);
      assert.ok(routes.some((r) => r.pattern === '/api/v1/users' && r.method === 'POST'));
    });

    test('every protected route answers 401 without credentials, or with bad ones', async () => {
      const bad: Array<Record<string, string>> = [
        {},
        { authorization: `Basic ${Buffer.from('admin-user:wrong').toString('base64')}` },
        { authorization: 'Bearer baton_not-a-real-token' },
        { authorization: 'Token abc' },
        { cookie: 'baton_session=eyJ1aWQiOjF9.forged' },
      ];
      for (const r of routes) {
        for (const headers of bad) await isProblem(await send(s, r, headers), 401, `${r.method} ${r.path} with ${JSON.stringify(headers)}`);
      }
    });

    test('every protected route answers 403 to a Public user, and mutations answer 403 to a Viewer', async () => {
      for (const r of routes) {
        await isProblem(await send(s, r, s.as('Public')), 403, `Public ${r.method} ${r.path}`);
        if (MUTATING.has(r.method) && !READ_ONLY_POSTS.has(r.pattern)) await isProblem(await send(s, r, s.as('Viewer')), 403, `Viewer ${r.method} ${r.path}`);
      }
    });

    test('the role matrix at its edges: Viewer reads, User triggers, Op manages connections, Admin manages users', async () => {
      const call = (role: Parameters<SecureApi['as']>[0], method: string, path: string, body?: unknown) =>
        s.app.request(path, { method, headers: { ...s.as(role), ...(body !== undefined && { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
      assert.equal((await call('Viewer', 'GET', '/api/v1/dags')).status, 200);
      assert.equal((await call('Viewer', 'GET', '/api/v1/dags/api_etl')).status, 200);
      await isProblem(await call('Viewer', 'POST', '/api/v1/dags/api_etl/dagRuns', { dag_run_id: 'by_viewer' }), 403, 'Viewer trigger');
      await isProblem(await call('Viewer', 'GET', '/api/v1/pools'), 403, 'Viewer pools');
      assert.equal((await call('User', 'POST', '/api/v1/dags/api_etl/dagRuns', { dag_run_id: 'by_user' })).status, 200);
      await isProblem(await call('User', 'POST', '/api/v1/pools', { name: 'by_user', slots: 1 }), 403, 'User pools');
      await isProblem(await call('User', 'GET', '/api/v1/connections'), 403, 'User connections');
      assert.equal((await call('Op', 'POST', '/api/v1/pools', { name: 'by_op', slots: 1 })).status, 200);
      assert.equal((await call('Op', 'POST', '/api/v1/connections', { connection_id: 'by_op', conn_type: 'http' })).status, 200);
      await isProblem(await call('Op', 'GET', '/api/v1/users'), 403, 'Op users');
      await isProblem(await call('Op', 'POST', '/api/v1/users', { username: 'x', email: 'x@example.com', first_name: 'x', last_name: 'y', roles: [{ name: 'Viewer' }], password: 'pw-123456' }), 403, 'Op create user');
      assert.equal((await call('Admin', 'GET', '/api/v1/users')).status, 200);
      const created = await call('Admin', 'POST', '/api/v1/users', { username: 'made-by-admin', email: 'm@example.com', first_name: 'M', last_name: 'A', roles: [{ name: 'Viewer' }], password: 'Made-Passw0rd' });
      assert.equal(created.status, 200, await created.clone().text());
      assert.doesNotMatch(await created.text(), /Made-Passw0rd|scrypt/);
      assert.equal((await call('Admin', 'DELETE', '/api/v1/users/made-by-admin')).status, 204);
    });

    test('sign-in through the app: basic, and the session cookie from /auth/login; logout clears the cookie', async () => {
      const basic = await s.app.request('/api/v1/dags', { headers: { authorization: `Basic ${Buffer.from('viewer-user:Viewer-Passw0rd').toString('base64')}` } });
      assert.equal(basic.status, 200);
      const login = await s.app.request('/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'op-user', password: 'Op-Passw0rd' }) });
      assert.equal(login.status, 200);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      assert.equal((await s.app.request('/api/v1/connections', { headers: { cookie } })).status, 200);
      await isProblem(await s.app.request('/api/v1/users', { headers: { cookie } }), 403, 'Op by cookie on users');
      const bad = await s.app.request('/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'op-user', password: 'nope' }) });
      await isProblem(bad, 401, 'wrong password');
      const out = await s.app.request('/auth/logout', { method: 'POST', headers: { cookie } });
      assert.equal(out.status, 204);
      assert.match(out.headers.get('set-cookie') ?? '', /^baton_session=;.*Max-Age=0/);
    });

    test('the API never returns a connection password or a sensitive variable value, and stores them encrypted', async () => {
      const admin = { ...s.as('Admin'), 'content-type': 'application/json' };
      const secrets = ['Pg-S3cret-Passw0rd', 'xtra-tok-4242', 'sk_live_vendor_77'];
      const post = (path: string, body: unknown, method = 'POST') => s.app.request(path, { method, headers: admin, body: JSON.stringify(body) });
      const responses: string[] = [];
      const keep = async (res: Response) => {
        responses.push(`${res.status} ${await res.text()}`);
        return res;
      };
      assert.equal((await keep(await post('/api/v1/connections', { connection_id: 'warehouse', conn_type: 'postgres', host: 'db', login: 'etl', password: secrets[0], extra: JSON.stringify({ token: secrets[1], sslmode: 'require' }) }))).status, 200);
      assert.equal((await keep(await post('/api/v1/variables', { key: 'vendor_api_key', value: secrets[2] }))).status, 200);
      await keep(await post('/api/v1/connections/warehouse', { description: 'changed' }, 'PATCH'));
      for (const path of ['/api/v1/connections', '/api/v1/connections/warehouse', '/api/v1/variables', '/api/v1/variables/vendor_api_key', '/api/v1/eventLogs?limit=1000']) {
        await keep(await s.app.request(path, { headers: s.as('Admin') }));
      }
      await keep(await post('/api/v1/connections/test', { connection_id: 'warehouse', conn_type: 'postgres', host: '127.0.0.1', port: 1, password: secrets[0] }));
      const all = responses.join('\n');
      for (const secret of secrets) assert.equal(all.includes(secret), false, `${secret} appeared in:\n${all}`);
      assert.match(all, /"value":"\*\*\*"/);
      assert.doesNotMatch(all, /"password"/);
      const stored = await getConnection(s.h.db, 'warehouse');
      assert.deepEqual([stored?.isEncrypted, stored?.isExtraEncrypted, stored?.password?.includes('S3cret')], [true, true, false]);
      assert.equal((await getVariable(s.h.db, 'vendor_api_key'))?.isEncrypted, true);
      assert.equal((await s.keys.decrypt(stored!.password!)), secrets[0]);
    });
  });
}

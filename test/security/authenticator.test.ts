/**
 * The API authenticator through a small Hono app, on every dialect: HTTP basic, bearer tokens,
 * signed session cookies (login, logout, tampering, expiry, password change), inactive users,
 * uniform refusals and the per-username backoff of failed sign-ins.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Hono } from 'hono';
import { authenticate, requirePermission, type ApiEnv } from '../../src/api/auth-contract.ts';
import { createAuthenticator, type BatonAuthenticator } from '../../src/api/auth/authenticator.ts';
import { authRoutes } from '../../src/api/auth/routes.ts';
import { problemResponse } from '../../src/api/problem.ts';
import { createApiToken, revokeApiToken } from '../../src/security/api-tokens.ts';
import { createUser, resetPassword, updateUser } from '../../src/security/users.ts';
import { eachDialect, type TestDb } from '../support/databases.ts';

const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
const json = (body: unknown, headers: Record<string, string> = {}) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

function buildApp(auth: BatonAuthenticator): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.onError((e, c) => problemResponse(c, e));
  app.use('*', authenticate(auth));
  app.route('/auth', authRoutes(auth));
  app.get('/api/v1/dags', requirePermission('read', 'DAGs'), (c) => c.json(c.get('principal')));
  app.post('/api/v1/dags/:dag_id/dagRuns', requirePermission('create', 'DAG Runs'), (c) => c.json({ ok: true }));
  return app;
}

/** The `name=value` part of a Set-Cookie header. */
function cookieOf(res: Response): string {
  const set = res.headers.get('set-cookie') ?? '';
  return set.split(';')[0]!;
}

for (const dialect of eachDialect()) {
  describe(`authenticator on ${dialect.name}`, () => {
    let t: TestDb;
    let clock = Date.now();
    let auth: BatonAuthenticator;
    let app: Hono<ApiEnv>;
    before(async () => {
      t = await dialect.open();
      auth = createAuthenticator({ db: t, config: { home: mkdtempSync(join(tmpdir(), 'baton-auth-')), secretKey: null }, now: () => clock, sessionTtlSeconds: 3600 });
      app = buildApp(auth);
      await createUser(t.db, { username: 'viewer', password: 'viewer-pass', role: 'Viewer' });
      await createUser(t.db, { username: 'user', password: 'user-pass', role: 'User' });
      await createUser(t.db, { username: 'gone', password: 'gone-pass', role: 'Admin', active: false });
    });
    after(() => t?.drop());

    test('no credentials: 401 problem with a Basic challenge', async () => {
      const res = await app.request('/api/v1/dags');
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic/);
    });

    test('HTTP basic: right password passes, with the role; wrong password and unknown user get the same 401', async () => {
      const ok = await app.request('/api/v1/dags', { headers: basic('viewer', 'viewer-pass') });
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { username: 'viewer', role: 'Viewer' });
      const wrong = await app.request('/api/v1/dags', { headers: basic('viewer', 'nope') });
      const unknown = await app.request('/api/v1/dags', { headers: basic('nobody', 'viewer-pass') });
      assert.equal(wrong.status, 401);
      assert.deepEqual(await wrong.json(), await unknown.json());
      for (const h of ['Basic', 'Basic !!!', 'Basic ' + Buffer.from('nocolon').toString('base64'), 'Digest x', 'viewer:viewer-pass']) {
        assert.equal((await app.request('/api/v1/dags', { headers: { authorization: h } })).status, 401, h);
      }
    });

    test('the role decides: Viewer may read DAGs but not trigger (403); User may trigger', async () => {
      const denied = await app.request('/api/v1/dags/d/dagRuns', json({}, basic('viewer', 'viewer-pass')));
      assert.equal(denied.status, 403);
      assert.match(((await denied.json()) as { detail: string }).detail, /may not create DAG Runs/);
      assert.equal((await app.request('/api/v1/dags/d/dagRuns', json({}, basic('user', 'user-pass')))).status, 200);
    });

    test('bearer token: accepted until revoked; unknown tokens refused', async () => {
      const { token } = await createApiToken(t.db, 'user', 'ci');
      const ok = await app.request('/api/v1/dags', { headers: { authorization: `Bearer ${token}` } });
      assert.deepEqual(await ok.json(), { username: 'user', role: 'User' });
      const altered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
      assert.equal((await app.request('/api/v1/dags', { headers: { authorization: `Bearer ${altered}` } })).status, 401);
      assert.equal((await app.request('/api/v1/dags', { headers: { authorization: 'Bearer ' } })).status, 401);
      await revokeApiToken(t.db, 'user', 'ci');
      assert.equal((await app.request('/api/v1/dags', { headers: { authorization: `Bearer ${token}` } })).status, 401);
    });

    test('inactive users are refused by password, token and login', async () => {
      const { token } = await createApiToken(t.db, 'gone', 'old');
      assert.equal((await app.request('/api/v1/dags', { headers: basic('gone', 'gone-pass') })).status, 401);
      assert.equal((await app.request('/api/v1/dags', { headers: { authorization: `Bearer ${token}` } })).status, 401);
      assert.equal((await app.request('/auth/login', json({ username: 'gone', password: 'gone-pass' }))).status, 401);
    });

    test('session cookie: login sets a signed HttpOnly cookie that authenticates; logout clears it', async () => {
      const res = await app.request('/auth/login', json({ username: 'viewer', password: 'viewer-pass' }));
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { role: string }).role, 'Viewer');
      const set = res.headers.get('set-cookie') ?? '';
      assert.match(set, /^baton_session=/);
      assert.match(set, /HttpOnly/);
      assert.match(set, /SameSite=Lax/);
      assert.doesNotMatch(set, /viewer-pass/);
      const cookie = cookieOf(res);
      assert.deepEqual(await (await app.request('/api/v1/dags', { headers: { cookie } })).json(), { username: 'viewer', role: 'Viewer' });
      const out = await app.request('/auth/logout', { method: 'POST', headers: { cookie } });
      assert.equal(out.status, 204);
      assert.match(out.headers.get('set-cookie') ?? '', /baton_session=;.*Max-Age=0/);
      const row = await t.db.selectFrom('ab_user').select('last_login').where('username', '=', 'viewer').executeTakeFirstOrThrow();
      assert.notEqual(row.last_login, null);
    });

    test('session cookie: tampered, forged, expired or outlived by a password change is refused', async () => {
      const cookie = cookieOf(await app.request('/auth/login', json({ username: 'user', password: 'user-pass' })));
      const [name, value] = cookie.split('=') as [string, string];
      const [payload, sig] = value.split('.') as [string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const forged = Buffer.from(JSON.stringify({ ...claims, uid: claims.uid - 1 })).toString('base64url');
      for (const bad of [`${forged}.${sig}`, `${payload}.${sig.slice(0, -2)}AA`, `${payload}`, 'garbage', `${payload}.`]) {
        assert.equal((await app.request('/api/v1/dags', { headers: { cookie: `${name}=${bad}` } })).status, 401, bad);
      }
      assert.equal((await app.request('/api/v1/dags', { headers: { cookie } })).status, 200);
      clock += 3601_000;
      assert.equal((await app.request('/api/v1/dags', { headers: { cookie } })).status, 401);
      clock -= 3601_000;
      await resetPassword(t.db, 'user', 'user-pass-2');
      assert.equal((await app.request('/api/v1/dags', { headers: { cookie } })).status, 401);
      await resetPassword(t.db, 'user', 'user-pass');
    });

    test('session cookie of a user made inactive is refused', async () => {
      await createUser(t.db, { username: 'later', password: 'later-pass', role: 'Viewer' });
      const cookie = cookieOf(await app.request('/auth/login', json({ username: 'later', password: 'later-pass' })));
      assert.equal((await app.request('/api/v1/dags', { headers: { cookie } })).status, 200);
      await updateUser(t.db, 'later', { active: false });
      assert.equal((await app.request('/api/v1/dags', { headers: { cookie } })).status, 401);
    });

    test('login: malformed bodies are 400/415 problems; wrong user and wrong password answer alike', async () => {
      const cases: Array<[RequestInit, number]> = [
        [{ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad json' }, 400],
        [json({ username: 'viewer' }), 400],
        [json({ username: 1, password: 2 }), 400],
        [json(['viewer', 'viewer-pass']), 400],
        [json({ username: 'viewer', password: 'viewer-pass', admin: true }), 400],
        [{ method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'viewer:viewer-pass' }, 415],
        [{ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'viewer', password: 'x'.repeat(10_000) }) }, 413],
      ];
      for (const [init, status] of cases) {
        const res = await app.request('/auth/login', init);
        assert.equal(res.status, status, String(init.body).slice(0, 40));
        assert.equal(res.headers.get('content-type'), 'application/problem+json');
      }
      const a = await app.request('/auth/login', json({ username: 'viewer', password: 'wrong' }));
      const b = await app.request('/auth/login', json({ username: 'nobody-at-all', password: 'wrong' }));
      assert.equal(a.status, 401);
      assert.equal(a.headers.get('www-authenticate'), null);
      assert.deepEqual(await a.json(), await b.json());
      const form = await app.request('/auth/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=viewer&password=viewer-pass' });
      assert.equal(form.status, 200);
    });

    test('failed sign-ins back off per username, for known and unknown names alike, then recover', async () => {
      await createUser(t.db, { username: 'target', password: 'target-pass', role: 'Viewer' });
      for (let i = 0; i < 5; i++) assert.equal((await app.request('/auth/login', json({ username: 'target', password: `guess${i}` }))).status, 401);
      const locked = await app.request('/auth/login', json({ username: 'target', password: 'target-pass' }));
      assert.equal(locked.status, 429);
      assert.ok(Number(locked.headers.get('retry-after')) >= 1);
      assert.equal((await app.request('/api/v1/dags', { headers: basic('target', 'target-pass') })).status, 401);
      for (let i = 0; i < 5; i++) await app.request('/auth/login', json({ username: 'ghost-user', password: `guess${i}` }));
      const ghost = await app.request('/auth/login', json({ username: 'ghost-user', password: 'x' }));
      assert.equal(ghost.status, 429);
      assert.deepEqual(await locked.json(), await ghost.json());
      // Other usernames are not affected.
      assert.equal((await app.request('/api/v1/dags', { headers: basic('viewer', 'viewer-pass') })).status, 200);
      clock += 2000;
      assert.equal((await app.request('/auth/login', json({ username: 'target', password: 'target-pass' }))).status, 200);
      assert.equal(auth.limiter.retryAfterMs('target'), 0);
    });
  });
}

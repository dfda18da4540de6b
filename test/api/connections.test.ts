/**
 * Connection endpoints: CRUD with update_mask, passwords never returned and encrypted at rest,
 * sensitive extra fields masked without a round trip losing them, and connection tests for
 * http (a local server), sqlite and duckdb files, and unsupported types.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { eachDialect } from '../support/databases.ts';
import { openApiHarness, type ApiHarness } from './support/api-harness.ts';

for (const dialect of eachDialect()) {
  describe(`connection endpoints on ${dialect.name}`, () => {
    let h: ApiHarness;
    let server: Server;
    let port: number;
    before(async () => {
      h = await openApiHarness(dialect, { encrypt: true });
      server = createServer((req, res) => {
        res.statusCode = req.url === '/missing' ? 404 : 200;
        res.end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });
    after(async () => {
      await new Promise((r) => server?.close(r));
      await h?.close();
    });

    const conn = { connection_id: 'warehouse_api', conn_type: 'http', host: 'api.example.com', port: 443, login: 'me', password: 'hunter2-secret', extra: '{"token":"abc123xyz","region":"eu"}', description: 'the API' };

    test('POST /connections creates a connection; no response ever contains its password, which is encrypted at rest', async () => {
      const r = await h.call('POST', '/api/v1/connections', { body: conn });
      assert.equal(r.status, 200);
      assert.equal(r.body.connection_id, 'warehouse_api');
      assert.ok(!('password' in r.body));
      assert.ok(!r.text.includes('hunter2'));
      const got = await h.call('GET', '/api/v1/connections/warehouse_api');
      assert.ok(!('password' in got.body));
      assert.deepEqual([got.body.host, got.body.port, got.body.login, got.body.schema], ['api.example.com', 443, 'me', null]);
      const row = await h.db.selectFrom('connection').selectAll().where('conn_id', '=', 'warehouse_api').executeTakeFirstOrThrow();
      assert.equal(row.is_encrypted, 1);
      assert.ok(!row.password!.includes('hunter2'));
      const list = await h.call('GET', '/api/v1/connections');
      assert.deepEqual(list.body.connections, [{ connection_id: 'warehouse_api', conn_type: 'http', description: 'the API', host: 'api.example.com', login: 'me', schema: null, port: 443 }]);
    });

    test('a taken id is 409; missing or invalid fields are 400; a User may not read connections', async () => {
      assert.equal((await h.call('POST', '/api/v1/connections', { body: conn })).status, 409);
      for (const body of [{ connection_id: 'x' }, { conn_type: 'http' }, { connection_id: 'x', conn_type: 'http', port: 70000 }, { connection_id: 'x', conn_type: 'http', extra: { a: 1 } }, { connection_id: 'x', conn_type: 'http', user: 'me' }]) {
        assert.equal((await h.call('POST', '/api/v1/connections', { body })).status, 400, JSON.stringify(body));
      }
      assert.equal((await h.call('GET', '/api/v1/connections', { role: 'User' })).status, 403);
      assert.equal((await h.call('GET', '/api/v1/connections/nope')).status, 404);
    });

    test('sensitive fields of extra are shown as ***, and sending *** back keeps their stored value', async () => {
      const shown = await h.call('GET', '/api/v1/connections/warehouse_api');
      assert.deepEqual(JSON.parse(shown.body.extra), { token: '***', region: 'eu' });
      const edited = JSON.stringify({ ...JSON.parse(shown.body.extra), region: 'us' });
      await h.call('PATCH', '/api/v1/connections/warehouse_api?update_mask=extra', { body: { ...shown.body, extra: edited } });
      const raw = await h.db.selectFrom('connection').select(['extra', 'is_extra_encrypted']).where('conn_id', '=', 'warehouse_api').executeTakeFirstOrThrow();
      assert.equal(raw.is_extra_encrypted, 1);
      const again = await h.call('GET', '/api/v1/connections/warehouse_api');
      assert.deepEqual(JSON.parse(again.body.extra), { token: '***', region: 'us' });
      assert.deepEqual(JSON.parse((await h.secrets.getConnection('warehouse_api'))!.extra!), { token: 'abc123xyz', region: 'us' });
    });

    test('PATCH /connections/{id} changes the masked fields only, keeps the password unless given, and refuses another id', async () => {
      const r = await h.call('PATCH', '/api/v1/connections/warehouse_api?update_mask=host,port', { body: { connection_id: 'warehouse_api', conn_type: 'http', host: 'new.example.com', port: 8443, login: 'ignored' } });
      assert.deepEqual([r.body.host, r.body.port, r.body.login], ['new.example.com', 8443, 'me']);
      assert.ok(!('password' in r.body));
      assert.equal((await h.secrets.getConnection('warehouse_api'))!.password, 'hunter2-secret');
      assert.equal((await h.call('PATCH', '/api/v1/connections/warehouse_api', { body: { connection_id: 'other', host: 'x' } })).status, 400);
      assert.equal((await h.call('PATCH', '/api/v1/connections/warehouse_api?update_mask=connection_id', { body: { connection_id: 'x' } })).status, 400);
      assert.equal((await h.call('PATCH', '/api/v1/connections/nope', { body: { host: 'x' } })).status, 404);
    });

    test('POST /connections/test checks an http connection against its server', async () => {
      const ok = await h.call('POST', '/api/v1/connections/test', { body: { connection_id: 't', conn_type: 'http', host: '127.0.0.1', port } });
      assert.deepEqual([ok.status, ok.body.status], [200, true]);
      assert.match(ok.body.message, /successfully/);
      const missing = await h.call('POST', '/api/v1/connections/test', { body: { conn_type: 'http', host: `http://127.0.0.1:${port}/missing` } });
      assert.equal(missing.body.status, false);
      assert.match(missing.body.message, /404/);
    });

    test('POST /connections/test opens sqlite and duckdb database files, and says when a type is not supported', async () => {
      const sqlitePath = join(h.home, 'test.sqlite');
      new Database(sqlitePath).exec('create table t (x integer)');
      assert.equal((await h.call('POST', '/api/v1/connections/test', { body: { conn_type: 'sqlite', host: sqlitePath } })).body.status, true);
      assert.equal((await h.call('POST', '/api/v1/connections/test', { body: { conn_type: 'sqlite', host: join(h.home, 'none.db') } })).body.status, false);
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const duckPath = join(h.home, 'test.duckdb');
      const instance = await DuckDBInstance.create(duckPath);
      (await instance.connect()).closeSync();
      instance.closeSync();
      assert.equal((await h.call('POST', '/api/v1/connections/test', { body: { conn_type: 'duckdb', host: duckPath } })).body.status, true);
      const unsupported = await h.call('POST', '/api/v1/connections/test', { body: { conn_type: 'postgres', host: 'db' } });
      assert.equal(unsupported.body.status, false);
      assert.match(unsupported.body.message, /not supported/);
      assert.equal((await h.call('POST', '/api/v1/connections/test', { body: { conn_type: 'http' }, role: 'Viewer' })).status, 403);
    });

    test('DELETE /connections/{id} removes a connection', async () => {
      assert.equal((await h.call('DELETE', '/api/v1/connections/warehouse_api')).status, 204);
      assert.equal((await h.call('DELETE', '/api/v1/connections/warehouse_api')).status, 404);
      assert.equal((await h.call('GET', '/api/v1/connections')).body.total_entries, 0);
    });
  });
}

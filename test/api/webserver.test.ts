/**
 * The API over real HTTP, as `baton webserver` and `baton standalone` serve it: the node server
 * with the real authenticator answers health without credentials, 401 without them, and the
 * API to a user signing in with HTTP basic; a taken port is a clear error.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startWebServer, type RunningWebServer } from '../../src/cli/commands/webserver-command.ts';
import { loadConfig, type BatonConfig } from '../../src/config.ts';
import { createUser } from '../../src/security/users.ts';
import { eachDialect, type TestDb } from '../support/databases.ts';

for (const dialect of eachDialect()) {
  describe(`the web server on ${dialect.name}`, () => {
    let db: TestDb;
    let web: RunningWebServer;
    let home: string;
    let config: BatonConfig;
    before(async () => {
      db = await dialect.open();
      home = await mkdtemp(join(tmpdir(), 'baton-web-'));
      config = loadConfig({ ...process.env, BATON_HOME: home, BATON_DATABASE_URL: db.url });
      await createUser(db.db, { username: 'ada', password: 'a long password', role: 'User', email: 'ada@example.com' });
      web = await startWebServer({ db, config, port: 0, hostname: '127.0.0.1' });
    });
    after(async () => {
      await web?.stop();
      await db?.drop();
      await rm(home, { recursive: true, force: true });
    });

    const basic = `Basic ${Buffer.from('ada:a long password').toString('base64')}`;

    test('serves health without credentials and the API to a user signing in with HTTP basic', async () => {
      const health = await fetch(`${web.url}/health`);
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { metadatabase: { status: string } }).metadatabase.status, 'healthy');
      const anon = await fetch(`${web.url}/api/v1/dags`);
      assert.equal(anon.status, 401);
      assert.equal(anon.headers.get('content-type'), 'application/problem+json');
      const dags = await fetch(`${web.url}/api/v1/dags`, { headers: { authorization: basic } });
      assert.equal(dags.status, 200);
      assert.deepEqual(await dags.json(), { dags: [], total_entries: 0 });
      const pools = await fetch(`${web.url}/api/v1/pools`, { headers: { authorization: basic } });
      assert.equal(pools.status, 403, 'the User role does not manage pools');
    });

    test('a second server on a taken port fails with a clear error', async () => {
      await assert.rejects(startWebServer({ db, config, port: web.port, hostname: '127.0.0.1' }), /already in use/);
    });
  });
}

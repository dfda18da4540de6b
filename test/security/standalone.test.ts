/**
 * First start of `baton standalone`: an encryption key in BATON_HOME and an `admin` user whose
 * generated password is printed once and saved with mode 600 (or taken from
 * BATON_ADMIN_PASSWORD). Checked through `prepareStandalone` on every dialect and through the
 * real command on SQLite.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { defaultKeyRing, useKeyRing } from '../../src/security/keys.ts';
import { describeStandaloneSecurity, prepareStandalone } from '../../src/security/standalone.ts';
import { listUsers, verifyPassword } from '../../src/security/users.ts';
import { eachDialect, type TestDb } from '../support/databases.ts';

const BIN = new URL('../../bin/baton.js', import.meta.url).pathname;

function config(home: string, extra: Record<string, string> = {}) {
  return loadConfig({ BATON_HOME: home, ...extra }, home);
}

for (const dialect of eachDialect()) {
  describe(`standalone first start on ${dialect.name}`, () => {
    let t: TestDb;
    before(async () => {
      t = await dialect.open();
    });
    after(async () => {
      useKeyRing(null);
      await t?.drop();
    });

    test('creates the key and admin once; the generated password is shown once and saved with mode 600', async () => {
      const home = mkdtempSync(join(tmpdir(), 'baton-standalone-'));
      const first = await prepareStandalone(t.db, config(home));
      assert.equal(first.keyFileCreated, join(home, 'fernet.key'));
      assert.equal(statSync(join(home, 'fernet.key')).mode & 0o777, 0o600);
      assert.notEqual(defaultKeyRing(), null);
      const password = first.admin!.password!;
      const file = join(home, 'standalone_admin_password.txt');
      assert.equal(readFileSync(file, 'utf8').trim(), password);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.deepEqual((await listUsers(t.db)).map((u) => [u.username, u.role]), [['admin', 'Admin']]);
      assert.equal((await verifyPassword(t.db, 'admin', password))?.username, 'admin');
      const lines = describeStandaloneSecurity(first).join('\n');
      assert.match(lines, new RegExp(`username: admin  password: ${password}`));
      const second = await prepareStandalone(t.db, config(home));
      assert.deepEqual(second, { keyFileCreated: null, admin: null });
      assert.equal(describeStandaloneSecurity(second).join('\n').includes(password), false);
    });

    test('BATON_ADMIN_PASSWORD is used (and never printed or saved); BATON_FERNET_KEY means no key file', async () => {
      await t.db.deleteFrom('ab_user').execute();
      const home = mkdtempSync(join(tmpdir(), 'baton-standalone-'));
      const s = await prepareStandalone(t.db, config(home, { BATON_ADMIN_PASSWORD: 'Chosen-Admin-Pw', BATON_FERNET_KEY: 'A'.repeat(43) }));
      assert.equal(s.keyFileCreated, null);
      assert.equal(existsSync(join(home, 'fernet.key')), false);
      assert.equal(existsSync(join(home, 'standalone_admin_password.txt')), false);
      assert.equal(describeStandaloneSecurity(s).join('\n').includes('Chosen-Admin-Pw'), false);
      assert.equal((await verifyPassword(t.db, 'admin', 'Chosen-Admin-Pw'))?.role, 'Admin');
    });
  });
}

/** Runs `baton standalone` until it prints its banner, then stops it; returns what it printed. */
function startOnce(env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'standalone'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Press Ctrl-C to stop.')) child.kill('SIGINT');
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', () => {
      clearTimeout(timer);
      if (!out.includes('Press Ctrl-C')) reject(new Error(`standalone did not start:\n${out}\n${err}`));
      else resolve(out);
    });
  });
}

describe('baton standalone (the command)', () => {
  test('prints the generated admin password on the first start only', async () => {
    const home = mkdtempSync(join(tmpdir(), 'baton-standalone-cmd-'));
    const { BATON_FERNET_KEY: _k, BATON_ADMIN_PASSWORD: _a, BATON_DATABASE_URL: _d, ...rest } = process.env;
    const env = { ...rest, BATON_HOME: home, BATON_DAGS_FOLDER: join(home, 'dags'), BATON_PARALLELISM: '1' };
    const first = await startOnce(env);
    const password = /username: admin {2}password: (\S+)/.exec(first)?.[1];
    assert.ok(password, first);
    assert.equal(readFileSync(join(home, 'standalone_admin_password.txt'), 'utf8').trim(), password);
    assert.match(first, /Generated an encryption key/);
    assert.ok(existsSync(join(home, 'fernet.key')));
    const second = await startOnce(env);
    assert.equal(second.includes(password), false);
    assert.doesNotMatch(second, /Created user|Generated an encryption key/);
  });
});

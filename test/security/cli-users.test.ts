/**
 * `baton users …` and `baton rotate-fernet-key` as a user runs them (with BATON_HOME and
 * BATON_DATABASE_URL; run in-process by `runCli`), on every dialect.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { userForApiToken } from '../../src/security/api-tokens.ts';
import { generateFernetKey } from '../../src/security/encryption.ts';
import { verifyPassword } from '../../src/security/users.ts';
import { getVariable, listEventLog } from '../../src/store/index.ts';
import { runCli } from '../cli/cli-helpers.ts';
import { eachDialect, type TestDb } from '../support/databases.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

for (const dialect of eachDialect()) {
  describe(`baton users on ${dialect.name}`, () => {
    let t: TestDb;
    let env: NodeJS.ProcessEnv;
    const baton = (args: string[], extraEnv: Record<string, string> = {}): Promise<Run> => runCli(args, { ...env, ...extraEnv });

    before(async () => {
      t = await dialect.open();
      const { BATON_FERNET_KEY: _k, BATON_SECRET_KEY: _s, BATON_ADMIN_PASSWORD: _a, ...rest } = process.env;
      env = { ...rest, BATON_HOME: mkdtempSync(join(tmpdir(), 'baton-cli-users-')), BATON_DATABASE_URL: t.url };
    });
    after(() => t?.drop());

    test('create with --password, list as JSON; the database holds only a hash', async () => {
      const r = await baton(['users', 'create', '--username', 'ada', '--password', 'ada-Passw0rd', '--role', 'Admin', '--email', 'ada@example.com', '--firstname', 'Ada', '--lastname', 'Lovelace']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'User ada created with role Admin\n');
      const list = await baton(['users', 'list', '--output', 'json']);
      assert.deepEqual(JSON.parse(list.stdout).map((u: Record<string, unknown>) => [u.username, u.email, u.first_name, u.last_name, u.role, u.active]), [['ada', 'ada@example.com', 'Ada', 'Lovelace', 'Admin', true]]);
      assert.doesNotMatch(list.stdout, /ada-Passw0rd|scrypt/);
      const row = await t.db.selectFrom('ab_user').select('password_hash').where('username', '=', 'ada').executeTakeFirstOrThrow();
      assert.match(row.password_hash!, /^scrypt\$/);
      assert.equal((await verifyPassword(t.db, 'ada', 'ada-Passw0rd'))?.username, 'ada');
      const events = JSON.stringify(await listEventLog(t.db, { event: 'cli_users_create' }));
      assert.match(events, /"username":"ada"/);
      assert.doesNotMatch(events, /Passw0rd/);
    });

    test('--use-random-password prints the generated password once, and it works', async () => {
      const r = await baton(['users', 'create', '-u', 'bob', '-r', 'Viewer', '--use-random-password']);
      assert.equal(r.code, 0, r.stderr);
      const password = /Password \(shown once\): (\S+)/.exec(r.stdout)?.[1];
      assert.ok(password && password.length >= 20);
      assert.equal((await verifyPassword(t.db, 'bob', password))?.role, 'Viewer');
      assert.doesNotMatch((await baton(['users', 'list'])).stdout, new RegExp(password));
    });

    test('bad input: no password, both password options, unknown role, duplicate user', async () => {
      const none = await baton(['users', 'create', '-u', 'x', '-r', 'User']);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /--password <password>, or --use-random-password/);
      assert.equal((await baton(['users', 'create', '-u', 'x', '-r', 'User', '-p', 'a', '--use-random-password'])).code, 2);
      const role = await baton(['users', 'create', '-u', 'x', '-r', 'Root', '-p', 'pw']);
      assert.equal(role.code, 2);
      assert.match(role.stderr, /use one of Admin, Op, User, Viewer, Public/);
      const dup = await baton(['users', 'create', '-u', 'ada', '-r', 'User', '-p', 'pw']);
      assert.equal(dup.code, 1);
      assert.match(dup.stderr, /already exists/);
    });

    test('reset-password with a given or a random password', async () => {
      assert.equal((await baton(['users', 'reset-password', '--username', 'bob', '--password', 'bob-new-pass'])).code, 0);
      assert.equal((await verifyPassword(t.db, 'bob', 'bob-new-pass'))?.username, 'bob');
      const r = await baton(['users', 'reset-password', '--username', 'bob', '--use-random-password']);
      const password = /Password \(shown once\): (\S+)/.exec(r.stdout)?.[1];
      assert.equal((await verifyPassword(t.db, 'bob', password!))?.username, 'bob');
      assert.equal(await verifyPassword(t.db, 'bob', 'bob-new-pass'), null);
      assert.equal((await baton(['users', 'reset-password', '--username', 'nobody', '-p', 'x'])).code, 1);
    });

    test('add-token prints the token once; list-tokens never shows it; revoke-token ends it', async () => {
      const r = await baton(['users', 'add-token', '--username', 'bob', '--name', 'ci']);
      assert.equal(r.code, 0, r.stderr);
      const token = r.stdout.trim();
      assert.match(token, /^baton_[A-Za-z0-9_-]{43}$/);
      assert.match(r.stderr, /shown once/);
      assert.equal((await userForApiToken(t.db, token))?.username, 'bob');
      const list = await baton(['users', 'list-tokens', '-o', 'json']);
      assert.deepEqual(JSON.parse(list.stdout).map((x: Record<string, unknown>) => [x.username, x.name]), [['bob', 'ci']]);
      assert.equal(list.stdout.includes(token.slice(6)), false);
      assert.equal((await baton(['users', 'add-token', '--username', 'bob', '--name', 'ci'])).code, 1);
      assert.equal((await baton(['users', 'revoke-token', '--username', 'bob', '--name', 'ci'])).code, 0);
      assert.equal(await userForApiToken(t.db, token), undefined);
    });

    test('delete', async () => {
      assert.equal((await baton(['users', 'delete', '--username', 'bob'])).code, 0);
      const again = await baton(['users', 'delete', '--username', 'bob']);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /does not exist/);
    });

    test('rotate-fernet-key: values set with the old key read with only the new key afterwards', async () => {
      const [oldKey, newKey] = [generateFernetKey(), generateFernetKey()];
      assert.equal((await baton(['variables', 'set', 'vendor_token', 'tok-old-key'], { BATON_FERNET_KEY: oldKey })).code, 0);
      assert.equal((await getVariable(t.db, 'vendor_token'))?.isEncrypted, true);
      const add = await baton(['connections', 'add', 'wh', '--conn-uri', 'postgres://etl:pg-pw-1@db:5432/dw'], { BATON_FERNET_KEY: oldKey });
      assert.equal(add.code, 0, add.stderr);
      const rotate = await baton(['rotate-fernet-key'], { BATON_FERNET_KEY: `${newKey},${oldKey}` });
      assert.equal(rotate.code, 0, rotate.stderr);
      assert.match(rotate.stdout, /Re-encrypted 1 variable\(s\) and 1 connection\(s\)/);
      assert.equal((await baton(['variables', 'get', 'vendor_token'], { BATON_FERNET_KEY: newKey })).stdout, 'tok-old-key\n');
      const conn = await baton(['connections', 'get', 'wh', '--show-password', '-o', 'json'], { BATON_FERNET_KEY: newKey });
      assert.equal(JSON.parse(conn.stdout)[0].password, 'pg-pw-1');
      const stale = await baton(['variables', 'get', 'vendor_token'], { BATON_FERNET_KEY: oldKey });
      assert.equal(stale.code, 1);
      assert.match(stale.stderr, /does not list/);
      const noKey = await baton(['rotate-fernet-key']);
      assert.equal(noKey.code, 2);
      assert.match(noKey.stderr, /no encryption key is configured/);
      assert.match((await baton(['rotate-fernet-key', '--generate'])).stdout, /^[A-Za-z0-9_-]{43}\n$/);
    });
  });
}

/** Users and API tokens on every dialect: CRUD, password checks, tokens shown once and hashed. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createApiToken, listApiTokens, revokeApiToken, userForApiToken } from '../../src/security/api-tokens.ts';
import { databaseUserStore } from '../../src/security/api-user-store.ts';
import { countUsers, createUser, deleteUser, getUser, listUsers, resetPassword, updateUser, UserError, verifyPassword } from '../../src/security/users.ts';
import { UserConflictError, UserInputError } from '../../src/api/user-store.ts';
import { eachDialect, type TestDb } from '../support/databases.ts';

for (const dialect of eachDialect()) {
  describe(`users and tokens on ${dialect.name}`, () => {
    let t: TestDb;
    before(async () => {
      t = await dialect.open();
    });
    after(() => t?.drop());

    test('create, get, list, update, delete; the password is stored only as a scrypt hash', async () => {
      const u = await createUser(t.db, { username: 'ann', password: 'ann-password-1', role: 'Op', email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee' });
      assert.equal(u.role, 'Op');
      assert.equal(u.active, true);
      assert.equal('password' in u || 'passwordHash' in u, false);
      const row = await t.db.selectFrom('ab_user').selectAll().where('username', '=', 'ann').executeTakeFirstOrThrow();
      assert.match(row.password_hash!, /^scrypt\$/);
      assert.doesNotMatch(JSON.stringify(row), /ann-password-1/);
      assert.deepEqual(await getUser(t.db, 'ann'), u);
      assert.equal(await countUsers(t.db), 1);
      const changed = await updateUser(t.db, 'ann', { role: 'Viewer', firstName: 'Anne', active: false });
      assert.deepEqual([changed.role, changed.firstName, changed.active], ['Viewer', 'Anne', false]);
      const renamed = await updateUser(t.db, 'ann', { username: 'anne' });
      assert.equal(renamed.id, u.id);
      assert.deepEqual((await listUsers(t.db)).map((x) => x.username), ['anne']);
      assert.equal(await deleteUser(t.db, 'anne'), true);
      assert.equal(await deleteUser(t.db, 'anne'), false);
      assert.equal(await countUsers(t.db), 0);
    });

    test('roles, usernames, emails and duplicates are validated', async () => {
      await createUser(t.db, { username: 'dup', password: 'pw-123456', role: 'User', email: 'dup@example.com' });
      const code = (p: Promise<unknown>, expected: string) => assert.rejects(p, (e: unknown) => e instanceof UserError && e.code === expected);
      await code(createUser(t.db, { username: 'dup', password: 'x', role: 'User' }), 'exists');
      await code(createUser(t.db, { username: 'other', password: 'x', role: 'User', email: 'dup@example.com' }), 'exists');
      await code(createUser(t.db, { username: 'r', password: 'x', role: 'Superuser' }), 'invalid');
      await code(createUser(t.db, { username: 'a:b', password: 'x', role: 'User' }), 'invalid');
      await code(createUser(t.db, { username: ' pad', password: 'x', role: 'User' }), 'invalid');
      await code(createUser(t.db, { username: 'e', password: 'x', role: 'User', email: 'not an email' }), 'invalid');
      await code(createUser(t.db, { username: 'p', password: '', role: 'User' }), 'invalid');
      await code(updateUser(t.db, 'ghost', { role: 'Admin' }), 'not_found');
      await code(updateUser(t.db, 'dup', { role: 'God' }), 'invalid');
      await code(resetPassword(t.db, 'ghost', 'pw'), 'not_found');
      await deleteUser(t.db, 'dup');
    });

    test('verifyPassword: right password gives the user; wrong password and unknown user give null', async () => {
      await createUser(t.db, { username: 'vera', password: 'first-password', role: 'User' });
      assert.equal((await verifyPassword(t.db, 'vera', 'first-password'))?.username, 'vera');
      assert.equal(await verifyPassword(t.db, 'vera', 'wrong'), null);
      assert.equal(await verifyPassword(t.db, 'nobody', 'first-password'), null);
      await resetPassword(t.db, 'vera', 'second-password');
      assert.equal(await verifyPassword(t.db, 'vera', 'first-password'), null);
      assert.equal((await verifyPassword(t.db, 'vera', 'second-password'))?.username, 'vera');
    });

    test('API tokens: shown once, stored as SHA-256, resolve to their user until revoked', async () => {
      await createUser(t.db, { username: 'tok', password: null, role: 'User' });
      const created = await createApiToken(t.db, 'tok', 'ci');
      assert.match(created.token, /^baton_[A-Za-z0-9_-]{43}$/);
      const stored = await t.db.selectFrom('api_token').selectAll().execute();
      assert.equal(stored.length, 1);
      assert.equal(stored[0]!.token_hash, createHash('sha256').update(created.token).digest('hex'));
      assert.doesNotMatch(JSON.stringify(stored), new RegExp(created.token.slice(6)));
      const listed = await listApiTokens(t.db, 'tok');
      assert.deepEqual(listed.map((x) => [x.username, x.name]), [['tok', 'ci']]);
      assert.equal('token' in listed[0]!, false);
      assert.equal((await userForApiToken(t.db, created.token))?.username, 'tok');
      assert.notEqual((await listApiTokens(t.db, 'tok'))[0]!.lastUsedAt, null);
      assert.equal(await userForApiToken(t.db, `${created.token}x`), undefined);
      assert.equal(await userForApiToken(t.db, 'baton_'), undefined);
      await assert.rejects(createApiToken(t.db, 'tok', 'ci'), (e: unknown) => e instanceof UserError && e.code === 'exists');
      await assert.rejects(createApiToken(t.db, 'ghost', 'ci'), (e: unknown) => e instanceof UserError && e.code === 'not_found');
      assert.equal(await revokeApiToken(t.db, 'tok', 'ci'), true);
      assert.equal(await revokeApiToken(t.db, 'tok', 'ci'), false);
      assert.equal(await userForApiToken(t.db, created.token), undefined);
      const again = await createApiToken(t.db, 'tok', 'ci');
      await deleteUser(t.db, 'tok');
      assert.equal(await userForApiToken(t.db, again.token), undefined);
      assert.deepEqual(await t.db.selectFrom('api_token').selectAll().execute(), []);
    });

    test("the API's user store maps errors to conflict / input errors and never returns a hash", async () => {
      const store = databaseUserStore(t.db);
      const u = await store.create({ username: 'api', email: 'api@example.com', firstName: 'A', lastName: 'P', role: 'Viewer', password: 'api-password' });
      assert.equal(u.role, 'Viewer');
      assert.doesNotMatch(JSON.stringify(await store.list()), /scrypt|api-password/);
      await assert.rejects(store.create({ username: 'api', email: 'x@example.com', firstName: '', lastName: '', role: 'Viewer', password: 'p' }), UserConflictError);
      await assert.rejects(store.update('api', { role: 'Wizard' as never }), UserInputError);
      assert.equal(await store.update('nobody', { firstName: 'x' }), undefined);
      assert.equal((await store.update('api', { password: 'new-password' }))?.username, 'api');
      assert.equal((await verifyPassword(t.db, 'api', 'new-password'))?.username, 'api');
      assert.equal(await store.delete('api'), true);
      assert.equal(await store.get('api'), undefined);
    });
  });
}

/**
 * Users, roles and permissions: users through the app's user store (the ab_user table by
 * default), one role each, passwords write-only; roles and permissions from the fixed matrix.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROLES } from '../../src/api/authz.ts';
import { verifyPassword } from '../../src/security/users.ts';
import { eachDialect } from '../support/databases.ts';
import { openApiHarness, type ApiHarness } from './support/api-harness.ts';

const alice = { username: 'alice', email: 'alice@example.com', first_name: 'Alice', last_name: 'Liddell', roles: [{ name: 'Op' }], password: 'correct horse battery' };

for (const dialect of eachDialect()) {
  describe(`user and role endpoints on ${dialect.name}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await openApiHarness(dialect);
    });
    after(() => h?.close());

    test('POST /users creates a user with one role; the password is stored hashed and never returned', async () => {
      const r = await h.call('POST', '/api/v1/users', { body: alice });
      assert.equal(r.status, 200);
      assert.deepEqual([r.body.username, r.body.email, r.body.roles, r.body.active], ['alice', 'alice@example.com', [{ name: 'Op' }], true]);
      assert.ok(!('password' in r.body) && !r.text.includes('horse'));
      assert.ok(await verifyPassword(h.db, 'alice', 'correct horse battery'));
    });

    test('a taken username or email is 409; missing fields, unknown or several roles are 400; only an Admin manages users', async () => {
      assert.equal((await h.call('POST', '/api/v1/users', { body: alice })).status, 409);
      assert.equal((await h.call('POST', '/api/v1/users', { body: { ...alice, username: 'alice2' } })).status, 409);
      const bad = [
        { ...alice, username: 'b', email: 'b@example.com', password: undefined },
        { ...alice, username: 'b', email: 'b@example.com', roles: [{ name: 'Wizard' }] },
        { ...alice, username: 'b', email: 'b@example.com', roles: [{ name: 'Op' }, { name: 'User' }] },
        { ...alice, username: 'b', email: 'not-an-email' },
        { ...alice, username: 'b', email: 'b@example.com', is_admin: true },
      ];
      for (const body of bad) assert.equal((await h.call('POST', '/api/v1/users', { body })).status, 400, JSON.stringify(body));
      assert.equal((await h.call('POST', '/api/v1/users', { body: { ...alice, username: 'b' }, role: 'Op' })).status, 403);
      assert.equal((await h.call('GET', '/api/v1/users', { role: 'Op' })).status, 403);
    });

    test('GET /users lists users paged and ordered; GET /users/{username} one user', async () => {
      await h.call('POST', '/api/v1/users', { body: { ...alice, username: 'bob', email: 'bob@example.com', roles: [{ name: 'Viewer' }] } });
      const list = await h.call('GET', '/api/v1/users?order_by=-username&limit=1');
      assert.deepEqual([list.body.users[0].username, list.body.total_entries], ['bob', 2]);
      const bob = await h.call('GET', '/api/v1/users/bob');
      assert.deepEqual(bob.body.roles, [{ name: 'Viewer' }]);
      assert.equal((await h.call('GET', '/api/v1/users/nobody')).status, 404);
    });

    test('PATCH /users/{username} changes the fields update_mask names, including the role and the password', async () => {
      const r = await h.call('PATCH', '/api/v1/users/bob?update_mask=roles,last_name', { body: { roles: [{ name: 'User' }], last_name: 'Builder', first_name: 'ignored' } });
      assert.deepEqual([r.body.roles, r.body.last_name, r.body.first_name], [[{ name: 'User' }], 'Builder', 'Alice']);
      await h.call('PATCH', '/api/v1/users/bob?update_mask=password', { body: { password: 'a new password' } });
      assert.ok(await verifyPassword(h.db, 'bob', 'a new password'));
      assert.equal((await h.call('PATCH', '/api/v1/users/bob?update_mask=email', { body: { email: 'alice@example.com' } })).status, 409);
      assert.equal((await h.call('PATCH', '/api/v1/users/bob?update_mask=created_on', { body: {} })).status, 400);
      assert.equal((await h.call('PATCH', '/api/v1/users/nobody?update_mask=email', { body: { email: 'n@example.com' } })).status, 404);
    });

    test('DELETE /users/{username} deletes a user', async () => {
      assert.equal((await h.call('DELETE', '/api/v1/users/bob')).status, 204);
      assert.equal((await h.call('DELETE', '/api/v1/users/bob')).status, 404);
    });

    test('GET /roles lists the built-in roles with their permissions; GET /roles/{name} one role; they cannot be changed', async () => {
      const r = await h.call('GET', '/api/v1/roles');
      assert.deepEqual(r.body.roles.map((x: { name: string }) => x.name), [...ROLES].sort());
      const viewer = await h.call('GET', '/api/v1/roles/Viewer');
      assert.ok(viewer.body.actions.some((a: { action: { name: string }; resource: { name: string } }) => a.action.name === 'can_read' && a.resource.name === 'DAGs'));
      assert.ok(!viewer.body.actions.some((a: { action: { name: string } }) => a.action.name === 'can_edit'));
      assert.equal((await h.call('GET', '/api/v1/roles/Public')).body.actions.length, 0);
      assert.equal((await h.call('GET', '/api/v1/roles/Wizard')).status, 404);
      assert.equal((await h.call('POST', '/api/v1/roles', { body: { name: 'Wizard', actions: [] } })).status, 400);
      assert.equal((await h.call('PATCH', '/api/v1/roles/Viewer', { body: { name: 'Viewer' } })).status, 400);
      assert.equal((await h.call('DELETE', '/api/v1/roles/Viewer')).status, 400);
      assert.equal((await h.call('DELETE', '/api/v1/roles/Viewer', { role: 'Op' })).status, 403);
    });

    test('GET /permissions lists the actions', async () => {
      const r = await h.call('GET', '/api/v1/permissions');
      assert.deepEqual(r.body, { actions: [{ name: 'can_read' }, { name: 'can_edit' }, { name: 'can_create' }, { name: 'can_delete' }], total_entries: 4 });
      assert.equal((await h.call('GET', '/api/v1/permissions', { role: 'Viewer' })).status, 403);
    });
  });
}

/**
 * API v2 authentication: POST /auth/token issues a JWT; every v2 call needs it as a Bearer
 * token; expired, forged, wrongly signed and tampered tokens are 401 with nothing leaked; a
 * deleted user's or a changed password's token stops working; Baton API tokens still work;
 * v1's basic auth is unchanged. The signing key is stored encrypted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { AccessTokens } from '../../src/api/v2/auth/access-tokens.ts';
import { SigningKeys } from '../../src/api/v2/auth/signing-key.ts';
import { createApiToken } from '../../src/security/api-tokens.ts';
import { generateFernetKey, KeyRing } from '../../src/security/encryption.ts';
import { rotateFernetKey } from '../../src/security/rotate.ts';
import { createUser, deleteUser, getUser, resetPassword, updateUser } from '../../src/security/users.ts';
import { eachDialect } from '../support/databases.ts';
import { openV2Harness, PASSWORD, type V2Harness } from './support/v2-harness.ts';

for (const dialect of eachDialect()) {
  describe(`API v2 authentication on ${dialect.name}`, () => {
    let h: V2Harness;
    before(async () => {
      h = await openV2Harness(dialect, { encrypt: true });
    });
    after(() => h?.close());

    test('POST /auth/token answers 201 with a JWT that authorizes v2 calls', async () => {
      const r = await h.token('viewer-user', PASSWORD);
      assert.equal(r.status, 201);
      assert.match(r.body.access_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      const dags = await h.call('GET', '/api/v2/dags', { authorization: `Bearer ${r.body.access_token}` });
      assert.equal(dags.status, 200);
    });

    test('the OAuth2 password form is accepted too', async () => {
      const res = await h.app.request('/auth/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `username=op-user&password=${PASSWORD}` });
      assert.equal(res.status, 201);
    });

    test('wrong credentials are 401 with the same answer for an unknown user and a wrong password', async () => {
      const wrongPass = await h.token('viewer-user', 'nope-nope');
      const noUser = await h.token('nobody-here', 'nope-nope');
      assert.equal(wrongPass.status, 401);
      assert.deepEqual(wrongPass.body, noUser.body);
      assert.equal(wrongPass.body.detail, 'Invalid credentials');
    });

    test('a token request without username or password is 422', async () => {
      const r = await h.token('', PASSWORD);
      assert.equal(r.status, 422);
      assert.deepEqual(r.body.detail[0].loc, ['body', 'username']);
    });

    test('no token, a malformed one, a forged one, one signed with another key and an expired one are 401 and reveal nothing', async () => {
      const good = h.tokens.Admin!;
      const [head, payload] = good.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      const elevated = Buffer.from(JSON.stringify({ ...claims, sub: '999' })).toString('base64url');
      const otherKey = await new SignJWT(claims).setProtectedHeader(JSON.parse(Buffer.from(head!, 'base64url').toString())).sign(new Uint8Array(64).fill(7));
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
      const clock = Date.now() + 2 * 86400_000;
      const expiredCheck = await new AccessTokens(h.db, new SigningKeys(h.db, h.secrets.keys), { expirationSeconds: 86400, now: () => clock }).verify(good);
      assert.equal(expiredCheck, null, 'a token past its expiry is refused');
      const shortLived = new AccessTokens(h.db, new SigningKeys(h.db, h.secrets.keys), { expirationSeconds: 1, now: () => Date.now() - 10_000 });
      const user = (await getUser(h.db, 'admin-user'))!;
      const row = await h.db.selectFrom('ab_user').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow();
      const expired = await shortLived.issue(user, row.password_hash);
      const bodies = new Set<string>();
      for (const authorization of [undefined, 'Bearer', 'Bearer not-a-token', `Bearer ${head}.${elevated}.${good.split('.')[2]}`, `Bearer ${otherKey}`, `Bearer ${none}`, `Bearer ${expired}`, `Basic ${Buffer.from(`admin-user:${PASSWORD}`).toString('base64')}`]) {
        const r = await h.call('GET', '/api/v2/dags', authorization === undefined ? { role: null } : { authorization });
        assert.equal(r.status, 401, String(authorization));
        assert.equal(r.headers.get('www-authenticate'), 'Bearer');
        bodies.add(r.text);
      }
      assert.equal(bodies.size, 1, 'every refusal looks the same');
    });

    test("changing the user's password, deactivating or deleting the user ends its tokens", async () => {
      await createUser(h.db, { username: 'temp-user', password: PASSWORD, role: 'Viewer' });
      const issue = async () => (await h.token('temp-user', PASSWORD)).body.access_token as string;
      const ok = async (t: string) => (await h.call('GET', '/api/v2/dags', { authorization: `Bearer ${t}` })).status;
      let t = await issue();
      assert.equal(await ok(t), 200);
      await resetPassword(h.db, 'temp-user', PASSWORD);
      assert.equal(await ok(t), 401, 'a new password hash (even of the same password) ends old tokens');
      t = await issue();
      await updateUser(h.db, 'temp-user', { active: false });
      assert.equal(await ok(t), 401);
      await updateUser(h.db, 'temp-user', { active: true });
      assert.equal(await ok(t), 200);
      await deleteUser(h.db, 'temp-user');
      assert.equal(await ok(t), 401);
    });

    test("roles apply: a Viewer may read but not pause; Public may not read", async () => {
      assert.equal((await h.call('PATCH', '/api/v2/dags/api_etl', { role: 'Viewer', body: { is_paused: true } })).status, 403);
      assert.equal((await h.call('GET', '/api/v2/dags', { role: 'Public' })).status, 403);
      assert.equal((await h.call('GET', '/api/v2/dags', { role: 'Viewer' })).status, 200);
    });

    test('Baton API tokens work as Bearer tokens on v2, and v1 keeps basic auth', async () => {
      const { token } = await createApiToken(h.db, 'op-user', 'ci');
      assert.equal((await h.call('GET', '/api/v2/dags', { authorization: `Bearer ${token}` })).status, 200);
      const v1 = await h.app.request('/api/v1/dags', { headers: { authorization: `Basic ${Buffer.from(`admin-user:${PASSWORD}`).toString('base64')}` } });
      assert.equal(v1.status, 200);
    });

    test('the signing key is stored encrypted, never in clear', async () => {
      const rows = await h.db.selectFrom('api_signing_key').selectAll().execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.is_encrypted, 1);
      const key = await new SigningKeys(h.db, h.secrets.keys).signingKey();
      assert.ok(!rows[0]!.secret.includes(Buffer.from(key.secret).toString('base64url')));
    });
  });
}

for (const dialect of eachDialect()) {
  describe(`API token signing key rotation on ${dialect.name}`, () => {
    test('baton rotate-fernet-key re-encrypts the signing key; tokens issued before still verify with only the new key', async () => {
      const t = await dialect.open();
      try {
        const oldKey = generateFernetKey();
        const newKey = generateFernetKey();
        const user = await createUser(t.db, { username: 'rotator', password: PASSWORD, role: 'Viewer' });
        const row = await t.db.selectFrom('ab_user').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow();
        const token = await new AccessTokens(t.db, new SigningKeys(t.db, new KeyRing(oldKey)), { expirationSeconds: 60 }).issue(user, row.password_hash);
        const report = await rotateFernetKey(t.db, new KeyRing(`${newKey},${oldKey}`));
        assert.equal(report.signingKeys, 1);
        const verified = await new AccessTokens(t.db, new SigningKeys(t.db, new KeyRing(newKey)), { expirationSeconds: 60 }).verify(token);
        assert.equal(verified?.username, 'rotator');
        const withOld = new AccessTokens(t.db, new SigningKeys(t.db, new KeyRing(oldKey)), { expirationSeconds: 60 });
        assert.equal(await withOld.verify(token), null, 'the old key alone no longer opens the signing key');
      } finally {
        await t.drop();
      }
    });
  });
}

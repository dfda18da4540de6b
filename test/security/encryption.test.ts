/**
 * Encryption at rest: AES-256-GCM round trips, key lists, rotation (then reading with only the
 * new key), tampered and unknown-key ciphertexts refused with clear errors, and the store layer
 * that encrypts variables and connections on write and decrypts on read, on every dialect.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DecryptionError, FernetKeyError, generateFernetKey, KeyRing } from '../../src/security/encryption.ts';
import { ensureFernetKey, fernetKeyRing, sessionSecret } from '../../src/security/keys.ts';
import { rotateFernetKey } from '../../src/security/rotate.ts';
import { secureStore } from '../../src/security/secure-store.ts';
import { getConnection, getVariable, setVariable } from '../../src/store/index.ts';
import { eachDialect, type TestDb } from '../support/databases.ts';

const OLD = generateFernetKey();
const NEW = generateFernetKey();

/** Flips one bit of the decoded ciphertext at `index` (negative: from the end). */
function flip(token: string, index: number): string {
  const raw = Buffer.from(token, 'base64url');
  const i = index < 0 ? raw.length + index : index;
  raw[i] = raw[i]! ^ 0x01;
  return raw.toString('base64url');
}

describe('key ring', () => {
  test('round trip, with a fresh IV each time; unicode and empty strings survive', () => {
    const ring = new KeyRing(OLD);
    for (const text of ['', 'hunter2', 'ünïcødé ✓ 🔑', 'x'.repeat(100_000)]) {
      const a = ring.encrypt(text);
      assert.notEqual(a, ring.encrypt(text));
      assert.equal(ring.decrypt(a), text);
      if (text.length > 3) assert.equal(a.includes(text), false);
    }
  });

  test('the first key encrypts, every listed key decrypts', () => {
    const old = new KeyRing(OLD).encrypt('written long ago');
    const both = new KeyRing(`${NEW}, ${OLD}`);
    assert.equal(both.size, 2);
    assert.equal(both.decrypt(old), 'written long ago');
    assert.equal(new KeyRing(NEW).decrypt(both.encrypt('new')), 'new');
    assert.equal(both.isCurrent(old), false);
    assert.equal(both.isCurrent(both.encrypt('x')), true);
  });

  test('a value written with a key that is not listed fails with a clear error naming the cause', () => {
    const token = new KeyRing(OLD).encrypt('secret');
    assert.throws(() => new KeyRing(NEW).decrypt(token, "variable 'x'"), (e: unknown) => {
      assert.ok(e instanceof DecryptionError);
      assert.equal(e.reason, 'unknown_key');
      assert.match(e.message, /variable 'x'.*key .* that BATON_FERNET_KEY does not list/);
      return true;
    });
  });

  test('tampering anywhere (header, IV, data, tag) is detected, never decrypted to garbage', () => {
    const ring = new KeyRing(OLD);
    const token = ring.encrypt('pay the admin 100 dollars');
    for (const at of [1, 6, 20, -17, -1]) {
      assert.throws(() => ring.decrypt(flip(token, at)), (e: unknown) => e instanceof DecryptionError && (e.reason === 'tampered' || e.reason === 'unknown_key'), `byte ${at}`);
    }
    assert.throws(() => ring.decrypt(flip(token, 25)), /failed its integrity check/);
    assert.throws(() => ring.decrypt(token.slice(0, -4)), /integrity check/);
    for (const bad of ['', 'not a ciphertext', 'gAAAAABkZ', '!!!']) assert.throws(() => ring.decrypt(bad), (e: unknown) => e instanceof DecryptionError && e.reason === 'malformed');
  });

  test('malformed key lists are configuration errors that say what a key looks like', () => {
    assert.throws(() => new KeyRing(''), FernetKeyError);
    assert.throws(() => new KeyRing('short'), /32 bytes/);
    assert.throws(() => new KeyRing(`${OLD},not base64!`), /key #2 is not base64/);
    // Airflow's padded url-safe keys and standard base64 are accepted.
    const padded = `${Buffer.alloc(32, 7).toString('base64')}`;
    assert.equal(new KeyRing(padded).decrypt(new KeyRing(Buffer.alloc(32, 7).toString('base64url')).encrypt('ok')), 'ok');
  });

  test('keys from BATON_FERNET_KEY, else from BATON_HOME/fernet.key (created with mode 600)', () => {
    const home = mkdtempSync(join(tmpdir(), 'baton-keys-'));
    assert.equal(fernetKeyRing({ home, fernetKey: null }), null);
    assert.equal(fernetKeyRing({ home, fernetKey: OLD })?.size, 1);
    const { created } = ensureFernetKey({ home, fernetKey: null });
    assert.equal(created, join(home, 'fernet.key'));
    assert.equal(statSync(created!).mode & 0o777, 0o600);
    assert.equal(ensureFernetKey({ home, fernetKey: null }).created, null);
    assert.equal(fernetKeyRing({ home, fernetKey: null })?.keyIds[0], new KeyRing(readFileSync(created!, 'utf8')).keyIds[0]);
    assert.equal(ensureFernetKey({ home, fernetKey: OLD }).created, null);
    const s = sessionSecret({ home, secretKey: null });
    assert.equal(sessionSecret({ home, secretKey: null }), s);
    assert.equal(statSync(join(home, 'secret.key')).mode & 0o777, 0o600);
    assert.equal(sessionSecret({ home, secretKey: 'from-the-environment' }), 'from-the-environment');
  });
});

for (const dialect of eachDialect()) {
  describe(`encrypted variables and connections on ${dialect.name}`, () => {
    let t: TestDb;
    before(async () => {
      t = await dialect.open();
    });
    after(() => t?.drop());

    test('values are ciphertext in the database and clear through the store', async () => {
      const store = secureStore(t.db, new KeyRing(OLD));
      await store.setVariable('api_key', 'abc-123-secret', { description: 'vendor' });
      await store.upsertConnection({ connId: 'wh', connType: 'postgres', host: 'db', login: 'u', password: 'pg-pass-123', extra: '{"sslkey":"k"}' });
      const rawVar = await getVariable(t.db, 'api_key');
      assert.equal(rawVar?.isEncrypted, true);
      assert.equal(rawVar?.value.includes('abc-123'), false);
      const rawConn = await getConnection(t.db, 'wh');
      assert.deepEqual([rawConn?.isEncrypted, rawConn?.isExtraEncrypted, rawConn?.host], [true, true, 'db']);
      assert.equal(rawConn?.password?.includes('pg-pass'), false);
      assert.deepEqual(await store.getVariable('api_key'), { key: 'api_key', value: 'abc-123-secret', description: 'vendor', isEncrypted: true });
      const conn = await store.getConnection('wh');
      assert.deepEqual([conn?.password, conn?.extra], ['pg-pass-123', '{"sslkey":"k"}']);
      assert.deepEqual((await store.listConnections()).map((c) => c.password), ['pg-pass-123']);
      assert.deepEqual((await store.listVariables()).map((v) => v.value), ['abc-123-secret']);
    });

    test('without a key values are stored in clear (with one warning) and still read once a key is set', async () => {
      const warnings: string[] = [];
      const plain = secureStore(t.db, null, { warn: (m) => warnings.push(m) });
      await plain.setVariable('region', 'eu-west-1');
      assert.equal((await getVariable(t.db, 'region'))?.value, 'eu-west-1');
      assert.ok(warnings.length <= 1);
      assert.equal((await secureStore(t.db, new KeyRing(OLD)).getVariable('region'))?.value, 'eu-west-1');
      await assert.rejects(plain.getVariable('api_key'), /stored encrypted but no key is configured/);
    });

    test('rotation re-encrypts with the new key; afterwards only the new key is needed', async () => {
      await setVariable(t.db, 'legacy_plain', 'was in clear');
      const report = await rotateFernetKey(t.db, new KeyRing(`${NEW},${OLD}`));
      assert.deepEqual(report, { variables: 3, connections: 1, signingKeys: 0 });
      const onlyNew = secureStore(t.db, new KeyRing(NEW));
      assert.equal((await onlyNew.getVariable('api_key'))?.value, 'abc-123-secret');
      assert.equal((await onlyNew.getVariable('legacy_plain'))?.value, 'was in clear');
      assert.equal((await getVariable(t.db, 'legacy_plain'))?.isEncrypted, true);
      assert.equal((await onlyNew.getConnection('wh'))?.password, 'pg-pass-123');
      await assert.rejects(secureStore(t.db, new KeyRing(OLD)).getVariable('api_key'), /does not list/);
      // Running it again with the same key has nothing to do.
      assert.deepEqual(await rotateFernetKey(t.db, new KeyRing(NEW)), { variables: 0, connections: 0, signingKeys: 0 });
    });

    test('a tampered row is refused with a clear error, and rotation then changes nothing', async () => {
      const stored = (await getVariable(t.db, 'api_key'))!.value;
      await t.db.updateTable('variable').set({ val: flip(stored, 30) }).where('key', '=', 'api_key').execute();
      const store = secureStore(t.db, new KeyRing(NEW));
      await assert.rejects(store.getVariable('api_key'), /variable 'api_key'.*integrity check/);
      const before = await t.db.selectFrom('variable').selectAll().orderBy('key').execute();
      await assert.rejects(rotateFernetKey(t.db, new KeyRing(`${generateFernetKey()},${NEW}`)), DecryptionError);
      assert.deepEqual(await t.db.selectFrom('variable').selectAll().orderBy('key').execute(), before);
    });
  });
}

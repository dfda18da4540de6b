/** Password hashing: scrypt with a salt per hash, parameters in the hash, constant-time checks. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generatePassword, hashPassword, needsRehash, PasswordError, verifyPasswordHash } from '../../src/security/passwords.ts';

describe('password hashing', () => {
  test('a hash never contains the password and records scrypt parameters, salt and key', async () => {
    const hash = await hashPassword('correct horse battery staple');
    assert.doesNotMatch(hash, /correct|horse|staple/);
    const [scheme, N, r, p, salt, key] = hash.split('$');
    assert.deepEqual([scheme, N, r, p], ['scrypt', '32768', '8', '1']);
    assert.equal(Buffer.from(salt!, 'base64url').length, 16);
    assert.equal(Buffer.from(key!, 'base64url').length, 32);
    assert.equal(needsRehash(hash), false);
  });

  test('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('s3cret-Pässword');
    assert.equal(await verifyPasswordHash('s3cret-Pässword', hash), true);
    assert.equal(await verifyPasswordHash('s3cret-Password', hash), false);
    assert.equal(await verifyPasswordHash('', hash), false);
    assert.equal(await verifyPasswordHash('s3cret-Pässword', null), false);
  });

  test('the same password gets a different salt (and hash) each time', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    assert.notEqual(a, b);
    assert.notEqual(a.split('$')[4], b.split('$')[4]);
    assert.equal(await verifyPasswordHash('same', a), true);
    assert.equal(await verifyPasswordHash('same', b), true);
  });

  test('parameters come from the hash, so cheaper or costlier hashes still verify', async () => {
    const cheap = await hashPassword('pw', { N: 1024, r: 8, p: 1 });
    assert.match(cheap, /^scrypt\$1024\$8\$1\$/);
    assert.equal(await verifyPasswordHash('pw', cheap), true);
    assert.equal(needsRehash(cheap), true);
  });

  test('malformed or abusive stored hashes are refused, not trusted', async () => {
    const good = await hashPassword('pw');
    const parts = good.split('$');
    for (const bad of ['', 'pw', 'plain$pw', parts.with(1, String(2 ** 24)).join('$'), parts.with(1, '1000').join('$'), parts.with(5, 'AAAA').join('$'), 'bcrypt$2$8$1$a$b']) {
      assert.equal(await verifyPasswordHash('pw', bad), false, bad);
    }
  });

  test('empty, too long or non-string passwords cannot be hashed', async () => {
    await assert.rejects(hashPassword(''), PasswordError);
    await assert.rejects(hashPassword('x'.repeat(1025)), PasswordError);
    await assert.rejects(hashPassword(42 as unknown as string), PasswordError);
  });

  test('generated passwords are long, random and unambiguous', () => {
    const seen = new Set(Array.from({ length: 50 }, () => generatePassword()));
    assert.equal(seen.size, 50);
    for (const p of seen) assert.match(p, /^[A-HJ-NP-Za-km-z2-9]{20}$/);
    assert.equal(generatePassword(32).length, 32);
  });
});

/**
 * Password hashes for test users, made with a low scrypt cost and kept per process: creating and
 * signing in a harness's users then costs milliseconds instead of seconds each. Sign-in verifies
 * them as it verifies any hash (the parameters are part of it). Hashing with the product's cost
 * is tested where users are created through `createUser` and the `baton users` commands.
 */
import type { Kysely } from 'kysely';
import { hashPassword } from '../../src/security/passwords.ts';
import type { Role } from '../../src/api/authz.ts';
import type { Schema } from '../../src/store/index.ts';
import { createUser } from '../../src/security/users.ts';

const TEST_SCRYPT = { N: 1024, r: 8, p: 1 };
const hashes = new Map<string, Promise<string>>();

/** A cheap hash of `password`, the same one for every call in this process. */
export function testPasswordHash(password: string): Promise<string> {
  let hash = hashes.get(password);
  if (!hash) hashes.set(password, (hash = hashPassword(password, TEST_SCRYPT)));
  return hash;
}

/** Creates a user (as `createUser` does) whose password is stored with a cheap hash. */
export async function createTestUser(db: Kysely<Schema>, user: { username: string; password: string; role: Role; email?: string }): Promise<void> {
  await createUser(db, { ...user, password: null });
  await db.updateTable('ab_user').set({ password_hash: await testPasswordHash(user.password) }).where('username', '=', user.username).execute();
}

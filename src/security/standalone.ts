/**
 * First start of `baton standalone`: like `airflow standalone`, makes the default install
 * secure without setup. Generates an encryption key into BATON_HOME when none is configured,
 * and, when the database has no user, creates `admin` (role Admin) with BATON_ADMIN_PASSWORD
 * or a generated password that is printed once and saved to
 * `<home>/standalone_admin_password.txt` (mode 600).
 */
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { BatonConfig } from '../config.ts';
import type { Schema } from '../store/schema.ts';
import { ensureFernetKey, fernetKeyRing, useKeyRing, writePrivateFile } from './keys.ts';
import { generatePassword } from './passwords.ts';
import { countUsers, createUser } from './users.ts';

/** Name of the file the generated admin password is saved to, under BATON_HOME. */
export const ADMIN_PASSWORD_FILE = 'standalone_admin_password.txt';
/** Username of the user `baton standalone` creates. */
export const STANDALONE_ADMIN = 'admin';

/** What `prepareStandalone` did, for the start-up banner. */
export interface StandaloneSecurity {
  /** The key file generated on this start, if any. */
  keyFileCreated: string | null;
  /** The admin user created on this start, if any. */
  admin: { username: string; password: string | null; passwordFile: string | null } | null;
}

/**
 * Generates the encryption key when needed (and makes this process use it) and creates the
 * admin user when there is no user. `db` must be migrated.
 */
export async function prepareStandalone(db: Kysely<Schema>, config: BatonConfig): Promise<StandaloneSecurity> {
  const { created } = ensureFernetKey(config);
  useKeyRing(fernetKeyRing(config));
  if ((await countUsers(db)) > 0) return { keyFileCreated: created, admin: null };
  const given = config.adminPassword;
  const password = given ?? generatePassword();
  await createUser(db, { username: STANDALONE_ADMIN, password, role: 'Admin', email: 'admin@example.com', firstName: 'Admin', lastName: 'User' });
  let passwordFile: string | null = null;
  if (given === null) {
    passwordFile = join(config.home, ADMIN_PASSWORD_FILE);
    // A file left from an earlier database holds a stale password: replace it.
    writePrivateFile(passwordFile, `${password}\n`, config.home, true);
  }
  return { keyFileCreated: created, admin: { username: STANDALONE_ADMIN, password: given === null ? password : null, passwordFile } };
}

/** Lines for the standalone start-up output; the generated password appears only here, once. */
export function describeStandaloneSecurity(s: StandaloneSecurity): string[] {
  const lines: string[] = [];
  if (s.keyFileCreated) lines.push(`Generated an encryption key for connections and variables: ${s.keyFileCreated} (keep it; back it up with the database)`);
  if (s.admin) {
    if (s.admin.password === null) {
      lines.push(`Created user '${s.admin.username}' (role Admin) with the password from BATON_ADMIN_PASSWORD.`);
    } else {
      lines.push(`Created user '${s.admin.username}' (role Admin). Sign in with username: ${s.admin.username}  password: ${s.admin.password}`);
      lines.push(`  (this password is shown once; it is also saved in ${s.admin.passwordFile}, readable only by you)`);
    }
  }
  return lines;
}

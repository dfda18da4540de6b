/**
 * The API app with its real security on a fresh database: `createApiApp` with the authenticator
 * of src/api/auth (basic, bearer tokens, session cookies), variables and connections encrypted
 * with a fresh key, and one user (with an API token) per role. Also the protected route table
 * (from the app itself) with sample path parameters, and a dump of the database for
 * before/after comparisons.
 */
import type { Hono } from 'hono';
import { sql } from 'kysely';
import { createApiApp } from '../../../src/api/app.ts';
import type { ApiEnv } from '../../../src/api/auth-contract.ts';
import { createAuthenticator, type BatonAuthenticator } from '../../../src/api/auth/authenticator.ts';
import { ROLES, type Role } from '../../../src/api/authz.ts';
import { createApiToken } from '../../../src/security/api-tokens.ts';
import { generateFernetKey, KeyRing } from '../../../src/security/encryption.ts';
import { secureStore } from '../../../src/security/secure-store.ts';
import type { DialectUnderTest } from '../../support/databases.ts';
import { createTestUser } from '../../support/password-hashes.ts';
import { openApiHarness, type ApiHarness } from '../../api/support/api-harness.ts';

export interface SecureApi {
  h: ApiHarness;
  app: Hono<ApiEnv>;
  auth: BatonAuthenticator;
  keys: KeyRing;
  /** A bearer token per role (users `<role lower-case>-user`, password `<role>-Passw0rd`). */
  tokens: Record<Role, string>;
  /** Headers authenticating as `role` with its token. */
  as(role: Role): Record<string, string>;
  close(): Promise<void>;
}

/** Opens the API with real authentication (see the module comment). */
export async function openSecureApi(dialect: DialectUnderTest): Promise<SecureApi> {
  const h = await openApiHarness(dialect);
  const keys = new KeyRing(generateFernetKey());
  const auth = createAuthenticator({ db: h.db, config: h.config });
  const app = createApiApp({ db: h.db, config: h.config, authenticator: auth, secrets: secureStore(h.db, keys, { warn: () => {} }) });
  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) {
    const username = `${role.toLowerCase()}-user`;
    await createTestUser(h.db, { username, password: `${role}-Passw0rd`, role, email: `${username}@example.com` });
    tokens[role] = (await createApiToken(h.db, username, 'tests')).token;
  }
  return {
    h, app, auth, keys, tokens,
    as: (role) => ({ authorization: `Bearer ${tokens[role]}` }),
    close: () => h.close(),
  };
}

/** Paths that answer without credentials. */
const PUBLIC = new Set(['/health', '/api/v1/health', '/api/v1/version', '/api/v1/openapi.yaml']);

const SAMPLE_PARAMS: Record<string, string> = {
  dag_id: 'api_etl', dag_run_id: 'manual_1', task_id: 'extract', map_index: '0', file_token: 'abc', uri: 's3%3A%2F%2Fb%2Fk', pool_name: 'default_pool',
  variable_key: 'some_key', connection_id: 'some_conn', import_error_id: '1', event_log_id: '1', section: 'core', option: 'dags_folder', role_name: 'Admin',
  username: 'admin-user', task_try_number: '1', xcom_key: 'return_value',
};

export interface RouteCase {
  method: string;
  /** The route pattern, e.g. `/api/v1/dags/:dag_id`. */
  pattern: string;
  /** The names of its path parameters. */
  params: string[];
  /** A concrete path with sample parameters. */
  path: string;
}

/** Every route that needs credentials, from the app's own route table. */
export function protectedRoutes(app: Hono<ApiEnv>): RouteCase[] {
  const out = new Map<string, RouteCase>();
  for (const r of app.routes) {
    if (r.method === 'ALL' || !r.path.startsWith('/api/v1/') || PUBLIC.has(r.path)) continue;
    const params = [...r.path.matchAll(/:(\w+)(\{[^}]*\})?/g)].map((m) => m[1]!);
    out.set(`${r.method} ${r.path}`, { method: r.method, pattern: r.path, params, path: fillPath(r.path, (name) => SAMPLE_PARAMS[name] ?? 'x') });
  }
  return [...out.values()];
}

/** The route pattern with each parameter replaced by `value(name)` (URL-encoded unless it contains %). */
export function fillPath(pattern: string, value: (name: string) => string): string {
  return pattern.replace(/:(\w+)(\{[^}]*\})?/g, (_m, name: string) => {
    const v = value(name);
    return /%[0-9A-Fa-f]{2}/.test(v) ? v : encodeURIComponent(v);
  });
}

/**
 * Every table's rows (sorted), except the event log and job heartbeats, with the columns that
 * authentication itself updates (last login, token last use) left out.
 */
export async function dumpDatabase(h: ApiHarness): Promise<Record<string, string[]>> {
  const names = h.config.databaseUrl.startsWith('sqlite')
    ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(h.db)).rows.map((r) => r.name)
    : (await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = current_schema()`.execute(h.db)).rows.map((r) => r.name);
  const volatile: Record<string, string[]> = { ab_user: ['last_login'], api_token: ['last_used_at'] };
  const dump: Record<string, string[]> = {};
  for (const name of names.sort()) {
    if (name === 'log' || name === 'job') continue;
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(h.db);
    dump[name] = rows
      .map((row) => {
        for (const col of volatile[name] ?? []) delete row[col];
        return JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : v));
      })
      .sort();
  }
  return dump;
}

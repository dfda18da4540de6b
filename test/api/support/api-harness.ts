/**
 * The API on a fresh database of one dialect, with the fixture DAGs folder (test/fixtures/
 * api-dags) copied to a temporary home and synced with `syncDagFolderOnce`. Optionally the real
 * engine runs too (scheduler and LocalExecutor), for task instances with logs and XComs.
 *
 * `call()` sends a request through `app.request` as a role (header `x-test-role`, default
 * Admin), and checks every response against the OpenAPI document before returning it.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { createApiApp, type ApiAppOptions } from '../../../src/api/app.ts';
import type { ApiEnv } from '../../../src/api/auth-contract.ts';
import { loadConfig, type BatonConfig } from '../../../src/config.ts';
import { syncDagFolderOnce } from '../../../src/engine/dag-folder-sync.ts';
import { generateFernetKey, KeyRing } from '../../../src/security/encryption.ts';
import { secureStore, type SecureStore } from '../../../src/security/secure-store.ts';
import type { Schema } from '../../../src/store/index.ts';
import type { DialectUnderTest } from '../../support/databases.ts';
import { startHarness, type EngineHarness } from '../../support/engine-harness.ts';
import { OpenApiValidator } from './openapi-validator.ts';
import { testAuthenticator, type TestRole } from './test-auth.ts';

const FIXTURES = new URL('../../fixtures/api-dags/', import.meta.url).pathname;
const validator = new OpenApiValidator();

export interface CallOptions {
  /** Default Admin; null sends no credentials. */
  role?: TestRole | null;
  /** A JSON body (sent with Content-Type: application/json) or raw text. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Skip the OpenAPI check (for requests that are wrong on purpose at the transport level). */
  unchecked?: boolean;
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  contentType: string;
  /** Parsed JSON, or the text for other content types. */
  body: T;
  text: string;
}

export interface ApiHarness {
  app: Hono<ApiEnv>;
  db: Kysely<Schema>;
  config: BatonConfig;
  home: string;
  /** How many times the API asked for scheduling. */
  changes: number;
  engine: EngineHarness | null;
  /** The store the API reads and writes variables and connections through. */
  secrets: SecureStore;
  call<T = any>(method: string, path: string, o?: CallOptions): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

export interface ApiHarnessOptions {
  env?: Record<string, string>;
  /** Run the engine (default false: only the database and the synced DAGs). */
  engine?: boolean;
  /** Encrypt variables and connections with a fresh key (default: stored in clear). */
  encrypt?: boolean;
  /** Extra DAG files (name → source) besides the fixtures. */
  files?: Record<string, string>;
  app?: Partial<ApiAppOptions>;
}

/** Opens the API on a fresh database of `dialect` (see the module comment). */
export async function openApiHarness(dialect: DialectUnderTest, o: ApiHarnessOptions = {}): Promise<ApiHarness> {
  let db: Kysely<Schema>;
  let config: BatonConfig;
  let home: string;
  let engine: EngineHarness | null = null;
  let closeDb: () => Promise<void>;
  if (o.engine) {
    const { readdir, readFile } = await import('node:fs/promises');
    const files: Record<string, string> = {};
    for (const name of await readdir(FIXTURES)) files[name] = await readFile(join(FIXTURES, name), 'utf8');
    engine = await startHarness(dialect, { ...files, ...o.files }, { env: o.env });
    db = engine.db;
    config = engine.config;
    home = engine.home;
    closeDb = () => engine!.stop();
  } else {
    const testDb = await dialect.open();
    home = await mkdtemp(join(tmpdir(), 'baton-api-'));
    const dagsDir = join(home, 'dags');
    await cp(FIXTURES, dagsDir, { recursive: true });
    const { writeFile } = await import('node:fs/promises');
    for (const [name, src] of Object.entries(o.files ?? {})) await writeFile(join(dagsDir, name), src);
    config = loadConfig({
      ...process.env, BATON_HOME: home, BATON_DAGS_FOLDER: dagsDir, BATON_DATABASE_URL: testDb.url, BATON_DAGS_ARE_PAUSED_AT_CREATION: 'false',
      BATON_HEARTBEAT_INTERVAL: '0.5', ...o.env,
    });
    await syncDagFolderOnce(testDb, config);
    db = testDb.db;
    closeDb = async () => {
      await testDb.drop();
      await rm(home, { recursive: true, force: true });
    };
  }
  const secrets = secureStore(db, o.encrypt ? new KeyRing(generateFernetKey()) : null, { warn: () => {} });
  const h: ApiHarness = {
    app: undefined as never,
    db, config, home, engine, secrets,
    changes: 0,
    async call(method, path, co = {}) {
      const headers: Record<string, string> = { ...co.headers };
      const role = co.role === undefined ? 'Admin' : co.role;
      if (role !== null) headers['x-test-role'] = role;
      let body: string | undefined;
      if (co.body !== undefined) {
        body = typeof co.body === 'string' ? co.body : JSON.stringify(co.body);
        if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
      }
      const res = await h.app.request(path, { method, headers, body });
      const text = await res.text();
      const contentType = res.headers.get('content-type') ?? '';
      let parsed: unknown = text;
      if (/json/.test(contentType) && text !== '') parsed = JSON.parse(text);
      if (!co.unchecked) validator.check(method, path.split('?')[0]!, { status: res.status, contentType, body: text === '' ? undefined : parsed });
      return { status: res.status, headers: res.headers, contentType, body: parsed as never, text };
    },
    async close() {
      await closeDb();
    },
  };
  h.app = createApiApp({
    db, config, authenticator: testAuthenticator,
    secrets,
    onChange: () => {
      h.changes++;
      engine?.engine.scheduler?.poke();
    },
    ...o.app,
  });
  return h;
}

/** The DAG fixtures' ids. */
export const FIXTURE_DAGS = ['api_consumer', 'api_etl', 'api_mapped', 'api_producer'];

export { validator };

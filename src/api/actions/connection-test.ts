/**
 * Testing a connection from the API, for the types Baton can check without running user code:
 * `http` (a HEAD request to its base URL, then GET when HEAD is refused), `duckdb` and `sqlite`
 * (opening the database file read-only). Other types answer "not supported". A test never
 * throws: it reports `{status, message}` as Airflow's API does.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { HttpHook } from '../../providers/http/hook.ts';
import type { ConnectionView } from '../../sdk/context.ts';

/** Airflow's ConnectionTest shape: whether the test passed, and what happened. */
export interface ConnectionTestResult {
  status: boolean;
  message: string;
}

/** How long an HTTP test may take. */
export const HTTP_TEST_TIMEOUT_MS = 5000;

/** Tests a connection (see the module comment for what each type does). */
export async function testConnection(conn: ConnectionView): Promise<ConnectionTestResult> {
  const type = conn.connType.toLowerCase().replaceAll('-', '_');
  try {
    if (type === 'http' || type === 'https') return await testHttp(conn);
    if (type === 'duckdb') return await testDuckDb(databasePath(conn));
    if (type === 'sqlite') return testSqlite(databasePath(conn));
  } catch (e) {
    return { status: false, message: (e as Error).message };
  }
  return { status: false, message: `Testing connections of type '${conn.connType}' is not supported by Baton; it can test http, duckdb and sqlite connections.` };
}

async function testHttp(conn: ConnectionView): Promise<ConnectionTestResult> {
  const hook = HttpHook.fromConnection(conn, { timeoutMs: HTTP_TEST_TIMEOUT_MS });
  let res = await hook.run({ method: 'HEAD' });
  if (res.status === 405 || res.status === 501) res = await hook.run({ method: 'GET' });
  return res.status < 400
    ? { status: true, message: `Connection successfully tested: ${res.url} answered ${res.status} ${res.statusText}`.trim() }
    : { status: false, message: `${res.url} answered ${res.status} ${res.statusText}`.trim() };
}

function databasePath(conn: ConnectionView): string {
  const fromExtra = conn.extra?.path ?? conn.extra?.database;
  const path = conn.host && conn.host.trim() !== '' ? conn.host : typeof fromExtra === 'string' ? fromExtra : null;
  if (!path) throw new Error(`The connection names no database file: put its path in host (or extra.path).`);
  return path;
}

async function testDuckDb(path: string): Promise<ConnectionTestResult> {
  if (path === ':memory:') return { status: true, message: 'Connection successfully tested: an in-memory DuckDB database.' };
  if (!existsSync(path)) return { status: false, message: `The DuckDB database file ${path} does not exist.` };
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  try {
    const conn = await instance.connect();
    try {
      await conn.run('select 1');
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
  return { status: true, message: `Connection successfully tested: opened the DuckDB database ${path}.` };
}

function testSqlite(path: string): ConnectionTestResult {
  if (path === ':memory:') return { status: true, message: 'Connection successfully tested: an in-memory SQLite database.' };
  if (!existsSync(path)) return { status: false, message: `The SQLite database file ${path} does not exist.` };
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.prepare('select count(*) from sqlite_master').get();
  } finally {
    db.close();
  }
  return { status: true, message: `Connection successfully tested: opened the SQLite database ${path}.` };
}

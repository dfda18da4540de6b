/**
 * Opening the metadata database on SQLite (better-sqlite3) or PostgreSQL (pg).
 *
 * Transactions: use `db.transaction().execute(async (trx) => …)`. On SQLite they begin with
 * `BEGIN IMMEDIATE` and are serialized over the single connection; on PostgreSQL they run at
 * READ COMMITTED, which is what the compare-and-set helpers in `cas.ts` rely on.
 *
 * SQLite: open one `BatonDb` per process for a given file. Two handles on the same file in
 * one process would block each other's transactions for `busy_timeout`, because
 * better-sqlite3 waits synchronously.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import pg from 'pg';
import { parseDatabaseUrl, redactUrl } from './database-url.ts';
import type { SqlDialect } from './dialect.ts';
import type { Schema } from './schema.ts';
import { PipelinedPostgresDialect } from './pg-driver.ts';
import { BatonSqliteDialect } from './sqlite-dialect.ts';

/** An open metadata database. */
export interface BatonDb {
  db: Kysely<Schema>;
  dialect: SqlDialect;
  /** Closes every connection. Safe to call more than once. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** `sqlite:/abs/path.db`, `sqlite::memory:` or `postgres://user:password@host:port/db`. */
  url: string;
  /** PostgreSQL only: the most connections the pool opens (default 10). */
  poolSize?: number;
  /** PostgreSQL only: the connections' `application_name` (default `baton`). */
  applicationName?: string;
}

const INT8_OID = 20;

/** The database server did not answer (down, restarting, unreachable): worth trying again later. */
export class DatabaseUnreachableError extends Error {
  override readonly name = 'DatabaseUnreachableError';
}

/**
 * Opens the database at `opts.url` and checks that it answers. Does not migrate; call
 * `migrateToLatest` for that.
 */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<BatonDb> {
  const target = parseDatabaseUrl(opts.url);
  if (target.dialect === 'sqlite') return openSqlite(target.path);
  return openPostgres(target.connectionString, opts.poolSize ?? 10, opts.applicationName ?? 'baton');
}

function openSqlite(path: string): BatonDb {
  let handle: Database.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    handle = new Database(path, { timeout: 5000 });
    handle.pragma('journal_mode = WAL');
    handle.pragma('synchronous = NORMAL');
    handle.pragma('busy_timeout = 5000');
    handle.pragma('foreign_keys = ON');
  } catch (err) {
    throw new Error(`Could not open the SQLite database sqlite:${path}: ${(err as Error).message}. Check that the folder exists or can be created, is writable, and that the file is a SQLite database.`, { cause: err });
  }
  const db = new Kysely<Schema>({ dialect: new BatonSqliteDialect({ database: withStatementCache(handle) }) });
  return { db, dialect: 'sqlite', close: onlyOnce(() => db.destroy()) };
}

async function openPostgres(connectionString: string, poolSize: number, applicationName: string): Promise<BatonDb> {
  // COUNT(*) and other BIGINT results come back as numbers, as they do on SQLite. Baton's own
  // columns are 32-bit, so no stored value loses precision.
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, 'text', Number);
  const pool = new pg.Pool({ connectionString, max: poolSize, types, application_name: applicationName });
  // An idle connection that breaks (server restart, database dropped) is discarded by the
  // pool, and the next query opens a new one; without this listener the process would exit.
  pool.on('error', () => {});
  // A connection that breaks while checked out (say between two statements of a transaction)
  // emits 'error' on its client, which the pool no longer listens to: the failure reaches the
  // caller as the error of its next statement, and the pool discards the connection when it is
  // released. Without this listener the process would exit.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    await pool.end().catch(() => {});
    throw new DatabaseUnreachableError(`Could not connect to PostgreSQL at ${redactUrl(connectionString)}: ${(err as Error).message}. Check that the server is running and accepts connections there, and that the user, password and database in the URL are right.`, { cause: err });
  }
  const db = new Kysely<Schema>({ dialect: new PipelinedPostgresDialect(pool) });
  return { db, dialect: 'postgres', close: onlyOnce(() => db.destroy()) };
}

/**
 * Kysely prepares every query it runs; better-sqlite3 statements are reusable, so keep the
 * prepared ones by SQL text (the scheduler runs the same few dozen shapes over and over).
 */
function withStatementCache(handle: Database.Database, max = 500) {
  const cache = new Map<string, Database.Statement>();
  return {
    prepare(sql: string): Database.Statement {
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql);
        cache.set(sql, stmt);
        return stmt;
      }
      stmt = handle.prepare(sql);
      cache.set(sql, stmt);
      if (cache.size > max) cache.delete(cache.keys().next().value!);
      return stmt;
    },
    close(): void {
      cache.clear();
      handle.close();
    },
  };
}

function onlyOnce(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

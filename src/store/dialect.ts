/** Telling the dialects apart, and the one query shape that differs between them. */
import { PostgresAdapter } from 'kysely';
import type { Kysely, SelectQueryBuilder } from 'kysely';

/** The SQL dialects Baton supports. */
export type SqlDialect = 'sqlite' | 'postgres';

/** The dialect a Kysely instance (or transaction) talks to. */
export function dialectOf(db: Kysely<any>): SqlDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * Locks the selected rows until the transaction ends: `FOR NO KEY UPDATE [SKIP LOCKED]` on
 * PostgreSQL. That excludes other lockers and writers of the rows as `FOR UPDATE` does, but not
 * a transaction inserting a row that refers to a locked one (its foreign-key check takes a KEY
 * SHARE lock, which `FOR UPDATE` would make wait until the lock holder commits). Baton never
 * changes the key of a row it locks. On SQLite it returns the query unchanged: a Baton
 * transaction there holds the database's write lock from its first statement, which already
 * excludes other writers.
 */
export function forUpdate<QB extends SelectQueryBuilder<any, any, any>>(db: Kysely<any>, query: QB, opts: { skipLocked?: boolean } = {}): QB {
  if (dialectOf(db) !== 'postgres') return query;
  const locked = query.forNoKeyUpdate();
  return (opts.skipLocked ? locked.skipLocked() : locked) as QB;
}

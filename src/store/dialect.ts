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
 * Locks the selected rows until the transaction ends: `FOR UPDATE [SKIP LOCKED]` on
 * PostgreSQL. On SQLite it returns the query unchanged: a Baton transaction there holds the
 * database's write lock from its first statement, which already excludes other writers.
 */
export function forUpdate<QB extends SelectQueryBuilder<any, any, any>>(db: Kysely<any>, query: QB, opts: { skipLocked?: boolean } = {}): QB {
  if (dialectOf(db) !== 'postgres') return query;
  const locked = query.forUpdate();
  return (opts.skipLocked ? locked.skipLocked() : locked) as QB;
}

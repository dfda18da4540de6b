/**
 * DuckDB connections: type "duckdb", the database file path in `host` or `extra.path`
 * (`:memory:` for an in-memory database). As environment variables:
 *
 *   BATON_CONN_WAREHOUSE='{"conn_type":"duckdb","host":"/data/warehouse.duckdb"}'
 *   BATON_CONN_WAREHOUSE='duckdb://?path=%2Fdata%2Fwarehouse.duckdb'
 *
 * Relative paths are relative to the working directory of the process running the task.
 */
import type { ConnectionView, TaskContext } from '../../sdk/context.ts';

export const DUCKDB_CONN_TYPE = 'duckdb';
/** The connection used when a DuckDB task names none. */
export const DEFAULT_DUCKDB_CONN_ID = 'duckdb_default';

/** The database path a DuckDB connection points at. */
export function duckDbPathFromConnection(conn: ConnectionView): string {
  const type = conn.connType.replaceAll('-', '_');
  if (type !== DUCKDB_CONN_TYPE) {
    throw new Error(`connection '${conn.connId}' has type '${conn.connType}', but DuckDB tasks need a connection of type '${DUCKDB_CONN_TYPE}'`);
  }
  const fromExtra = conn.extra?.path ?? conn.extra?.database;
  const path = conn.host && conn.host.trim() !== '' ? conn.host : typeof fromExtra === 'string' ? fromExtra : null;
  if (!path) {
    throw new Error(`connection '${conn.connId}' names no database: put the DuckDB file path (or ":memory:") in its host or in extra.path`);
  }
  return path;
}

/** Where a DuckDB task reads its database: an explicit path wins over the connection. */
export interface DuckDbTarget {
  /** Connection id. Default `duckdb_default` when no `database` is given. */
  connId?: string;
  /** A database file path or `:memory:`, used instead of a connection. */
  database?: string;
}

/** Resolves a task's database path from `database` or its connection. */
export async function resolveDuckDbPath(ctx: TaskContext, target: DuckDbTarget): Promise<string> {
  if (target.database !== undefined) return target.database;
  const connId = target.connId ?? DEFAULT_DUCKDB_CONN_ID;
  const conn = await ctx.connections.get(connId);
  if (!conn) {
    throw new Error(`DuckDB connection '${connId}' is not defined: create it (type "duckdb", host = database file path), e.g. BATON_CONN_${connId.toUpperCase()}='{"conn_type":"duckdb","host":"/path/to/file.duckdb"}', or give the task a database path`);
  }
  return duckDbPathFromConnection(conn);
}

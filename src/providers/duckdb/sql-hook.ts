/**
 * What tasks need from a SQL database. `DuckDbHook` implements it; another engine can be
 * plugged in behind the same interface (validation, for instance, only needs `query`, written
 * in DuckDB's SQL dialect).
 */
import type { Row } from './convert.ts';

/** Positional (`$1`, `?`) or named (`$name`) parameter values. */
export type SqlParams = ReadonlyArray<SqlParam> | Readonly<Record<string, SqlParam>>;
export type SqlParam = null | boolean | number | bigint | string;

export interface QueryOptions {
  /** Return at most this many rows (the rest are not read). Default: all rows. */
  limit?: number;
}

export interface SqlHook {
  /** Runs one or more statements; returns the rows changed by the last one. */
  run(sql: string, params?: SqlParams): Promise<number>;
  /** Runs a query and returns its rows as plain objects. */
  query(sql: string, params?: SqlParams, options?: QueryOptions): Promise<Row[]>;
  /** Does this table or view exist? */
  tableExists(table: string): Promise<boolean>;
  /** Column names and database types of a query's result, without running it to completion. */
  describe(sql: string): Promise<Array<{ name: string; type: string }>>;
  /** Releases the connection. The hook cannot be used afterwards. */
  close(): Promise<void>;
}

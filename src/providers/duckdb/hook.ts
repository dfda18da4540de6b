/**
 * DuckDbHook: runs SQL on a DuckDB database file (or `:memory:`). Hooks on the same file within
 * a process share one DuckDB instance; each hook has its own connection. Close the hook when
 * done (or use `withDuckDb`), so the file is released for other processes.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { TaskContext } from '../../sdk/context.ts';
import { resolveDuckDbPath, type DuckDbTarget } from './connection.ts';
import { readerRows, type Row } from './convert.ts';
import { acquireInstance, databaseKey, type InstanceLease } from './instances.ts';
import type { QueryOptions, SqlHook, SqlParams } from './sql-hook.ts';

export class DuckDbHook implements SqlHook {
  /** `:memory:` or the absolute path of the database file. */
  readonly database: string;
  #lease: InstanceLease | null = null;
  #conn: Promise<DuckDBConnection> | null = null;
  #closed = false;

  /** @param database a file path (created when missing) or `:memory:`. */
  constructor(database: string) {
    this.database = databaseKey(database);
  }

  /** A hook on the database a task names through `database` or its connection (default `duckdb_default`). */
  static async forTask(ctx: TaskContext, target: DuckDbTarget = {}): Promise<DuckDbHook> {
    return new DuckDbHook(await resolveDuckDbPath(ctx, target));
  }

  async run(sql: string, params?: SqlParams): Promise<number> {
    const conn = await this.connection();
    const reader = await this.wrap(sql, () => conn.runAndReadAll(sql, params as DuckDBValue[] | undefined));
    return reader.rowsChanged;
  }

  async query(sql: string, params?: SqlParams, options: QueryOptions = {}): Promise<Row[]> {
    const conn = await this.connection();
    const limit = options.limit;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new RangeError(`query limit must be an integer ≥ 0 (got ${limit})`);
    const reader = await this.wrap(sql, () =>
      limit === undefined ? conn.runAndReadAll(sql, params as DuckDBValue[] | undefined) : conn.runAndReadUntil(sql, limit, params as DuckDBValue[] | undefined),
    );
    const rows = readerRows(reader);
    return limit === undefined ? rows : rows.slice(0, limit);
  }

  async describe(sql: string): Promise<Array<{ name: string; type: string }>> {
    const rows = await this.query(`DESCRIBE ${sql}`);
    return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  }

  async tableExists(table: string): Promise<boolean> {
    const parts = table.split('.');
    const name = parts.pop()!;
    const schema = parts.pop();
    const catalog = parts.pop();
    const rows = await this.query(
      `SELECT count(*) AS n FROM information_schema.tables
        WHERE table_name = $name
          AND table_schema = ${schema === undefined ? 'current_schema()' : '$schema'}
          AND table_catalog = ${catalog === undefined ? 'current_database()' : '$catalog'}`,
      { name, ...(schema === undefined ? {} : { schema }), ...(catalog === undefined ? {} : { catalog }) },
    );
    return Number(rows[0]?.n ?? 0) > 0;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const conn = this.#conn;
    this.#conn = null;
    if (conn) {
      try {
        (await conn).closeSync();
      } catch {
        /* the connection never opened */
      }
    }
    this.#lease?.release();
    this.#lease = null;
  }

  private connection(): Promise<DuckDBConnection> {
    if (this.#closed) return Promise.reject(new Error(`this DuckDB hook on ${this.database} is closed: create a new DuckDbHook`));
    this.#conn ??= (async () => {
      this.#lease = await acquireInstance(this.database);
      return this.#lease.instance.connect();
    })();
    return this.#conn;
  }

  private async wrap<T>(sql: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const excerpt = sql.length > 400 ? `${sql.slice(0, 400)}…` : sql;
      throw new Error(`DuckDB (${this.database}) could not run the SQL: ${message}\nSQL: ${excerpt.trim()}`, { cause: e });
    }
  }
}

/** Opens a hook, passes it to `fn`, and closes it whatever happens. */
export async function withDuckDb<T>(hookOrDatabase: DuckDbHook | string, fn: (hook: DuckDbHook) => Promise<T>): Promise<T> {
  const hook = typeof hookOrDatabase === 'string' ? new DuckDbHook(hookOrDatabase) : hookOrDatabase;
  try {
    return await fn(hook);
  } finally {
    await hook.close();
  }
}

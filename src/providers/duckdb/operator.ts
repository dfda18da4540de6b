/**
 * DuckDbOperator: runs templated SQL on a DuckDB database. By default it returns nothing;
 * with `returnRows: n` the first n rows of the last statement's result become its XCom.
 */
import { BaseOperator, type BaseOperatorOptions } from '../../sdk/base-operator.ts';
import type { TaskContext } from '../../sdk/context.ts';
import type { DuckDbTarget } from './connection.ts';
import type { Row } from './convert.ts';
import { DuckDbHook, withDuckDb } from './hook.ts';
import { DUCKDB_POOL } from './pool.ts';
import type { SqlParams } from './sql-hook.ts';

export interface DuckDbOperatorOptions extends BaseOperatorOptions, DuckDbTarget {
  /** One or more statements separated by ";". Templated. */
  sql: string;
  /** Values for `$1`/`?` or `$name` placeholders. Templated. */
  parameters?: SqlParams;
  /** Return up to this many rows of the last statement as the XCom. Default 0 (no XCom). */
  returnRows?: number;
}

export class DuckDbOperator extends BaseOperator<Row[] | undefined> {
  static override templateFields = ['sql', 'parameters', 'database'] as const;
  static override uiColor = '#fff100';
  sql: string;
  parameters: SqlParams | undefined;
  database: string | undefined;
  readonly connId: string | undefined;
  readonly returnRows: number;

  /** Runs in the `duckdb` pool unless `pool` is given (see DUCKDB_POOL). */
  constructor(o: DuckDbOperatorOptions) {
    super({ pool: DUCKDB_POOL, ...o });
    if (typeof o.sql !== 'string' || o.sql.trim() === '') throw new TypeError(`DuckDbOperator '${o.taskId}': sql must be a non-empty string`);
    const n = o.returnRows ?? 0;
    if (!Number.isInteger(n) || n < 0) throw new TypeError(`DuckDbOperator '${o.taskId}': returnRows must be an integer ≥ 0 (got ${JSON.stringify(o.returnRows)})`);
    this.sql = o.sql;
    this.parameters = o.parameters;
    this.database = o.database;
    this.connId = o.connId;
    this.returnRows = n;
  }

  async execute(ctx: TaskContext): Promise<Row[] | undefined> {
    const hook = await DuckDbHook.forTask(ctx, { connId: this.connId, database: this.database });
    ctx.log.info(`Running SQL on DuckDB ${hook.database}:\n${this.sql}`);
    return withDuckDb(hook, async (h) => {
      if (this.returnRows === 0) {
        const changed = await h.run(this.sql, this.parameters);
        ctx.log.info(`Done: ${changed} row(s) changed by the last statement`);
        return undefined;
      }
      const rows = await h.query(this.sql, this.parameters, { limit: this.returnRows });
      ctx.log.info(`Returning ${rows.length} row(s) as XCom`);
      return rows;
    });
  }
}

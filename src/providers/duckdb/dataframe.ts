/**
 * `dataframe`: runs a query and hands its rows to a TypeScript function (Astro SDK's
 * `@aql.dataframe`); the function's result is the task's XCom. The database is released before
 * the function runs, so long computations do not hold the file.
 *
 *   const counts = dataframe({
 *     taskId: 'tag_counts', connId: 'warehouse', inputs: { labeled },
 *     sql: 'SELECT tag, count(*) AS n FROM {{ labeled }} GROUP BY tag',
 *     fn: (rows) => Object.fromEntries(rows.map((r) => [r.tag, r.n])),
 *   });
 */
import { BaseOperator, type BaseOperatorOptions } from '../../sdk/base-operator.ts';
import type { TaskContext } from '../../sdk/context.ts';
import type { XComArg } from '../../sdk/xcom-arg.ts';
import { renderTaskTemplate } from '../render-template.ts';
import type { DuckDbTarget } from './connection.ts';
import type { Row } from './convert.ts';
import { DuckDbHook, withDuckDb } from './hook.ts';
import { DUCKDB_POOL } from './pool.ts';
import { linkTableInputs, resolveTableInputs, type TableInputs } from './tables.ts';

export interface DataframeOptions<R> extends BaseOperatorOptions, DuckDbTarget {
  /** The query. Rendered with the task's context plus `inputs`. */
  sql: string;
  /** Upstream tables the SQL names as `{{ name }}`. Default none. */
  inputs?: TableInputs;
  /** Receives the rows (plain objects); its result becomes the XCom. */
  fn: (rows: Row[], ctx: TaskContext) => R | Promise<R>;
}

export class DataframeOperator<R = unknown> extends BaseOperator<R> {
  static override templateFields = ['database'] as const;
  static override uiColor = '#e8f7e4';
  database: string | undefined;
  readonly sql: string;
  readonly connId: string | undefined;
  readonly inputs: TableInputs | undefined;
  readonly fn: DataframeOptions<R>['fn'];

  /** Runs in the `duckdb` pool unless `pool` is given (see DUCKDB_POOL). */
  constructor(o: DataframeOptions<R>) {
    super({ pool: DUCKDB_POOL, ...o });
    if (typeof o.sql !== 'string' || o.sql.trim() === '') throw new TypeError(`dataframe '${o.taskId}': sql must be a non-empty string`);
    if (typeof o.fn !== 'function') throw new TypeError(`dataframe '${o.taskId}': fn must be a function receiving the rows`);
    this.database = o.database;
    this.sql = o.sql;
    this.connId = o.connId;
    this.inputs = o.inputs;
    this.fn = o.fn;
    linkTableInputs(this, o.inputs);
  }

  override get operatorName(): string {
    return 'dataframe';
  }

  override describeFields(): Record<string, unknown> {
    return { ...super.describeFields(), sql: this.sql, inputs: this.inputs };
  }

  async execute(ctx: TaskContext): Promise<R> {
    const tables = await resolveTableInputs(ctx, this.inputs);
    const query = await renderTaskTemplate(ctx, this.sql, { name: `sql of task '${this.taskId}'`, extras: tables });
    const hook = await DuckDbHook.forTask(ctx, { connId: this.connId, database: this.database });
    ctx.log.info(`Querying DuckDB ${hook.database}:\n${query}`);
    const rows = await withDuckDb(hook, (h) => h.query(query));
    ctx.log.info(`Passing ${rows.length} row(s) to ${this.fn.name || 'the function'}`);
    return this.fn(rows, ctx);
  }
}

/** Creates a dataframe task in the current DAG; returns the output of `fn`. */
export function dataframe<R>(options: DataframeOptions<R>): XComArg<Awaited<R>> {
  return new DataframeOperator<R>(options).output as unknown as XComArg<Awaited<R>>;
}

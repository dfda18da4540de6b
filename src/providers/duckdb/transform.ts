/**
 * `transform`: a SELECT becomes a table (Astro SDK's `@aql.transform`). The SQL names upstream
 * tables through `inputs` as `{{ name }}`, sees the whole template context (`{{ ds }}`,
 * `{{ params.x }}`, `{{ ti.xcom_pull(...) }}`), and its result is written with
 * `CREATE OR REPLACE TABLE <outputTable> AS <sql>`. The task returns `{ table, rows }`.
 *
 *   const labeled = transform({
 *     taskId: 'label', connId: 'warehouse', outputTable: 'labeled', inputs: { projects, tags },
 *     sql: 'SELECT p.*, t.tag FROM {{ projects }} p JOIN {{ tags }} t USING (id)',
 *   });
 */
import { BaseOperator, type BaseOperatorOptions } from '../../sdk/base-operator.ts';
import type { TaskContext } from '../../sdk/context.ts';
import type { XComArg } from '../../sdk/xcom-arg.ts';
import { renderTaskTemplate } from '../render-template.ts';
import type { DuckDbTarget } from './connection.ts';
import { DuckDbHook, withDuckDb } from './hook.ts';
import { DUCKDB_POOL } from './pool.ts';
import { quoteTableName, stripTrailingSemicolons } from './sql.ts';
import { linkTableInputs, resolveTableInputs, type TableInputs, type TableResult } from './tables.ts';
import { countRows, ensureSchema } from './table-admin.ts';

export interface TransformOptions extends BaseOperatorOptions, DuckDbTarget {
  /** The table to (re)create, e.g. "labeled" or "staging.labeled". Templated. */
  outputTable: string;
  /** A single SELECT (or any query). Rendered with the task's context plus `inputs`. */
  sql: string;
  /** Upstream tables the SQL names as `{{ name }}`. Default none. */
  inputs?: TableInputs;
}

export class DuckDbTransformOperator extends BaseOperator<TableResult> {
  static override templateFields = ['outputTable', 'database'] as const;
  static override uiColor = '#cdaaed';
  outputTable: string;
  database: string | undefined;
  readonly sql: string;
  readonly connId: string | undefined;
  readonly inputs: TableInputs | undefined;

  /** Runs in the `duckdb` pool unless `pool` is given (see DUCKDB_POOL). */
  constructor(o: TransformOptions) {
    super({ pool: DUCKDB_POOL, ...o });
    if (typeof o.sql !== 'string' || o.sql.trim() === '') throw new TypeError(`transform '${o.taskId}': sql must be a non-empty string`);
    if (typeof o.outputTable !== 'string' || o.outputTable === '') throw new TypeError(`transform '${o.taskId}': outputTable must name the table to create`);
    this.outputTable = o.outputTable;
    this.database = o.database;
    this.sql = o.sql;
    this.connId = o.connId;
    this.inputs = o.inputs;
    linkTableInputs(this, o.inputs);
  }

  override get operatorName(): string {
    return 'transform';
  }

  override describeFields(): Record<string, unknown> {
    return { ...super.describeFields(), sql: this.sql, inputs: this.inputs };
  }

  async execute(ctx: TaskContext): Promise<TableResult> {
    const target = quoteTableName(this.outputTable);
    const tables = await resolveTableInputs(ctx, this.inputs);
    const query = stripTrailingSemicolons(await renderTaskTemplate(ctx, this.sql, { name: `sql of task '${this.taskId}'`, extras: tables }));
    const hook = await DuckDbHook.forTask(ctx, { connId: this.connId, database: this.database });
    ctx.log.info(`Creating ${target} in DuckDB ${hook.database} from:\n${query}`);
    return withDuckDb(hook, async (h) => {
      await ensureSchema(h, this.outputTable);
      await h.run(`CREATE OR REPLACE TABLE ${target} AS ${query}`);
      const rows = await countRows(h, this.outputTable);
      ctx.log.info(`${target} has ${rows} row(s)`);
      return { table: this.outputTable, rows };
    });
  }
}

/** Creates a transform task in the current DAG; returns its `{ table, rows }` output. */
export function transform(options: TransformOptions): XComArg<TableResult> {
  return new DuckDbTransformOperator(options).output;
}

/**
 * `loadFile`: loads a CSV, Parquet or JSON file into a DuckDB table with DuckDB's own readers
 * (Astro SDK's `aql.load_file`). Returns `{ table, rows }`.
 *
 *   const projects = loadFile({ taskId: 'load_projects', connId: 'warehouse', path: 'data/projects.csv', table: 'projects' });
 */
import { BaseOperator, type BaseOperatorOptions } from '../../sdk/base-operator.ts';
import type { TaskContext } from '../../sdk/context.ts';
import type { XComArg } from '../../sdk/xcom-arg.ts';
import type { DuckDbTarget } from './connection.ts';
import { fileRelation, type FileReadOptions } from './file-readers.ts';
import { DuckDbHook, withDuckDb } from './hook.ts';
import { DUCKDB_POOL } from './pool.ts';
import { quoteTableName } from './sql.ts';
import { countRows, ensureSchema } from './table-admin.ts';
import type { TableResult } from './tables.ts';

export interface LoadFileOptions extends BaseOperatorOptions, DuckDbTarget, FileReadOptions {
  /** The file (or glob, or URL DuckDB can read). Relative paths are relative to the working directory. Templated. */
  path: string;
  /** The table to load into. Templated. */
  table: string;
  /** "replace" (default) recreates the table; "append" adds the rows (by column name), creating it when missing. */
  ifExists?: 'replace' | 'append';
}

export class LoadFileOperator extends BaseOperator<TableResult> {
  static override templateFields = ['path', 'table', 'database'] as const;
  static override uiColor = '#b6e3e9';
  path: string;
  table: string;
  database: string | undefined;
  readonly connId: string | undefined;
  readonly ifExists: 'replace' | 'append';
  readonly read: FileReadOptions;

  /** Runs in the `duckdb` pool unless `pool` is given (see DUCKDB_POOL). */
  constructor(o: LoadFileOptions) {
    super({ pool: DUCKDB_POOL, ...o });
    if (typeof o.path !== 'string' || o.path.trim() === '') throw new TypeError(`loadFile '${o.taskId}': path must name the file to load`);
    if (typeof o.table !== 'string' || o.table === '') throw new TypeError(`loadFile '${o.taskId}': table must name the table to load into`);
    const ifExists = o.ifExists ?? 'replace';
    if (ifExists !== 'replace' && ifExists !== 'append') throw new TypeError(`loadFile '${o.taskId}': ifExists must be "replace" or "append" (got ${JSON.stringify(o.ifExists)})`);
    this.path = o.path;
    this.table = o.table;
    this.database = o.database;
    this.connId = o.connId;
    this.ifExists = ifExists;
    this.read = { format: o.format, header: o.header, delimiter: o.delimiter };
  }

  override get operatorName(): string {
    return 'load_file';
  }

  async execute(ctx: TaskContext): Promise<TableResult> {
    const target = quoteTableName(this.table);
    const source = fileRelation(this.path, this.read);
    const hook = await DuckDbHook.forTask(ctx, { connId: this.connId, database: this.database });
    ctx.log.info(`Loading ${source} into ${target} (${this.ifExists}) in DuckDB ${hook.database}`);
    return withDuckDb(hook, async (h) => {
      await ensureSchema(h, this.table);
      if (this.ifExists === 'replace') {
        await h.run(`CREATE OR REPLACE TABLE ${target} AS SELECT * FROM ${source}`);
      } else {
        await h.run(`CREATE TABLE IF NOT EXISTS ${target} AS SELECT * FROM ${source} LIMIT 0`);
        await h.run(`INSERT INTO ${target} BY NAME SELECT * FROM ${source}`);
      }
      const rows = await countRows(h, this.table);
      ctx.log.info(`${target} has ${rows} row(s)`);
      return { table: this.table, rows };
    });
  }
}

/** Creates a load-file task in the current DAG; returns its `{ table, rows }` output. */
export function loadFile(options: LoadFileOptions): XComArg<TableResult> {
  return new LoadFileOperator(options).output;
}

/**
 * Tables passed between DuckDB tasks. A task that writes a table returns `{ table, rows }`;
 * a downstream task receives it through `inputs` and names it in its SQL as `{{ name }}`,
 * which renders as the quoted table name (`{{ name.rows }}` gives its row count).
 */
import type { BaseOperator } from '../../sdk/base-operator.ts';
import type { TaskContext } from '../../sdk/context.ts';
import { collectXComArgs, resolveWired, type Wire } from '../../sdk/xcom-arg.ts';
import { quoteTableName } from './sql.ts';

/** What table-writing DuckDB tasks return (their XCom). */
export interface TableResult {
  /** The table name as given, e.g. "projects" or "staging.projects". */
  table: string;
  /** Rows in the table after the task. */
  rows: number;
}

/** A table reference: a name, or anything with a `table` name (such as a `TableResult`). */
export type TableRef = string | { table: string; rows?: number };

/** Named tables a task's SQL refers to; values may be upstream outputs. */
export type TableInputs = Record<string, Wire<TableRef>>;

/** A table as seen by a template: prints as its quoted name. */
export class SqlTable {
  constructor(
    readonly table: string,
    readonly rows: number | null,
  ) {
    quoteTableName(table);
  }

  toString(): string {
    return quoteTableName(this.table);
  }
}

/** Makes `op` run after every upstream task its inputs refer to. */
export function linkTableInputs(op: BaseOperator, inputs: TableInputs | undefined): void {
  if (inputs === undefined) return;
  if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs)) {
    throw new TypeError(`task '${op.taskId}': inputs must be an object mapping names to tables, e.g. { projects: loadProjects }`);
  }
  for (const arg of collectXComArgs(inputs)) arg.operator.then(op);
}

/** Resolves upstream outputs and returns template variables: name → SqlTable. */
export async function resolveTableInputs(ctx: TaskContext, inputs: TableInputs | undefined): Promise<Record<string, SqlTable>> {
  if (!inputs) return {};
  const resolved = (await resolveWired(inputs, (arg) => ctx.ti.xcomPull({ taskIds: arg.taskId, key: arg.key }))) as Record<string, unknown>;
  const out: Record<string, SqlTable> = {};
  for (const [name, value] of Object.entries(resolved)) {
    if (typeof value === 'string') out[name] = new SqlTable(value, null);
    else if (value && typeof value === 'object' && typeof (value as { table?: unknown }).table === 'string') {
      const v = value as { table: string; rows?: unknown };
      out[name] = new SqlTable(v.table, typeof v.rows === 'number' ? v.rows : null);
    } else {
      throw new Error(`input '${name}' of task '${ctx.task.taskId}' is ${JSON.stringify(value)}, not a table: pass a table name or the output of a task that returns { table, rows } (loadFile, transform)`);
    }
  }
  return out;
}

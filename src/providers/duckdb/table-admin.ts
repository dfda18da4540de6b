/** Table chores shared by the DuckDB tasks. */
import type { SqlHook } from './sql-hook.ts';
import { quoteIdent, quoteTableName } from './sql.ts';

/** Creates the schema of `schema.table` when it is missing (no-op for unqualified names). */
export async function ensureSchema(hook: SqlHook, table: string): Promise<void> {
  quoteTableName(table);
  const parts = table.split('.');
  if (parts.length < 2) return;
  const schema = parts.slice(0, -1).map(quoteIdent).join('.');
  await hook.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
}

/** Rows in a table. */
export async function countRows(hook: SqlHook, table: string): Promise<number> {
  const rows = await hook.query(`SELECT count(*) AS n FROM ${quoteTableName(table)}`);
  return Number(rows[0]?.n ?? 0);
}

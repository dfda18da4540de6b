/** Small helpers for writing DuckDB SQL safely: quoting identifiers and literals. */

const PART = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/**
 * Checks a table name (`table`, `schema.table` or `catalog.schema.table`, each part letters,
 * digits and `_`) and returns it quoted, e.g. `"main"."projects"`.
 */
export function quoteTableName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError(`table name ${JSON.stringify(name)} is not valid: give a non-empty name such as "projects" or "staging.projects"`);
  const parts = name.split('.');
  if (parts.length > 3 || !parts.every((p) => PART.test(p))) {
    throw new TypeError(`table name ${JSON.stringify(name)} is not valid: use [catalog.][schema.]table with letters, digits and "_" in each part`);
  }
  return parts.map(quoteIdent).join('.');
}

/** Quotes one identifier (a column name may contain any character). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A SQL literal for a string, number, boolean, null or Date. */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot write ${value} as a SQL literal`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return `TIMESTAMP '${value.toISOString().replace('T', ' ').replace('Z', '')}'`;
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  throw new TypeError(`cannot write a ${typeof value} as a SQL literal; use a string, number, boolean, Date or null`);
}

/** Removes trailing semicolons and whitespace so a query can be embedded in another statement. */
export function stripTrailingSemicolons(sql: string): string {
  return sql.replace(/[\s;]+$/u, '');
}

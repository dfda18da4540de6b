/** The column type names of `expect_column_values_to_be_of_type` and the DuckDB types they cover. */
import type { ColumnTypeName } from './types.ts';

export const COLUMN_TYPE_NAMES: readonly ColumnTypeName[] = ['string', 'integer', 'number', 'boolean', 'date', 'timestamp'];

const INTEGER_TYPES = ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT'];

/** Which DuckDB types (as DESCRIBE prints them) count as each type name. */
const MATCHERS: Record<ColumnTypeName, (duckType: string) => boolean> = {
  string: (t) => t === 'VARCHAR' || t.startsWith('VARCHAR(') || t.startsWith('ENUM('),
  integer: (t) => INTEGER_TYPES.includes(t),
  number: (t) => INTEGER_TYPES.includes(t) || t === 'FLOAT' || t === 'DOUBLE' || t.startsWith('DECIMAL('),
  boolean: (t) => t === 'BOOLEAN',
  date: (t) => t === 'DATE',
  timestamp: (t) => t === 'TIMESTAMP' || t === 'TIMESTAMP WITH TIME ZONE' || t === 'TIMESTAMP_S' || t === 'TIMESTAMP_MS' || t === 'TIMESTAMP_NS',
};

/**
 * A SQL condition, over `text` (a value cast to VARCHAR), that is true when the value could not
 * be read as the type name: these values are the examples of a failed type expectation.
 */
export function notReadableAs(type: ColumnTypeName, text: string): string {
  switch (type) {
    case 'string':
      return 'FALSE';
    case 'integer':
      return `NOT regexp_full_match(trim(${text}), '[+-]?[0-9]+')`;
    case 'number':
      return `TRY_CAST(${text} AS DOUBLE) IS NULL`;
    case 'boolean':
      return `TRY_CAST(${text} AS BOOLEAN) IS NULL`;
    case 'date':
      return `TRY_CAST(${text} AS DATE) IS NULL`;
    case 'timestamp':
      return `TRY_CAST(${text} AS TIMESTAMP) IS NULL`;
  }
}

const ALIASES: Record<string, ColumnTypeName> = {
  string: 'string', str: 'string', text: 'string', varchar: 'string',
  integer: 'integer', int: 'integer', int64: 'integer', int32: 'integer', bigint: 'integer',
  number: 'number', float: 'number', float64: 'number', double: 'number', decimal: 'number', numeric: 'number',
  boolean: 'boolean', bool: 'boolean',
  date: 'date',
  timestamp: 'timestamp', datetime: 'timestamp', datetime64: 'timestamp', 'datetime64[ns]': 'timestamp',
};

/** The type name for a name or alias (case-insensitive), or undefined. */
export function normalizeColumnType(name: unknown): ColumnTypeName | undefined {
  return typeof name === 'string' ? ALIASES[name.trim().toLowerCase()] : undefined;
}

/** Does a DuckDB column type count as `expected`? */
export function duckTypeMatches(duckType: string, expected: ColumnTypeName): boolean {
  return MATCHERS[expected](duckType.trim().toUpperCase());
}

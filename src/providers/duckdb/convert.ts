/**
 * Turns DuckDB result values into plain JavaScript that survives JSON (and so XCom): BIGINTs
 * become numbers when they fit exactly and decimal strings when they do not; TIME, INTERVAL,
 * BLOB and BIT values become their text form; dates and timestamps stay `Date`s.
 */
import type { DuckDBResultReader, DuckDBTypeId } from '@duckdb/node-api';
import { loadedDuckDbApi } from './node-api.ts';

/** A query result row: column name → value. */
export type Row = Record<string, RowValue>;
export type RowValue = null | boolean | number | string | Date | RowValue[] | { [key: string]: RowValue };

let asText: Set<DuckDBTypeId> | undefined;

/** Column types whose values are returned as text. */
function textTypes(): Set<DuckDBTypeId> {
  if (asText) return asText;
  const { DuckDBTypeId: T } = loadedDuckDbApi();
  asText = new Set<DuckDBTypeId>([T.TIME, T.TIME_NS, T.TIME_TZ, T.INTERVAL, T.BLOB, T.BIT, T.GEOMETRY]);
  return asText;
}

/** The rows a reader holds (call `readAll` or `readUntil` first), as plain objects. */
export function readerRows(reader: DuckDBResultReader): Row[] {
  const names = reader.deduplicatedColumnNames();
  const textCols = reader.columnTypes().flatMap((t, i) => (textTypes().has(t.typeId) ? [i] : []));
  const js = reader.getRowsJS();
  const raw = textCols.length > 0 ? reader.getRows() : null;
  return js.map((values, r) => {
    const row: Row = {};
    for (let c = 0; c < names.length; c++) {
      if (raw && textCols.includes(c)) {
        const v = raw[r]![c];
        row[names[c]!] = v === null || v === undefined ? null : String(v);
      } else {
        row[names[c]!] = toPlain(values[c]);
      }
    }
    return row;
  });
}

/** Converts one value from `getRowsJS` (recursing into lists and structs). */
export function toPlain(value: unknown): RowValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return bigintToPlain(value);
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'object') {
    const out: Record<string, RowValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
    return out;
  }
  return String(value);
}

/** A number when the integer is exactly representable, else its decimal string. */
export function bigintToPlain(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

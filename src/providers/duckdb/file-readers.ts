/**
 * Reading files through DuckDB's readers: CSV (`read_csv`, quoted fields may span lines),
 * Parquet (`read_parquet`) and JSON or newline-delimited JSON (`read_json_auto`). The result is a
 * SQL expression usable after FROM.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { sqlLiteral } from './sql.ts';

export type FileFormat = 'csv' | 'parquet' | 'json';
export const FILE_FORMATS: readonly FileFormat[] = ['csv', 'parquet', 'json'];

export interface FileReadOptions {
  /** Default: from the extension (.csv/.tsv/.txt → csv, .parquet/.pq → parquet, .json/.jsonl/.ndjson → json; .gz/.zst ignored). */
  format?: FileFormat;
  /** CSV: does the first line name the columns? Default true. */
  header?: boolean;
  /** CSV: field separator. Default: detected. */
  delimiter?: string;
}

/** The format of a file, from `format` or its extension. */
export function detectFormat(path: string, format?: FileFormat): FileFormat {
  if (format !== undefined) {
    if (!FILE_FORMATS.includes(format)) throw new TypeError(`file format ${JSON.stringify(format)} is not supported: use one of ${FILE_FORMATS.join(', ')}`);
    return format;
  }
  const name = path.toLowerCase().replace(/\.(gz|zst)$/, '');
  if (/\.(csv|tsv|txt)$/.test(name)) return 'csv';
  if (/\.(parquet|pq)$/.test(name)) return 'parquet';
  if (/\.(json|jsonl|ndjson)$/.test(name)) return 'json';
  throw new TypeError(`cannot tell the format of ${path} from its extension: pass format ('csv', 'parquet' or 'json')`);
}

/** Local paths become absolute; URLs (s3://, https://, …) are kept. Missing local files are reported. */
export function resolveFilePath(path: string): string {
  if (typeof path !== 'string' || path.trim() === '') throw new TypeError('a file path is required');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return path;
  const abs = resolve(path);
  if (!/[*?[]/.test(abs) && !existsSync(abs)) {
    throw new Error(`file ${abs} does not exist${abs === path ? '' : ` (given as ${path}, relative to ${process.cwd()})`}: check the path`);
  }
  return abs;
}

/** A FROM-clause expression reading the file, e.g. `read_csv('/data/x.csv', header = true)`. */
export function fileRelation(path: string, options: FileReadOptions = {}): string {
  const file = resolveFilePath(path);
  const format = detectFormat(file, options.format);
  switch (format) {
    case 'csv': {
      const args = [sqlLiteral(file), `header = ${options.header ?? true ? 'true' : 'false'}`];
      if (options.delimiter !== undefined) args.push(`delim = ${sqlLiteral(options.delimiter)}`);
      return `read_csv(${args.join(', ')})`;
    }
    case 'parquet':
      return `read_parquet(${sqlLiteral(file)})`;
    case 'json':
      return `read_json_auto(${sqlLiteral(file)})`;
  }
}

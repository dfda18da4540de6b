/** DuckDB: a hook, an operator and Astro-SDK-style table tasks (loadFile, transform, dataframe). */
export { DUCKDB_POOL } from './pool.ts';
export { DUCKDB_CONN_TYPE, DEFAULT_DUCKDB_CONN_ID, duckDbPathFromConnection, resolveDuckDbPath, type DuckDbTarget } from './connection.ts';
export { DuckDbHook, withDuckDb } from './hook.ts';
export { closeAllDuckDbInstances, MEMORY_DATABASE } from './instances.ts';
export type { SqlHook, SqlParams, SqlParam, QueryOptions } from './sql-hook.ts';
export type { Row, RowValue } from './convert.ts';
export { quoteIdent, quoteTableName, sqlLiteral } from './sql.ts';
export { DuckDbOperator, type DuckDbOperatorOptions } from './operator.ts';
export { transform, DuckDbTransformOperator, type TransformOptions } from './transform.ts';
export { loadFile, LoadFileOperator, type LoadFileOptions } from './load-file.ts';
export { dataframe, DataframeOperator, type DataframeOptions } from './dataframe.ts';
export { fileRelation, detectFormat, FILE_FORMATS, type FileFormat, type FileReadOptions } from './file-readers.ts';
export { SqlTable, type TableInputs, type TableRef, type TableResult } from './tables.ts';

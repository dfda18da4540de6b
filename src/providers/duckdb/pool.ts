/**
 * The pool DuckDB tasks run in by default. DuckDB lets only one process at a time open a
 * database file (readers included, as hooks open files read-write), so tasks that use a file
 * must not run at once in different worker processes. The deployment must define this pool
 * with exactly 1 slot. With more slots, two tasks may run together and one fails with a file-lock error. A
 * deployment with several DuckDB files can give each its own 1-slot pool and pass `pool`
 * to the tasks of each file.
 */
export const DUCKDB_POOL = 'duckdb';

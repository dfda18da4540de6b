/**
 * Runs an expectation suite against a table or a file and builds the report. A file is read
 * once, through DuckDB's readers, into a temporary table that is dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { fileRelation, type FileReadOptions } from '../duckdb/file-readers.ts';
import type { SqlHook } from '../duckdb/sql-hook.ts';
import { quoteIdent, quoteTableName } from '../duckdb/sql.ts';
import { evaluateExpectation } from './checks.ts';
import type { ExpectationSuite, ValidationReport } from './types.ts';

/** What to validate: a table of the hook's database, or a CSV/Parquet/JSON file. */
export type ValidationSource = { table: string } | { file: string; read?: FileReadOptions };

/** Validates `source` against every expectation of `suite`; never throws for failed expectations. */
export async function validate(hook: SqlHook, source: ValidationSource, suite: ExpectationSuite): Promise<ValidationReport> {
  const validatedAt = new Date().toISOString();
  if ('table' in source) {
    if (!(await hook.tableExists(source.table))) {
      throw new Error(`cannot validate table '${source.table}': it does not exist; load it first or check the connection points at the right database`);
    }
    const relation = quoteTableName(source.table);
    return run(hook, relation, suite, `table ${source.table}`, validatedAt);
  }
  const temp = quoteIdent(`__baton_validation_${randomBytes(5).toString('hex')}`);
  await hook.run(`CREATE TEMP TABLE ${temp} AS SELECT * FROM ${fileRelation(source.file, source.read)}`);
  try {
    return await run(hook, temp, suite, `file ${source.file}`, validatedAt);
  } finally {
    await hook.run(`DROP TABLE IF EXISTS ${temp}`);
  }
}

async function run(hook: SqlHook, relation: string, suite: ExpectationSuite, label: string, validatedAt: string): Promise<ValidationReport> {
  const described = await hook.describe(`SELECT * FROM ${relation}`);
  const columns = new Map(described.map((c) => [c.name, c.type]));
  const results = [];
  for (const e of suite.expectations) results.push(await evaluateExpectation({ hook, relation, columns }, e));
  const successful = results.filter((r) => r.success).length;
  const evaluated = results.length;
  return {
    suite: suite.name,
    success: successful === evaluated,
    statistics: { evaluated, successful, unsuccessful: evaluated - successful, successPercent: evaluated === 0 ? 100 : (successful / evaluated) * 100 },
    results,
    source: label,
    validatedAt,
  };
}

/**
 * Evaluates one expectation with SQL against a relation (a quoted table name or a temp table).
 * Per-value expectations count the rows that break them and sample up to 10 distinct
 * offending values (or rows, for null checks and compound keys); table-level ones measure one
 * number or the column's type.
 */
import type { Row } from '../duckdb/convert.ts';
import type { SqlHook } from '../duckdb/sql-hook.ts';
import { quoteIdent, sqlLiteral } from '../duckdb/sql.ts';
import { duckTypeMatches, notReadableAs } from './column-types.ts';
import type { Expectation, ExpectationResult } from './types.ts';

/** How many unexpected values or rows a result keeps. */
export const MAX_EXAMPLES = 10;

export interface CheckTarget {
  hook: SqlHook;
  /** A FROM-clause expression. */
  relation: string;
  /** Column name → DuckDB type, in table order. */
  columns: Map<string, string>;
}

/** Evaluates one expectation; problems (missing column, SQL error) become a failed result with `error`. */
export async function evaluateExpectation(t: CheckTarget, e: Expectation): Promise<ExpectationResult> {
  const missing = referencedColumns(e).filter((c) => !t.columns.has(c));
  if (missing.length) {
    return failure(e, `column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `'${c}'`).join(', ')} not found; the columns are ${[...t.columns.keys()].join(', ')}`);
  }
  try {
    return await check(t, e);
  } catch (err) {
    return failure(e, err instanceof Error ? err.message : String(err));
  }
}

async function check(t: CheckTarget, e: Expectation): Promise<ExpectationResult> {
  switch (e.expectationType) {
    case 'expect_table_row_count_to_be_between': {
      const n = await scalar(t, 'count(*)');
      return measured(e, n, within(n, e.min, e.max));
    }
    case 'expect_column_mean_to_be_between': {
      const mean = await scalar(t, `avg(${quoteIdent(e.column)})`);
      return measured(e, mean, mean !== null && within(mean, e.min, e.max));
    }
    case 'expect_column_values_to_be_of_type':
      return ofType(t, e);
    case 'expect_compound_columns_to_be_unique':
      return compoundUnique(t, e);
    case 'expect_column_values_to_be_unique': {
      const c = quoteIdent(e.column);
      const dup = `${c} IN (SELECT ${c} FROM ${t.relation} WHERE ${c} IS NOT NULL GROUP BY ${c} HAVING count(*) > 1)`;
      return perValue(t, e, dup);
    }
    case 'expect_column_values_to_not_be_null': {
      const c = quoteIdent(e.column);
      const counts = await t.hook.query(`SELECT count(*) AS total, count(*) FILTER (WHERE ${c} IS NULL) AS unexpected FROM ${t.relation}`);
      const total = Number(counts[0]!.total);
      const unexpected = Number(counts[0]!.unexpected);
      const examples = unexpected > 0 ? await t.hook.query(`SELECT * FROM ${t.relation} WHERE ${c} IS NULL LIMIT ${MAX_EXAMPLES}`) : [];
      return counted(e, total, total, unexpected, examples, e.mostly);
    }
    case 'expect_column_values_to_be_in_set': {
      const c = quoteIdent(e.column);
      return perValue(t, e, e.values.length === 0 ? 'TRUE' : `${c} NOT IN (${e.values.map(sqlLiteral).join(', ')})`);
    }
    case 'expect_column_values_to_be_between': {
      const c = quoteIdent(e.column);
      const outside = [e.min === undefined ? null : `${c} < ${sqlLiteral(e.min)}`, e.max === undefined ? null : `${c} > ${sqlLiteral(e.max)}`].filter(Boolean);
      return perValue(t, e, outside.length ? `(${outside.join(' OR ')})` : 'FALSE');
    }
    case 'expect_column_values_to_match_regex':
      return perValue(t, e, `NOT regexp_matches(CAST(${quoteIdent(e.column)} AS VARCHAR), ${sqlLiteral(e.regex)})`);
  }
}

/** A per-value expectation: `condition` is true for the non-null values that break it. */
async function perValue(t: CheckTarget, e: Expectation & { column: string; mostly?: number }, condition: string): Promise<ExpectationResult> {
  const c = quoteIdent(e.column);
  const bad = `${c} IS NOT NULL AND ${condition}`;
  const counts = await t.hook.query(`SELECT count(*) AS total, count(${c}) AS nonnull, count(*) FILTER (WHERE ${bad}) AS unexpected FROM ${t.relation}`);
  const { total, nonnull, unexpected } = counts[0]!;
  const examples =
    Number(unexpected) > 0
      ? (await t.hook.query(`SELECT DISTINCT ${c} AS value FROM ${t.relation} WHERE ${bad} ORDER BY value LIMIT ${MAX_EXAMPLES}`)).map((r) => r.value)
      : [];
  return counted(e, Number(total), Number(nonnull), Number(unexpected), examples, e.mostly);
}

async function compoundUnique(t: CheckTarget, e: Extract<Expectation, { expectationType: 'expect_compound_columns_to_be_unique' }>): Promise<ExpectationResult> {
  const cols = e.columns.map(quoteIdent);
  const considered = `NOT (${cols.map((c) => `${c} IS NULL`).join(' AND ')})`;
  const groups = `SELECT ${cols.join(', ')}, count(*) AS count FROM ${t.relation} WHERE ${considered} GROUP BY ${cols.join(', ')} HAVING count(*) > 1`;
  const counts = await t.hook.query(
    `SELECT (SELECT count(*) FROM ${t.relation}) AS total, (SELECT count(*) FROM ${t.relation} WHERE ${considered}) AS considered, (SELECT coalesce(sum(count), 0) FROM (${groups})) AS unexpected`,
  );
  const { total, considered: n, unexpected } = counts[0]!;
  const examples = Number(unexpected) > 0 ? await t.hook.query(`${groups} ORDER BY ${cols.join(', ')} LIMIT ${MAX_EXAMPLES}`) : [];
  return counted(e, Number(total), Number(n), Number(unexpected), examples, undefined);
}

async function ofType(t: CheckTarget, e: Extract<Expectation, { expectationType: 'expect_column_values_to_be_of_type' }>): Promise<ExpectationResult> {
  const actual = t.columns.get(e.column)!;
  const success = duckTypeMatches(actual, e.type);
  let examples: unknown[] = [];
  if (!success) {
    const c = quoteIdent(e.column);
    const rows = await t.hook.query(
      `SELECT DISTINCT ${c} AS value FROM ${t.relation} WHERE ${c} IS NOT NULL AND ${notReadableAs(e.type, `CAST(${c} AS VARCHAR)`)} ORDER BY value LIMIT ${MAX_EXAMPLES}`,
    );
    examples = rows.map((r) => r.value);
  }
  return { expectation: e, success, observedValue: actual, unexpectedCount: null, unexpectedPercent: null, elementCount: null, unexpectedExamples: examples };
}

async function scalar(t: CheckTarget, expr: string): Promise<number | null> {
  const rows = await t.hook.query(`SELECT ${expr} AS v FROM ${t.relation}`);
  const v = rows[0]?.v;
  return v === null || v === undefined ? null : Number(v);
}

function within(n: number | null, min?: number, max?: number): boolean {
  return n !== null && (min === undefined || n >= min) && (max === undefined || n <= max);
}

function measured(e: Expectation, value: number | null, success: boolean): ExpectationResult {
  return { expectation: e, success, observedValue: value, unexpectedCount: null, unexpectedPercent: null, elementCount: null, unexpectedExamples: [] };
}

function counted(e: Expectation, total: number, checked: number, unexpected: number, examples: unknown[] | Row[], mostly: number | undefined): ExpectationResult {
  const percent = checked === 0 ? 0 : (unexpected / checked) * 100;
  const success = mostly === undefined ? unexpected === 0 : checked === 0 || (checked - unexpected) / checked >= mostly;
  const observedValue = `${unexpected} of ${checked} unexpected (${formatPercent(percent)})`;
  return { expectation: e, success, observedValue, unexpectedCount: unexpected, unexpectedPercent: percent, elementCount: total, unexpectedExamples: examples };
}

function failure(e: Expectation, error: string): ExpectationResult {
  return { expectation: e, success: false, observedValue: null, unexpectedCount: null, unexpectedPercent: null, elementCount: null, unexpectedExamples: [], error };
}

function referencedColumns(e: Expectation): string[] {
  if (e.expectationType === 'expect_table_row_count_to_be_between') return [];
  if (e.expectationType === 'expect_compound_columns_to_be_unique') return e.columns;
  return [e.column];
}

/** 0.2617… → "0.26%"; keeps tiny non-zero shares visible ("<0.01%"). */
export function formatPercent(p: number): string {
  if (p > 0 && p < 0.01) return '<0.01%';
  return `${Number(p.toFixed(2))}%`;
}

/**
 * Expectation suites and validation reports. An expectation is an object whose
 * `expectationType` names it as Great Expectations does (snake_case, e.g.
 * `expect_column_values_to_not_be_null`), with the same meaning; its arguments are named
 * `column`, `columns`, `min`, `max`, `values`, `regex`, `type` and, for per-value expectations,
 * `mostly` (the fraction of non-null values that must pass, default 1).
 */

/** Column types `expect_column_values_to_be_of_type` understands (mapped to DuckDB types). */
export type ColumnTypeName = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'timestamp';

/** A bound for `min`/`max`: a number, or a string for dates and text (compared by DuckDB). */
export type Bound = number | string;

interface ExpectationBase {
  /** Free-form notes kept in the report. */
  meta?: Record<string, unknown>;
}

interface ColumnMapBase extends ExpectationBase {
  column: string;
  /** Fraction (0–1) of non-null values that must meet the expectation. Default 1. */
  mostly?: number;
}

export interface TableRowCountBetween extends ExpectationBase {
  expectationType: 'expect_table_row_count_to_be_between';
  min?: number;
  max?: number;
}
export interface CompoundColumnsUnique extends ExpectationBase {
  expectationType: 'expect_compound_columns_to_be_unique';
  /** Rows where every one of these columns is null are ignored. */
  columns: string[];
}
export interface ColumnValuesUnique extends ColumnMapBase {
  expectationType: 'expect_column_values_to_be_unique';
}
export interface ColumnValuesNotNull extends ColumnMapBase {
  expectationType: 'expect_column_values_to_not_be_null';
}
export interface ColumnValuesOfType extends ExpectationBase {
  expectationType: 'expect_column_values_to_be_of_type';
  column: string;
  /** Aliases are normalised when a suite is parsed (e.g. "int" → "integer", "VARCHAR" → "string"). */
  type: ColumnTypeName;
}
export interface ColumnValuesInSet extends ColumnMapBase {
  expectationType: 'expect_column_values_to_be_in_set';
  values: Array<string | number | boolean>;
}
export interface ColumnValuesBetween extends ColumnMapBase {
  expectationType: 'expect_column_values_to_be_between';
  min?: Bound;
  max?: Bound;
}
export interface ColumnValuesMatchRegex extends ColumnMapBase {
  expectationType: 'expect_column_values_to_match_regex';
  /** RE2 syntax (DuckDB's `regexp_matches`); matches anywhere in the value unless anchored. */
  regex: string;
}
export interface ColumnMeanBetween extends ExpectationBase {
  expectationType: 'expect_column_mean_to_be_between';
  column: string;
  min?: number;
  max?: number;
}

export type Expectation =
  | TableRowCountBetween
  | CompoundColumnsUnique
  | ColumnValuesUnique
  | ColumnValuesNotNull
  | ColumnValuesOfType
  | ColumnValuesInSet
  | ColumnValuesBetween
  | ColumnValuesMatchRegex
  | ColumnMeanBetween;

export type ExpectationType = Expectation['expectationType'];

export interface ExpectationSuite {
  name: string;
  expectations: Expectation[];
}

/** The outcome of one expectation. */
export interface ExpectationResult {
  expectation: Expectation;
  success: boolean;
  /**
   * What was measured: the row count or mean (a number), the column's type (a string), or for
   * per-value expectations a summary such as "2 of 764 unexpected (0.26%)".
   */
  observedValue: number | string | null;
  /** Rows that failed (per-value and compound expectations); null for table-level ones. */
  unexpectedCount: number | null;
  /** unexpectedCount as a percentage of the non-null values checked; null when not applicable. */
  unexpectedPercent: number | null;
  /** Rows examined; null for table-level expectations. */
  elementCount: number | null;
  /** Up to 10 distinct unexpected values, or rows (null checks and compound keys). */
  unexpectedExamples: unknown[];
  /** Set when the expectation could not be evaluated (missing column, SQL error). */
  error?: string;
}

export interface ValidationStatistics {
  evaluated: number;
  successful: number;
  unsuccessful: number;
  /** successful / evaluated × 100 (100 for an empty suite). */
  successPercent: number;
}

export interface ValidationReport {
  suite: string;
  success: boolean;
  statistics: ValidationStatistics;
  results: ExpectationResult[];
  /** What was validated, e.g. `table "projects" in /data/w.duckdb`. */
  source: string;
  /** ISO-8601 time of the validation. */
  validatedAt: string;
}

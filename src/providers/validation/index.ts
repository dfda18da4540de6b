/** Data validation with expectation suites, computed in DuckDB. */
export { ValidationOperator, defaultReportKey, type ValidationOperatorOptions } from './operator.ts';
export { validate, type ValidationSource } from './validate.ts';
export { parseSuite, loadSuite, InvalidSuiteError, EXPECTATION_TYPES } from './suite.ts';
export { formatReport, describeArgs } from './summary.ts';
export { evaluateExpectation, MAX_EXAMPLES, type CheckTarget } from './checks.ts';
export { COLUMN_TYPE_NAMES, normalizeColumnType, duckTypeMatches } from './column-types.ts';
export type * from './types.ts';

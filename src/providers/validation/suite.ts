/**
 * Reads expectation suites from JSON (a file or a parsed object) and checks every entry,
 * reporting all problems at once. Two shapes are accepted:
 *
 *   { "name": "projects", "expectations": [{ "expectationType": "expect_column_values_to_not_be_null", "column": "title" }] }
 *
 * and Great Expectations' own suite files:
 *
 *   { "expectation_suite_name": "projects", "expectations": [{ "expectation_type": "...", "kwargs": { "column": "title", "min_value": 1 } }] }
 *
 * (`min_value`, `max_value`, `value_set`, `column_list` and `type_` are read as `min`, `max`,
 * `values`, `columns` and `type`).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { COLUMN_TYPE_NAMES, normalizeColumnType } from './column-types.ts';
import type { Expectation, ExpectationSuite, ExpectationType } from './types.ts';

/** A suite is malformed; `problems` lists every bad entry. */
export class InvalidSuiteError extends Error {
  override readonly name = 'InvalidSuiteError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`expectation suite ${source} is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Check = (v: unknown) => string | null;
interface Field {
  required?: boolean;
  check: Check;
}

const str: Check = (v) => (typeof v === 'string' && v.trim() !== '' ? null : 'must be a non-empty string');
const num: Check = (v) => (typeof v === 'number' && Number.isFinite(v) ? null : 'must be a finite number');
const bound: Check = (v) => (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? null : 'must be a number (or a string for dates and text)');
const fraction: Check = (v) => (typeof v === 'number' && v >= 0 && v <= 1 ? null : 'must be a number from 0 to 1');
const object: Check = (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? null : 'must be an object');
const columnList: Check = (v) => (Array.isArray(v) && v.length > 0 && v.every((c) => typeof c === 'string' && c !== '') ? null : 'must be a non-empty list of column names');
const valueList: Check = (v) =>
  Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x)))
    ? null
    : 'must be a list of strings, numbers or booleans';
const columnType: Check = (v) => (normalizeColumnType(v) ? null : `must be one of ${COLUMN_TYPE_NAMES.join(', ')} (or an alias such as int, float, str, bool, datetime)`);

const column: Field = { required: true, check: str };
const perValue = { column, mostly: { check: fraction }, meta: { check: object } };

const SPECS: Record<ExpectationType, Record<string, Field>> = {
  expect_table_row_count_to_be_between: { min: { check: num }, max: { check: num }, meta: { check: object } },
  expect_compound_columns_to_be_unique: { columns: { required: true, check: columnList }, meta: { check: object } },
  expect_column_values_to_be_unique: perValue,
  expect_column_values_to_not_be_null: perValue,
  expect_column_values_to_be_of_type: { column, type: { required: true, check: columnType }, meta: { check: object } },
  expect_column_values_to_be_in_set: { ...perValue, values: { required: true, check: valueList } },
  expect_column_values_to_be_between: { ...perValue, min: { check: bound }, max: { check: bound } },
  expect_column_values_to_match_regex: { ...perValue, regex: { required: true, check: str } },
  expect_column_mean_to_be_between: { column, min: { check: num }, max: { check: num }, meta: { check: object } },
};

/** Every supported expectation type. */
export const EXPECTATION_TYPES = Object.keys(SPECS) as ExpectationType[];

const GE_NAMES: Record<string, string> = { min_value: 'min', max_value: 'max', value_set: 'values', column_list: 'columns', type_: 'type' };
const SUITE_KEYS = new Set(['name', 'expectation_suite_name', 'expectations', 'meta', 'notes', 'data_asset_type', 'ge_cloud_id', 'id', '$schema']);

/** Checks a parsed suite and returns it normalised. `source` names it in errors (e.g. a file path). */
export function parseSuite(input: unknown, source = 'given in code'): ExpectationSuite {
  const problems: string[] = [];
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new InvalidSuiteError(source, ['a suite must be an object with "name" and "expectations"']);
  const raw = input as Record<string, unknown>;
  for (const k of Object.keys(raw)) if (!SUITE_KEYS.has(k)) problems.push(`unknown key '${k}' at the top level; expected "name" and "expectations"`);
  const name = raw.name ?? raw.expectation_suite_name;
  if (typeof name !== 'string' || name.trim() === '') problems.push('"name" must be a non-empty string');
  const expectations: Expectation[] = [];
  if (!Array.isArray(raw.expectations)) problems.push('"expectations" must be a list');
  else raw.expectations.forEach((entry, i) => {
    const e = parseExpectation(entry, `expectations[${i}]`, problems);
    if (e) expectations.push(e);
  });
  if (problems.length) throw new InvalidSuiteError(typeof name === 'string' && name ? `'${name}' (${source})` : `(${source})`, problems);
  return { name: name as string, expectations };
}

function parseExpectation(entry: unknown, where: string, problems: string[]): Expectation | null {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    problems.push(`${where}: must be an object with "expectationType" and its arguments`);
    return null;
  }
  const flat: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
    if (k === 'kwargs' && v && typeof v === 'object' && !Array.isArray(v)) for (const [kk, vv] of Object.entries(v)) flat[GE_NAMES[kk] ?? kk] = vv;
    else flat[k === 'expectation_type' ? 'expectationType' : (GE_NAMES[k] ?? k)] = v;
  }
  const type = flat.expectationType;
  delete flat.expectationType;
  if (typeof type !== 'string' || !(type in SPECS)) {
    const known = `supported types: ${EXPECTATION_TYPES.join(', ')}`;
    problems.push(type === undefined ? `${where}: "expectationType" is missing; ${known}` : `${where}: unknown expectation type ${JSON.stringify(type)}; ${known}`);
    return null;
  }
  const at = `${where} (${type})`;
  const spec = SPECS[type as ExpectationType];
  const before = problems.length;
  for (const k of Object.keys(flat)) {
    if (!(k in spec)) problems.push(`${at}: unknown argument '${k}'; it takes ${Object.keys(spec).join(', ')}`);
  }
  for (const [k, field] of Object.entries(spec)) {
    const v = flat[k];
    if (v === undefined || v === null) {
      delete flat[k];
      if (field.required) problems.push(`${at}: '${k}' is required`);
      continue;
    }
    const err = field.check(v);
    if (err) problems.push(`${at}: '${k}' ${err} (got ${JSON.stringify(v)})`);
  }
  if ('min' in spec && 'max' in spec && problems.length === before) {
    const { min, max } = flat;
    if (min === undefined && max === undefined) problems.push(`${at}: give 'min', 'max' or both`);
    else if (min !== undefined && max !== undefined) {
      if (typeof min !== typeof max) problems.push(`${at}: 'min' and 'max' must both be numbers or both be strings`);
      else if ((min as number | string) > (max as number | string)) problems.push(`${at}: 'min' (${JSON.stringify(min)}) is greater than 'max' (${JSON.stringify(max)})`);
    }
  }
  if (problems.length > before) return null;
  if (flat.meta !== undefined && Object.keys(flat.meta as object).length === 0) delete flat.meta;
  if (type === 'expect_column_values_to_be_of_type') flat.type = normalizeColumnType(flat.type);
  return { expectationType: type, ...flat } as Expectation;
}

/** Reads and checks a suite JSON file (relative paths are relative to the working directory). */
export async function loadSuite(path: string): Promise<ExpectationSuite> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read expectation suite ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InvalidSuiteError(file, [`the file is not valid JSON: ${(e as Error).message}`]);
  }
  return parseSuite(json, file);
}

/** Dataset conditions: which dataset updates trigger a dataset-scheduled DAG. */
import type { DatasetCondition } from '../serialized-dag.ts';

/**
 * Whether `condition` holds given the URIs of datasets updated since the DAG's last run:
 * a leaf holds when its URI was updated, `all` when every child holds, `any` when one does.
 */
export function evaluateDatasetCondition(condition: DatasetCondition, updated: ReadonlySet<string>): boolean {
  if ('uri' in condition) return updated.has(condition.uri);
  if ('all' in condition) return condition.all.every((child) => evaluateDatasetCondition(child, updated));
  return condition.any.some((child) => evaluateDatasetCondition(child, updated));
}

/** Every URI named in `condition`, once each, in order of first appearance. */
export function datasetUris(condition: DatasetCondition): string[] {
  const uris = new Set<string>();
  const visit = (c: DatasetCondition): void => {
    if ('uri' in c) uris.add(c.uri);
    else for (const child of 'all' in c ? c.all : c.any) visit(child);
  };
  visit(condition);
  return [...uris];
}

/**
 * Checks the shape of a dataset condition read from untyped input and returns a clean copy.
 * @throws Error saying where in the condition the problem is.
 */
export function validateDatasetCondition(input: unknown, path = 'condition'): DatasetCondition {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new Error(`${path} must be { uri }, { all: [...] } or { any: [...] }, got ${JSON.stringify(input)}`);
  }
  const keys = Object.keys(input);
  const record = input as Record<string, unknown>;
  if (keys.length !== 1) {
    throw new Error(`${path} must have exactly one of the keys uri, all, any; it has ${keys.join(', ') || 'none'}`);
  }
  if ('uri' in record) {
    if (typeof record.uri !== 'string' || record.uri.trim() === '') {
      throw new Error(`${path}.uri must be a non-empty string, got ${JSON.stringify(record.uri)}`);
    }
    return { uri: record.uri };
  }
  for (const key of ['all', 'any'] as const) {
    if (!(key in record)) continue;
    const children = record[key];
    if (!Array.isArray(children) || children.length === 0) {
      throw new Error(`${path}.${key} must be a non-empty list of dataset conditions`);
    }
    const checked = children.map((child, i) => validateDatasetCondition(child, `${path}.${key}[${i}]`));
    return key === 'all' ? { all: checked } : { any: checked };
  }
  throw new Error(`${path} must have one of the keys uri, all, any; it has ${keys[0]}`);
}

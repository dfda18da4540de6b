/** Dataset conditions: which dataset updates trigger a dataset-scheduled DAG. */
import type { DatasetCondition } from '../serialized-dag.ts';

/**
 * Whether `condition` holds given the URIs of datasets updated since the DAG's last run:
 * a URI leaf holds when its URI was updated, an alias leaf when any URI the alias resolved to
 * (`aliases`, by alias name; none when absent) was updated, `all` when every child holds, `any`
 * when one does.
 */
export function evaluateDatasetCondition(condition: DatasetCondition, updated: ReadonlySet<string>, aliases: ReadonlyMap<string, readonly string[]> = new Map()): boolean {
  if ('uri' in condition) return updated.has(condition.uri);
  if ('alias' in condition) return (aliases.get(condition.alias) ?? []).some((uri) => updated.has(uri));
  if ('all' in condition) return condition.all.every((child) => evaluateDatasetCondition(child, updated, aliases));
  return condition.any.some((child) => evaluateDatasetCondition(child, updated, aliases));
}

/** Every URI named in `condition`, once each, in order of first appearance (aliases not expanded). */
export function datasetUris(condition: DatasetCondition): string[] {
  return leaves(condition, 'uri');
}

/** Every asset alias named in `condition`, once each, in order of first appearance. */
export function aliasNames(condition: DatasetCondition): string[] {
  return leaves(condition, 'alias');
}

function leaves(condition: DatasetCondition, kind: 'uri' | 'alias'): string[] {
  const found = new Set<string>();
  const visit = (c: DatasetCondition): void => {
    if ('uri' in c) {
      if (kind === 'uri') found.add(c.uri);
    } else if ('alias' in c) {
      if (kind === 'alias') found.add(c.alias);
    } else for (const child of 'all' in c ? c.all : c.any) visit(child);
  };
  visit(condition);
  return [...found];
}

/**
 * Checks the shape of a dataset condition read from untyped input and returns a clean copy.
 * @throws Error saying where in the condition the problem is.
 */
export function validateDatasetCondition(input: unknown, path = 'condition'): DatasetCondition {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new Error(`${path} must be { uri }, { alias }, { all: [...] } or { any: [...] }, got ${JSON.stringify(input)}`);
  }
  const keys = Object.keys(input);
  const record = input as Record<string, unknown>;
  if (keys.length !== 1) {
    throw new Error(`${path} must have exactly one of the keys uri, alias, all, any; it has ${keys.join(', ') || 'none'}`);
  }
  for (const key of ['uri', 'alias'] as const) {
    if (!(key in record)) continue;
    const value = record[key];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new Error(`${path}.${key} must be a non-empty string, got ${JSON.stringify(value)}`);
    }
    return key === 'uri' ? { uri: value } : { alias: value };
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
  throw new Error(`${path} must have one of the keys uri, alias, all, any; it has ${keys[0]}`);
}

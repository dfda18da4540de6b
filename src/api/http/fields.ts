/**
 * `fields` (return only these fields) and `update_mask` (change only these fields), as
 * Airflow's API reads them.
 */
import type { Context } from 'hono';
import { badRequest } from '../problem.ts';
import { queryCsv } from './query.ts';

/** The `fields` the client asked for, checked against the shape's fields; undefined for all. */
export function requestedFields(c: Context, available: readonly string[]): string[] | undefined {
  const fields = queryCsv(c, 'fields');
  if (!fields || fields.length === 0) return undefined;
  const unknown = fields.filter((f) => !available.includes(f));
  if (unknown.length) throw badRequest(`Unknown field(s) in 'fields': ${unknown.join(', ')}; available: ${available.join(', ')}.`);
  return fields;
}

/** `obj` with only `fields` (all of it when undefined). */
export function pickFields<T extends Record<string, unknown>>(obj: T, fields: string[] | undefined): Partial<T> {
  if (!fields) return obj;
  const out: Partial<T> = {};
  for (const f of fields) if (f in obj) (out as Record<string, unknown>)[f] = obj[f];
  return out;
}

/**
 * The `update_mask`: the fields to change, each of which must be updatable; undefined when
 * absent (then every updatable field in the body is applied).
 */
export function updateMask(c: Context, updatable: readonly string[]): string[] | undefined {
  const mask = queryCsv(c, 'update_mask');
  if (!mask || mask.length === 0) return undefined;
  const bad = mask.filter((f) => !updatable.includes(f));
  if (bad.length) throw badRequest(`'${bad.join("', '")}' ${bad.length === 1 ? 'is' : 'are'} unknown or cannot be updated; update_mask may name: ${updatable.join(', ')}.`);
  return [...new Set(mask)];
}

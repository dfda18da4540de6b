/** DAG params: `param(default, schema)` is Airflow's `Param(default, type=..., minimum=...)`. */
import type { Json, ParamSpec } from '../core/serialized-dag.ts';

const PARAM = Symbol.for('baton.param');

export interface Param<T extends Json = Json> {
  readonly [PARAM]: true;
  readonly spec: ParamSpec & { default?: T };
}

/** A param with a default and a JSON-schema-like description (type, enum, minimum, …). */
export function param<T extends Json>(defaultValue: T | undefined, schema: Omit<ParamSpec, 'default'> = {}): Param<T> {
  const spec: ParamSpec = { ...schema };
  if (defaultValue !== undefined) spec.default = defaultValue;
  return { [PARAM]: true, spec } as Param<T>;
}

export function isParam(v: unknown): v is Param {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[PARAM] === true;
}

/** A plain value means a param with that default and no constraint. */
export type ParamInput = Param | Json;

export function toParamSpecs(input: Record<string, ParamInput> | undefined): Record<string, ParamSpec> {
  const out: Record<string, ParamSpec> = {};
  for (const [k, v] of Object.entries(input ?? {})) out[k] = isParam(v) ? { ...v.spec } : { default: v };
  return out;
}

/**
 * DAG params: each run's values are the params' defaults overridden by the run's conf, and
 * every value must satisfy its param's JSON schema (as Airflow checks with jsonschema).
 */
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import type { Json, ParamSpec } from './serialized-dag.ts';

/** Keywords Airflow's UI reads from a Param; they carry no validation meaning. */
const ANNOTATION_KEYWORDS = ['values_display', 'section', 'description_md'];

const ajv = new Ajv({
  strict: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  allowUnionTypes: true,
  allErrors: true,
  logger: false,
});
// ajv-formats is CommonJS: depending on the loader its plugin is the default export or its `.default`.
type FormatsPlugin = (instance: Ajv) => Ajv;
const formats = formatsModule as unknown as FormatsPlugin & { default?: FormatsPlugin };
(formats.default ?? formats)(ajv);
for (const keyword of ANNOTATION_KEYWORDS) ajv.addKeyword({ keyword, schemaType: ['string', 'object', 'array', 'boolean', 'number'] });

const validators = new Map<string, ValidateFunction>();

export type ResolvedParams = { ok: true; params: Record<string, Json> } | { ok: false; errors: string[] };

/**
 * The params of one run: each param's default, replaced by the conf value of the same name.
 * Conf keys that name no param are ignored here. Every value is checked against its schema;
 * a param with neither a default nor a conf value is an error.
 */
export function resolveParams(specs: Record<string, ParamSpec>, conf: Record<string, unknown> | null | undefined): ResolvedParams {
  const params: Record<string, Json> = {};
  const errors: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    const fromConf = conf != null && Object.prototype.hasOwnProperty.call(conf, name);
    if (!fromConf && !('default' in spec && spec.default !== undefined)) {
      errors.push(`param '${name}' is required: give it a default or pass it in the run's conf`);
      continue;
    }
    const value = fromConf ? conf[name] : spec.default;
    if (!isJson(value)) {
      errors.push(`param '${name}': the value is not JSON (${describe(value)}); pass strings, numbers, booleans, null, arrays or objects`);
      continue;
    }
    const problems = check(name, spec, value);
    if (problems.length > 0) errors.push(...problems);
    else params[name] = value;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, params };
}

/**
 * Checks param specs when a DAG is loaded: every schema must compile (unknown keywords and
 * unknown formats are rejected) and every default must satisfy its own schema.
 * Returns one message per problem; an empty list means the specs are valid.
 */
export function validateParamSpecs(specs: Record<string, ParamSpec>): string[] {
  const errors: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
      errors.push(`param '${name}': the spec must be an object such as { default: 1, type: 'integer' }`);
      continue;
    }
    const compiled = compile(name, spec);
    if (typeof compiled === 'string') {
      errors.push(compiled);
      continue;
    }
    if (spec.default === undefined) continue;
    if (!isJson(spec.default)) {
      errors.push(`param '${name}': the default is not JSON (${describe(spec.default)})`);
      continue;
    }
    if (!compiled(spec.default)) {
      errors.push(...formatErrors(name, compiled.errors, spec.default).map((m) => `${m}; the default must satisfy the param's own schema`));
    }
  }
  return errors;
}

function check(name: string, spec: ParamSpec, value: Json): string[] {
  const compiled = compile(name, spec);
  if (typeof compiled === 'string') return [compiled];
  return compiled(value) ? [] : formatErrors(name, compiled.errors, value);
}

/** The cached validator for a spec, or a message saying why its schema is invalid. */
function compile(name: string, spec: ParamSpec): ValidateFunction | string {
  const { default: _default, ...schema } = spec;
  const key = canonicalJson(schema);
  const cached = validators.get(key);
  if (cached) return cached;
  try {
    const validate = ajv.compile(schema);
    validators.set(key, validate);
    return validate;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return `param '${name}': invalid schema (${reason}); use JSON-schema keywords such as type, enum, minimum, maxLength, pattern, format, items, properties, required`;
  }
}

function formatErrors(name: string, errors: ErrorObject[] | null | undefined, value: Json): string[] {
  if (!errors || errors.length === 0) return [`param '${name}': value ${preview(value)} is invalid`];
  return errors.map((e) => {
    const where = e.instancePath ? ` at ${e.instancePath}` : '';
    const allowed = e.keyword === 'enum' ? ` ${preview((e.params as { allowedValues: Json }).allowedValues)}` : '';
    return `param '${name}'${where}: ${e.message ?? 'is invalid'}${allowed} (got ${preview(pointer(value, e.instancePath))})`;
  });
}

function pointer(value: Json, path: string): Json {
  let current: Json | undefined = value;
  for (const raw of path.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    current = current !== null && typeof current === 'object' ? (current as Record<string, Json>)[part] : undefined;
  }
  return current === undefined ? null : current;
}

function preview(value: Json): string {
  const text = JSON.stringify(value);
  return text.length > 80 ? text.slice(0, 77) + '...' : text;
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object';
  return typeof value;
}

function isJson(value: unknown): value is Json {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJson);
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    return (proto === Object.prototype || proto === null) && Object.values(value).every(isJson);
  }
  return false;
}

/** JSON with object keys sorted, so equal schemas share one compiled validator. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

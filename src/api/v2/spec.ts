/**
 * The OpenAPI document API v2 follows (openapi-v2.yaml, Airflow 3's public API), read once and
 * used at run time: each operation's method, path and parameters, and a JSON-Schema validator
 * for its request body. Routes are registered by operation id, so paths and parameter names
 * cannot drift from the document.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import { parse } from 'yaml';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
/** A JSON object of the document. */
export type SpecObject = { [k: string]: Json };

/** One query or path parameter of an operation. */
export interface SpecParameter {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required: boolean;
  schema: SpecObject;
}

/** One operation of the document. */
export interface SpecOperation {
  id: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path under `/api/v2`, as written in the document (`/dags/{dag_id}`). */
  path: string;
  parameters: SpecParameter[];
  /** Validates the JSON body; undefined when the operation takes none. */
  body?: ValidateFunction;
  bodyRequired: boolean;
}

let loaded: { text: string; doc: SpecObject } | undefined;

/** The document's text (served at `/api/v2/openapi.yaml`). */
export function openApiV2Text(): string {
  return load().text;
}

function load() {
  if (!loaded) {
    const text = readFileSync(new URL('../openapi-v2.yaml', import.meta.url), 'utf8');
    loaded = { text, doc: parse(text) as SpecObject };
  }
  return loaded;
}

/** OpenAPI schema → JSON Schema as ajv reads it (`nullable` becomes a null type). */
export function toJsonSchema(schema: Json, refPrefix: string): Json {
  if (Array.isArray(schema)) return schema.map((s) => toJsonSchema(s, refPrefix));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: SpecObject = {};
  for (const [k, v] of Object.entries(schema)) {
    if (['nullable', 'discriminator', 'example', 'examples', 'readOnly', 'writeOnly', 'deprecated', 'externalDocs', 'xml'].includes(k) || k.startsWith('x-')) continue;
    if (k === '$ref') out.$ref = String(v).replace('#/components/schemas/', refPrefix);
    else if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as SpecObject).map(([n, p]) => [n, toJsonSchema(p, refPrefix)]));
    else out[k] = toJsonSchema(v, refPrefix);
  }
  if (schema.nullable !== true) return out;
  if (out.$ref !== undefined || out.allOf !== undefined || out.anyOf !== undefined || out.oneOf !== undefined || out.type === undefined) return { anyOf: [out, { type: 'null' }] };
  out.type = Array.isArray(out.type) ? [...new Set([...(out.type as Json[]), 'null'])] : [out.type as Json, 'null'];
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  return out;
}

/** An ajv instance knowing every component schema as `spec#/definitions/<name>`. */
export function specAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, logger: false });
  const formats = formatsModule as unknown as ((a: Ajv) => Ajv) & { default?: (a: Ajv) => Ajv };
  (formats.default ?? formats)(ajv);
  const components = (load().doc.components as SpecObject).schemas as SpecObject;
  ajv.addSchema({ $id: 'spec', definitions: Object.fromEntries(Object.entries(components).map(([n, s]) => [n, toJsonSchema(s, '#/definitions/')])) } as never);
  return ajv;
}

/** A component schema by name, with `$ref`s left as they are. */
export function componentSchema(name: string): SpecObject | undefined {
  return ((load().doc.components as SpecObject).schemas as SpecObject)[name] as SpecObject | undefined;
}

/** Follows a `$ref` to a component schema (one level). */
export function resolveRef(schema: SpecObject): SpecObject {
  return typeof schema.$ref === 'string' ? (componentSchema(schema.$ref.split('/').pop()!) ?? schema) : schema;
}

let operations: Map<string, SpecOperation> | undefined;

/** Every operation, by operation id. */
export function specOperations(): Map<string, SpecOperation> {
  if (operations) return operations;
  const ajv = specAjv();
  operations = new Map();
  for (const [path, item] of Object.entries(load().doc.paths as SpecObject)) {
    for (const [method, raw] of Object.entries(item as SpecObject)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const op = raw as SpecObject;
      const json = (((op.requestBody as SpecObject | undefined)?.content as SpecObject | undefined)?.['application/json'] as SpecObject | undefined)?.schema;
      operations.set(String(op.operationId), {
        id: String(op.operationId),
        method: method.toUpperCase() as SpecOperation['method'],
        path: path.replace(/^\/api\/v2/, ''),
        parameters: ((op.parameters as SpecObject[] | undefined) ?? []).map((p) => ({ name: String(p.name), in: p.in as SpecParameter['in'], required: p.required === true, schema: (p.schema ?? {}) as SpecObject })),
        body: json === undefined ? undefined : ajv.compile(toJsonSchema(json, 'spec#/definitions/') as object),
        bodyRequired: (op.requestBody as SpecObject | undefined)?.required === true,
      });
    }
  }
  return operations;
}

/** The operation with this id; throws when the document has none (a programming error). */
export function specOperation(id: string): SpecOperation {
  const op = specOperations().get(id);
  if (!op) throw new Error(`openapi-v2.yaml has no operation '${id}'.`);
  return op;
}

/** Ajv errors as 422 problems located in the body. */
export function bodyProblems(errors: ErrorObject[] | null | undefined, body: unknown) {
  const seen = new Set<string>();
  const out: Array<{ type: string; loc: Array<string | number>; msg: string; input?: unknown }> = [];
  for (const e of errors ?? []) {
    const loc: Array<string | number> = ['body', ...e.instancePath.split('/').filter((s) => s !== '').map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')))];
    let type = e.keyword;
    let msg = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      loc.push(String(e.params.missingProperty));
      type = 'missing';
      msg = 'Field required';
    } else if (e.keyword === 'additionalProperties') {
      loc.push(String(e.params.additionalProperty));
      type = 'extra_forbidden';
      msg = 'Extra inputs are not permitted';
    } else if (e.keyword === 'anyOf' || e.keyword === 'oneOf') continue;
    const key = `${loc.join('.')}|${type}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ type, loc, msg, input: valueAt(body, loc.slice(1)) });
  }
  if (out.length === 0) out.push({ type: 'value_error', loc: ['body'], msg: 'The body does not match the expected schema.', input: body });
  return out;
}

function valueAt(v: unknown, path: Array<string | number>): unknown {
  let cur = v;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k as string];
  }
  return cur;
}

/**
 * Checks API responses against the OpenAPI document the API follows (src/api/openapi-v1.yaml):
 * the YAML is loaded, its OpenAPI 3.0 schemas are converted to JSON Schema for ajv (`nullable`
 * becomes a `null` type, `$ref`s point into one definitions document, OpenAPI-only keywords are
 * dropped), and each response is matched to its operation by method and path. A response must
 * have a status the operation declares (or one any endpoint may answer, see GENERIC_ERRORS), a
 * JSON body valid against the declared schema, and errors must be problem documents
 * (`application/problem+json`, Airflow's Error schema, `status` equal to the HTTP status).
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import { parse } from 'yaml';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const SPEC_PATH = new URL('../../../src/api/openapi-v1.yaml', import.meta.url);

/**
 * Error statuses any operation may answer though the document does not always list them: a bad
 * parameter or body (400), no credentials (401) or permission (403), an unknown resource (404),
 * content negotiation (406), a create that clashes with an existing resource (409, as Airflow
 * answers POST /pools and POST /connections), an oversize body (413) or a body that is not
 * JSON (415).
 */
export const GENERIC_ERRORS = new Set([400, 401, 403, 404, 406, 409, 413, 415]);

/** OpenAPI 3.0 schema → JSON Schema (draft 7 as ajv reads it). */
export function toJsonSchema(schema: Json, refPrefix = '#/definitions/'): Json {
  if (Array.isArray(schema)) return schema.map((s) => toJsonSchema(s, refPrefix));
  if (schema === null || typeof schema !== 'object') return schema;
  const s = schema as Obj;
  const out: Obj = {};
  for (const [k, v] of Object.entries(s)) {
    if (['nullable', 'discriminator', 'example', 'readOnly', 'writeOnly', 'deprecated', 'externalDocs', 'xml'].includes(k) || k.startsWith('x-')) continue;
    if (k === '$ref') out.$ref = String(v).replace('#/components/schemas/', refPrefix);
    else if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as Obj).map(([name, p]) => [name, toJsonSchema(p, refPrefix)]));
    else out[k] = toJsonSchema(v, refPrefix);
  }
  if (s.nullable !== true) return out;
  if (out.$ref !== undefined || out.allOf !== undefined || out.anyOf !== undefined || out.oneOf !== undefined || out.type === undefined) {
    return { anyOf: [out, { type: 'null' }] };
  }
  out.type = Array.isArray(out.type) ? [...new Set([...(out.type as Json[]), 'null'])] : [out.type as Json, 'null'];
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  return out;
}

interface Operation {
  method: string;
  template: string;
  regex: RegExp;
  literalLength: number;
  responses: Record<string, Obj>;
}

export interface CheckedResponse {
  status: number;
  contentType: string;
  body: unknown;
}

/** Validates responses against the document; one instance per test process is enough. */
export class OpenApiValidator {
  readonly spec: Obj;
  private readonly ajv: Ajv;
  private readonly operations: Operation[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(text = readFileSync(SPEC_PATH, 'utf8')) {
    this.spec = parse(text) as Obj;
    this.ajv = new Ajv({ allErrors: true, strict: false, logger: false });
    const formats = formatsModule as unknown as ((a: Ajv) => Ajv) & { default?: (a: Ajv) => Ajv };
    (formats.default ?? formats)(this.ajv);
    // Formats the document uses that JSON Schema does not define: accepted as they are.
    for (const f of ['datetime', 'path', 'password']) this.ajv.addFormat(f, true);
    const components = this.spec.components as Obj;
    const definitions = Object.fromEntries(Object.entries(components.schemas as Obj).map(([name, s]) => [name, toJsonSchema(s)]));
    this.ajv.addSchema({ $id: 'spec', definitions } as never);
    const parameters = components.parameters as Obj;
    for (const [template, item] of Object.entries(this.spec.paths as Obj)) {
      const pathItem = item as Obj;
      const params = [...((pathItem.parameters as Obj[] | undefined) ?? [])];
      for (const [method, op] of Object.entries(pathItem)) {
        if (!['get', 'post', 'patch', 'put', 'delete'].includes(method)) continue;
        const all = [...params, ...(((op as Obj).parameters as Obj[] | undefined) ?? [])].map((p) => (p.$ref ? (parameters[String(p.$ref).split('/').pop()!] as Obj) : p));
        const pathParam = (name: string) => all.find((p) => p.in === 'path' && p.name === name);
        let literalLength = 0;
        const pattern = template.replace(/\{([^}]+)\}|[^{]+/g, (m, name?: string) => {
          if (name === undefined) {
            literalLength += m.length;
            return m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          }
          return ((pathParam(name)?.schema as Obj | undefined)?.format === 'path') ? '.+' : '[^/]+';
        });
        this.operations.push({ method: method.toUpperCase(), template, regex: new RegExp(`^/api/v1${pattern}$`), literalLength, responses: (op as Obj).responses as Record<string, Obj> });
      }
    }
    this.operations.sort((a, b) => b.literalLength - a.literalLength);
  }

  /** The operation a request goes to, or undefined for paths the document does not describe. */
  operationFor(method: string, path: string): Operation | undefined {
    const p = path === '/health' ? '/api/v1/health' : path;
    return this.operations.find((o) => o.method === method.toUpperCase() && o.regex.test(p));
  }

  private validator(key: string, schema: Json): ValidateFunction {
    let v = this.compiled.get(key);
    if (!v) {
      v = this.ajv.compile(toJsonSchema(schema, 'spec#/definitions/') as object);
      this.compiled.set(key, v);
    }
    return v;
  }

  /** Throws an Error describing every way the response breaks the document. */
  check(method: string, path: string, r: CheckedResponse): void {
    const where = `${method} ${path} → ${r.status}`;
    if (r.status >= 400) {
      if (!r.contentType.startsWith('application/problem+json')) throw new Error(`${where}: an error must be application/problem+json, got ${r.contentType || 'no content type'}`);
      const v = this.validator('Error', { $ref: '#/components/schemas/Error' });
      if (!v(r.body)) throw new Error(`${where}: the error is not a problem document: ${this.ajv.errorsText(v.errors)}; body ${JSON.stringify(r.body)}`);
      if ((r.body as { status: number }).status !== r.status) throw new Error(`${where}: the problem's status ${(r.body as { status: number }).status} differs from the HTTP status`);
    }
    const op = this.operationFor(method, path);
    if (!op) {
      if (r.status === 404 || r.status === 405) return;
      throw new Error(`${where}: no operation of the OpenAPI document matches this request`);
    }
    const declared = op.responses[String(r.status)];
    if (!declared) {
      if (r.status >= 400 && (GENERIC_ERRORS.has(r.status) || r.status === 405)) return;
      throw new Error(`${where}: ${op.method} ${op.template} declares no ${r.status} response (declared: ${Object.keys(op.responses).join(', ')})`);
    }
    if (r.status >= 400) return;
    const content = declared.content as Obj | undefined;
    if (!content) {
      if (r.body !== undefined && r.body !== '') throw new Error(`${where}: the document declares no body, got ${JSON.stringify(r.body).slice(0, 200)}`);
      return;
    }
    if (r.contentType.startsWith('text/plain')) {
      if (!content['text/plain'] && !content['plain/text']) throw new Error(`${where}: text/plain is not a declared content type`);
      return;
    }
    const json = content['application/json'] as Obj | undefined;
    if (!json) throw new Error(`${where}: application/json is not declared (declared: ${Object.keys(content).join(', ')})`);
    if (!r.contentType.startsWith('application/json')) throw new Error(`${where}: expected application/json, got ${r.contentType}`);
    const v = this.validator(`${op.method} ${op.template} ${r.status}`, json.schema as Json);
    if (!v(r.body)) throw new Error(`${where}: the body does not match ${op.method} ${op.template}: ${this.ajv.errorsText(v.errors, { separator: '; ' })}\nbody: ${JSON.stringify(r.body).slice(0, 2000)}`);
  }

  /** Every operation as `METHOD /template`, for coverage checks. */
  allOperations(): string[] {
    return this.operations.map((o) => `${o.method} ${o.template}`);
  }
}

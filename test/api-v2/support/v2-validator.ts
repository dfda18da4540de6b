/**
 * Checks API v2 responses against openapi-v2.yaml (Airflow 3's public API): the operation is
 * found by method and path, the status must be one it declares (or an error any endpoint may
 * answer, see GENERIC_ERRORS), and the JSON body must match the declared schema — errors
 * included (`{"detail": …}`, 422 as HTTPValidationError).
 */
import type { ValidateFunction } from 'ajv';
import { specAjv, specOperations, toJsonSchema, type SpecObject } from '../../../src/api/v2/spec.ts';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';

/** Errors any operation may answer though the document does not always list them. */
export const GENERIC_ERRORS = new Set([400, 401, 403, 404, 405, 409, 413, 422, 429]);

const doc = parse(readFileSync(new URL('../../../src/api/openapi-v2.yaml', import.meta.url), 'utf8')) as SpecObject;

interface Op {
  method: string;
  template: string;
  regex: RegExp;
  literal: number;
  responses: Record<string, SpecObject>;
}

export class V2Validator {
  private readonly ajv = specAjv();
  private readonly ops: Op[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    for (const [template, item] of Object.entries(doc.paths as SpecObject)) {
      for (const [method, op] of Object.entries(item as SpecObject)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        let literal = 0;
        const pattern = template.replace(/\{[^}]+\}|[^{]+/g, (m) => {
          if (m.startsWith('{')) return '[^/]+';
          literal += m.length;
          return m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        });
        this.ops.push({ method: method.toUpperCase(), template, regex: new RegExp(`^${pattern}$`), literal, responses: (op as SpecObject).responses as Record<string, SpecObject> });
      }
    }
    this.ops.sort((a, b) => b.literal - a.literal);
  }

  private validator(key: string, schema: unknown): ValidateFunction {
    let v = this.compiled.get(key);
    if (!v) {
      v = this.ajv.compile(toJsonSchema(schema as never, 'spec#/definitions/') as object);
      this.compiled.set(key, v);
    }
    return v;
  }

  /** Throws an Error describing how the response breaks the document. */
  check(method: string, path: string, r: { status: number; contentType: string; body: unknown }): void {
    const where = `${method} ${path} → ${r.status}`;
    const op = this.ops.find((o) => o.method === method && o.regex.test(path));
    if (r.status >= 400) {
      if (!r.contentType.startsWith('application/json')) throw new Error(`${where}: an error must be JSON, got ${r.contentType}`);
      const schema = op?.responses[String(r.status)]?.content ? ((op.responses[String(r.status)]!.content as SpecObject)['application/json'] as SpecObject).schema : { $ref: r.status === 422 && Array.isArray((r.body as { detail?: unknown })?.detail) ? '#/components/schemas/HTTPValidationError' : '#/components/schemas/HTTPExceptionResponse' };
      const v = this.validator(`${op?.template} ${r.status} error`, schema);
      if (!v(r.body)) throw new Error(`${where}: the error body does not match: ${this.ajv.errorsText(v.errors)}; body ${JSON.stringify(r.body)}`);
      if (!op) return;
      if (!op.responses[String(r.status)] && !GENERIC_ERRORS.has(r.status)) throw new Error(`${where}: ${op.template} declares no ${r.status}`);
      return;
    }
    if (!op) throw new Error(`${where}: no operation of openapi-v2.yaml matches`);
    const declared = op.responses[String(r.status)];
    if (!declared) throw new Error(`${where}: ${op.method} ${op.template} declares no ${r.status} (declared: ${Object.keys(op.responses).join(', ')})`);
    const content = declared.content as SpecObject | undefined;
    if (!content) {
      if (r.body !== undefined && r.body !== '') throw new Error(`${where}: no body is declared, got ${JSON.stringify(r.body).slice(0, 200)}`);
      return;
    }
    const type = r.contentType.split(';')[0]!.trim();
    const declaredType = content[type] as SpecObject | undefined;
    if (!declaredType) throw new Error(`${where}: ${type} is not declared (declared: ${Object.keys(content).join(', ')})`);
    if (type !== 'application/json') return;
    const v = this.validator(`${op.method} ${op.template} ${r.status}`, declaredType.schema ?? {});
    if (!v(r.body)) throw new Error(`${where}: the body does not match ${op.method} ${op.template}: ${this.ajv.errorsText(v.errors, { separator: '; ' })}\nbody: ${JSON.stringify(r.body).slice(0, 1500)}`);
  }

  /** Every operation as `METHOD /template`. */
  allOperations(): string[] {
    return [...specOperations().values()].map((o) => `${o.method} /api/v2${o.path}`);
  }
}

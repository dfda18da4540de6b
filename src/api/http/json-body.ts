/**
 * Request bodies: read as JSON only (415 for another content type), parsed safely (400 for
 * malformed JSON) and checked against a JSON schema (400 naming every wrong or unknown field)
 * before a route sees them, so a bad request changes nothing.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import type { Context } from 'hono';
import { badRequest, Problem } from '../problem.ts';

const ajv = new Ajv({ allErrors: true, strict: false, logger: false });
// ajv-formats is CommonJS: depending on the loader its plugin is the default export or its `.default`.
type FormatsPlugin = (instance: Ajv) => Ajv;
const formats = formatsModule as unknown as FormatsPlugin & { default?: FormatsPlugin };
(formats.default ?? formats)(ajv);

/** A JSON schema for a request body. */
export type BodySchema = Record<string, unknown>;

/**
 * A closed object schema: `fields` are checked, `readOnly` names fields a client may echo back
 * from a response (accepted, ignored), and anything else is an unknown field.
 */
export function closedObject(fields: Record<string, BodySchema>, o: { required?: string[]; readOnly?: string[] } = {}): BodySchema {
  const properties: Record<string, BodySchema> = { ...fields };
  for (const name of o.readOnly ?? []) properties[name] = {};
  return { type: 'object', properties, additionalProperties: false, ...(o.required?.length ? { required: o.required } : {}) };
}

/** Compiles a body schema once, at module load. */
export function bodyValidator<T>(schema: BodySchema): ValidateFunction<T> {
  return ajv.compile<T>(schema);
}

/** Reads the request body as JSON and validates it; throws a Problem (400/415) otherwise. */
export async function readJsonBody<T>(c: Context, validate: ValidateFunction<T>): Promise<T> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !/^application\/[\w.+-]+\+json$/.test(type)) {
    throw new Problem(415, `Send the request body as JSON with the header "Content-Type: application/json" (got ${type ? `"${type}"` : 'no content type'}).`);
  }
  const text = await c.req.text();
  if (text.trim() === '') throw badRequest('The request body is empty: send a JSON object.');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw badRequest(`The request body is not valid JSON: ${(e as Error).message}.`);
  }
  if (!validate(body)) throw badRequest(describeErrors(validate.errors ?? []));
  return body;
}

/** One readable sentence per schema violation, e.g. "unknown field 'foo'; 'limit' must be integer". */
export function describeErrors(errors: ErrorObject[]): string {
  const parts = new Set<string>();
  for (const e of errors) {
    const at = e.instancePath ? `'${e.instancePath.slice(1).replaceAll('/', '.')}'` : 'the body';
    if (e.keyword === 'additionalProperties') {
      const name = String((e.params as { additionalProperty: string }).additionalProperty);
      parts.add(`unknown field '${e.instancePath ? `${e.instancePath.slice(1).replaceAll('/', '.')}.` : ''}${name}'`);
    } else if (e.keyword === 'required') {
      parts.add(`missing required field '${(e.params as { missingProperty: string }).missingProperty}'`);
    } else if (e.keyword === 'enum') {
      parts.add(`${at} must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}`);
    } else {
      parts.add(`${at} ${e.message ?? 'is invalid'}`);
    }
  }
  return `Invalid request body: ${[...parts].join('; ')}.`;
}

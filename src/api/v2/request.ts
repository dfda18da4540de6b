/**
 * Reading a v2 request the way Airflow 3 reads it: every query and path parameter is converted
 * to the type the OpenAPI document gives it (integers, numbers, booleans, date-times, enums,
 * repeated values) with its default, and the JSON body is checked against the operation's
 * schema. Anything malformed is one 422 listing every problem, before a route runs.
 */
import type { Context } from 'hono';
import { toIso } from '../../store/index.ts';
import { InvalidInput, type InputProblem } from './errors.ts';
import { bodyProblems, resolveRef, type SpecObject, type SpecOperation, type SpecParameter } from './spec.ts';

/** A request's parameters and body, converted and checked. */
export interface RequestInput {
  /** Query and path parameters by name, converted to their declared types (absent ones: their default or undefined). */
  params: Record<string, unknown>;
  /** The JSON body (undefined when the operation takes none). */
  body: unknown;
}

/** Converts and checks the request's parameters and body for `op`. */
export async function readInput(c: Context, op: SpecOperation): Promise<RequestInput> {
  const problems: InputProblem[] = [];
  const params: Record<string, unknown> = {};
  for (const p of op.parameters) {
    if (p.in !== 'query' && p.in !== 'path') continue;
    const raw = p.in === 'path' ? (c.req.param(p.name) === undefined ? [] : [c.req.param(p.name)!]) : (c.req.queries(p.name) ?? []);
    params[p.name] = convertParameter(p, raw, problems);
  }
  let body: unknown;
  if (op.body) {
    const text = await c.req.text();
    if (text.trim() === '') {
      if (op.bodyRequired) problems.push({ type: 'missing', loc: ['body'], msg: 'Field required', input: null });
    } else {
      const type = (c.req.header('content-type') ?? 'application/json').toLowerCase();
      if (!type.includes('json')) problems.push({ type: 'model_attributes_type', loc: ['body'], msg: `The body must be JSON (Content-Type: application/json), got ${type}.`, input: text.slice(0, 100) });
      else {
        try {
          body = JSON.parse(text);
        } catch (e) {
          problems.push({ type: 'json_invalid', loc: ['body', 0], msg: `JSON decode error: ${(e as Error).message}`, input: {} });
        }
        if (body !== undefined && !op.body(body)) problems.push(...bodyProblems(op.body.errors, body));
      }
    }
  }
  if (problems.length) throw new InvalidInput(problems);
  return { params, body };
}

function convertParameter(p: SpecParameter, raw: string[], problems: InputProblem[]): unknown {
  const schema = p.schema;
  const loc = [p.in, p.name];
  if (raw.length === 0) {
    if (p.required) problems.push({ type: 'missing', loc, msg: 'Field required', input: null });
    return schema.default ?? undefined;
  }
  if (schema.type === 'array') {
    const items = resolveRef((schema.items ?? {}) as SpecObject);
    return raw.map((v, i) => convertValue(items, v, [...loc, i], problems));
  }
  return convertValue(schema, raw[raw.length - 1]!, loc, problems);
}

const TRUE = ['true', '1', 'yes', 'on', 't', 'y'];
const FALSE = ['false', '0', 'no', 'off', 'f', 'n'];

/** Converts one text value to the schema's type, recording a problem when it cannot be. */
export function convertValue(schemaIn: SpecObject, value: string, loc: Array<string | number>, problems: InputProblem[]): unknown {
  const schema = resolveRef(schemaIn);
  if (Array.isArray(schema.anyOf)) {
    const options = (schema.anyOf as SpecObject[]).map(resolveRef).filter((s) => s.type !== 'null');
    const first = options[0];
    return first ? convertValue(first, value, loc, problems) : value;
  }
  const fail = (type: string, msg: string) => {
    problems.push({ type, loc, msg, input: value });
    return undefined;
  };
  let out: unknown = value;
  switch (schema.type) {
    case 'integer':
      if (!/^\s*[-+]?\d+\s*$/.test(value) || !Number.isSafeInteger(Number(value))) return fail('int_parsing', 'Input should be a valid integer, unable to parse string as an integer');
      out = Number(value);
      break;
    case 'number':
      if (value.trim() === '' || !Number.isFinite(Number(value))) return fail('float_parsing', 'Input should be a valid number, unable to parse string as a number');
      out = Number(value);
      break;
    case 'boolean': {
      const low = value.trim().toLowerCase();
      if (TRUE.includes(low)) out = true;
      else if (FALSE.includes(low)) out = false;
      else return fail('bool_parsing', 'Input should be a valid boolean, unable to interpret input');
      break;
    }
    default:
      if (schema.format === 'date-time') {
        const iso = parseDateTime(value);
        if (iso === undefined) return fail('datetime_from_date_parsing', 'Input should be a valid datetime, e.g. 2024-01-01T00:00:00Z');
        out = iso;
      }
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(out as never)) {
    return fail('enum', `Input should be ${(schema.enum as unknown[]).map((e) => `'${String(e)}'`).join(', ')}`);
  }
  if (typeof schema.minimum === 'number' && typeof out === 'number' && out < schema.minimum) return fail('greater_than_equal', `Input should be greater than or equal to ${schema.minimum}`);
  if (typeof schema.exclusiveMinimum === 'number' && typeof out === 'number' && out <= schema.exclusiveMinimum) return fail('greater_than', `Input should be greater than ${schema.exclusiveMinimum}`);
  if (typeof schema.maximum === 'number' && typeof out === 'number' && out > schema.maximum) return fail('less_than_equal', `Input should be less than or equal to ${schema.maximum}`);
  return out;
}

/**
 * An ISO-8601 date-time in the stored form (UTC with milliseconds); one without a zone is read
 * as UTC. A `+` of the offset sent unencoded arrives as a space and is read back as `+`.
 */
export function parseDateTime(value: string): string | undefined {
  const v = value.trim().replace(/ (\d{2}:?\d{2})$/, '+$1');
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(v)) return undefined;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(v) ? v : v.length === 10 ? `${v}T00:00:00Z` : `${v}Z`;
  try {
    return toIso(zoned);
  } catch {
    return undefined;
  }
}

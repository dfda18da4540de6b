/**
 * Query parameters, parsed the way Airflow's API reads them: booleans, integers, numbers,
 * date-times with a zone, repeated values, comma lists, and paging (`limit` default 100, at
 * most 1000; `offset`; `order_by` with `-` for descending, checked against allowed names).
 * Any malformed value is a 400 before a route touches the database.
 */
import type { Context } from 'hono';
import { toIso } from '../../store/index.ts';
import { badRequest } from '../problem.ts';

/** Page size when `limit` is absent or 0. */
export const DEFAULT_PAGE_LIMIT = 100;
/** Largest page; a larger `limit` is a 400. */
export const MAX_PAGE_LIMIT = 1000;

/** A query parameter's single value (the last one when repeated), or undefined. */
export function queryString(c: Context, name: string): string | undefined {
  const all = c.req.queries(name);
  return all && all.length ? all[all.length - 1] : undefined;
}

/** A boolean parameter: true/false (also 1/0, yes/no). */
export function queryBool(c: Context, name: string): boolean | undefined {
  const v = queryString(c, name);
  if (v === undefined || v === '') return undefined;
  const low = v.toLowerCase();
  if (['true', '1', 'yes'].includes(low)) return true;
  if (['false', '0', 'no'].includes(low)) return false;
  throw badRequest(`Query parameter '${name}' must be true or false (got ${JSON.stringify(v)}).`);
}

/** An integer parameter, at least `min` when given. */
export function queryInt(c: Context, name: string, min?: number): number | undefined {
  const v = queryString(c, name);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(Number(v))) throw badRequest(`Query parameter '${name}' must be an integer (got ${JSON.stringify(v)}).`);
  const n = Number(v);
  if (min !== undefined && n < min) throw badRequest(`Query parameter '${name}' must be at least ${min} (got ${n}).`);
  return n;
}

/** A number parameter. */
export function queryNumber(c: Context, name: string): number | undefined {
  const v = queryString(c, name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw badRequest(`Query parameter '${name}' must be a number (got ${JSON.stringify(v)}).`);
  return n;
}

/** A date-time parameter with a zone, returned in the stored form. */
export function queryDate(c: Context, name: string): string | undefined {
  const v = queryString(c, name);
  if (v === undefined || v === '') return undefined;
  return parseDateTime(v, `Query parameter '${name}'`);
}

/**
 * An ISO-8601 date-time with a zone, in the stored form. A `+` of the offset that a client
 * forgot to encode arrives as a space and is read back as `+`.
 */
export function parseDateTime(value: string, what: string): string {
  const v = value.trim().replace(/ (\d{2}:?\d{2})$/, '+$1');
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(v)) {
    throw badRequest(`${what} must be an ISO-8601 date-time with a time zone, e.g. 2024-01-01T00:00:00Z (got ${JSON.stringify(value)}).`);
  }
  try {
    return toIso(v);
  } catch {
    throw badRequest(`${what} is not a valid date-time (got ${JSON.stringify(value)}).`);
  }
}

/** A repeated parameter (`state=a&state=b`), or undefined when absent. */
export function queryList(c: Context, name: string): string[] | undefined {
  const all = c.req.queries(name);
  return all && all.length ? all.filter((v) => v !== '') : undefined;
}

/** A comma-separated parameter that may also be repeated (`update_mask=a,b`, `fields=a&fields=b`). */
export function queryCsv(c: Context, name: string): string[] | undefined {
  const all = c.req.queries(name);
  if (!all || all.length === 0) return undefined;
  return all.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/** One page of a list: its size, start and order. */
export interface Paging<C extends string = string> {
  limit: number;
  offset: number;
  /** Columns to sort by, each ascending or descending. */
  order: Array<{ column: C; desc: boolean }>;
}

/** Checks a page limit: 0 means the default, more than 1000 or less than 0 is refused. */
export function checkLimit(limit: number | undefined, what = "Query parameter 'limit'"): number {
  if (limit === undefined || limit === 0) return DEFAULT_PAGE_LIMIT;
  if (limit < 0) throw badRequest(`${what} must be a positive integer (got ${limit}).`);
  if (limit > MAX_PAGE_LIMIT) throw badRequest(`${what} may be at most ${MAX_PAGE_LIMIT} (got ${limit}); page through larger results with 'offset'.`);
  return limit;
}

/**
 * Reads `limit`, `offset` and `order_by`. `allowed` maps each sortable field name to its
 * column; `fallback` is the default order and the tie-breaker.
 */
export function queryPaging<C extends string>(c: Context, allowed: Record<string, C>, fallback: string): Paging<C> {
  return {
    limit: checkLimit(queryInt(c, 'limit')),
    offset: queryInt(c, 'offset', 0) ?? 0,
    order: parseOrderBy(queryString(c, 'order_by'), allowed, fallback),
  };
}

/** Parses `order_by` (`name` or `-name`) against the allowed names; the fallback breaks ties. */
export function parseOrderBy<C extends string>(orderBy: string | undefined, allowed: Record<string, C>, fallback: string): Array<{ column: C; desc: boolean }> {
  const requested = orderBy === undefined || orderBy.trim() === '' ? fallback : orderBy.trim();
  const desc = requested.startsWith('-');
  const name = desc ? requested.slice(1) : requested;
  const column = Object.hasOwn(allowed, name) ? allowed[name] : undefined;
  if (column === undefined) {
    throw badRequest(`Ordering with '${name}' is disallowed or the attribute does not exist on the model; order by one of: ${Object.keys(allowed).join(', ')}.`);
  }
  const order = [{ column, desc }];
  const tie = fallback.replace(/^-/, '');
  const tieColumn = allowed[tie];
  if (tieColumn !== undefined && tieColumn !== column) order.push({ column: tieColumn, desc: fallback.startsWith('-') });
  return order;
}

/**
 * Lists in v2: `limit` (default 50; more than 1000 is reduced to 1000) and `offset`, `order_by`
 * as a list of fields (`-` for descending; several give a multi-column sort, ties broken by the
 * endpoint's default), `*_gte` / `*_gt` / `*_lte` / `*_lt` range filters, and `*_pattern`
 * searches: case-insensitive SQL LIKE, matching anywhere, with `%` and `_` wildcards and `|`
 * between alternatives.
 */
import { sql, type Expression, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { RequestInput } from './request.ts';
import { HttpError } from './errors.ts';

/** The largest page; a larger `limit` is reduced to it. */
export const MAX_LIMIT = 1000;

/** One page of a list. */
export interface Page {
  limit: number;
  offset: number;
  order: Array<{ column: string; desc: boolean }>;
}

/**
 * Reads `limit`, `offset` and `order_by` (also from a batch body's `page_limit` etc. when
 * given there). `allowed` maps each sortable name to its column; `fallback` is the default
 * order, also the tie-breaker. An unknown name is 400 listing the allowed ones.
 */
export function readPage(input: RequestInput, allowed: Record<string, string>, fallback: string, from: { limit?: unknown; offset?: unknown; order_by?: unknown } = input.params): Page {
  const raw = from.order_by;
  const names = (Array.isArray(raw) ? raw : raw === undefined || raw === null || raw === '' ? [] : [raw]).flatMap((v) => String(v).split(',')).map((s) => s.trim()).filter((s) => s !== '');
  const order: Page['order'] = [];
  for (const n of names.length ? names : [fallback]) {
    const desc = n.startsWith('-');
    const name = desc ? n.slice(1) : n;
    if (!Object.hasOwn(allowed, name)) {
      throw new HttpError(400, `Ordering with '${name}' is disallowed or the attribute does not exist on the model; order by one of: ${Object.keys(allowed).join(', ')}.`);
    }
    order.push({ column: allowed[name]!, desc });
  }
  const tie = fallback.replace(/^-/, '');
  if (allowed[tie] && !order.some((o) => o.column === allowed[tie])) order.push({ column: allowed[tie]!, desc: fallback.startsWith('-') });
  const limit = typeof from.limit === 'number' ? Math.min(from.limit, MAX_LIMIT) : 50;
  return { limit, offset: typeof from.offset === 'number' ? from.offset : 0, order };
}

/** Orders, limits and offsets `q` (NULLs first ascending, last descending, on both dialects). */
export function applyPage<QB extends SelectQueryBuilder<any, any, any>>(q: QB, page: Page): QB {
  let out = q;
  for (const o of page.order) out = out.orderBy(sql.ref(o.column), (ob) => (o.desc ? ob.desc().nullsLast() : ob.asc().nullsFirst())) as QB;
  return out.limit(page.limit).offset(page.offset) as QB;
}

/** The number of rows `q` selects. */
export async function countRows(q: SelectQueryBuilder<any, any, any>): Promise<number> {
  const row = await q.clearSelect().clearOrderBy().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number((row as { n: number | string } | undefined)?.n ?? 0);
}

/** Filters `q` by the `<name>_gte/_gt/_lte/_lt` parameters of each name, on its column. */
export function applyRanges<QB extends SelectQueryBuilder<any, any, any>>(q: QB, params: Record<string, unknown>, columns: Record<string, string>): QB {
  let out = q;
  for (const [name, column] of Object.entries(columns)) {
    for (const [suffix, op] of [['gte', '>='], ['gt', '>'], ['lte', '<='], ['lt', '<']] as const) {
      const v = params[`${name}_${suffix}`];
      if (v !== undefined && v !== null) out = out.where(sql.ref(column), op, v) as QB;
    }
  }
  return out;
}

/** A `*_pattern` search as a condition on `column` (undefined when no pattern is given). */
export function patternCondition(column: string, pattern: unknown): Expression<SqlBool> | undefined {
  if (typeof pattern !== 'string' || pattern.trim() === '') return undefined;
  const terms = pattern.split('|').map((t) => t.trim()).filter((t) => t !== '');
  if (!terms.length) return undefined;
  return sql<SqlBool>`(${sql.join(terms.map((t) => sql`lower(${sql.ref(column)}) like ${`%${t.toLowerCase()}%`}`), sql` or `)})`;
}

/** Applies every `*_pattern` parameter named in `columns`. */
export function applyPatterns<QB extends SelectQueryBuilder<any, any, any>>(q: QB, params: Record<string, unknown>, columns: Record<string, string>): QB {
  let out = q;
  for (const [name, column] of Object.entries(columns)) {
    const cond = patternCondition(column, params[name]);
    if (cond) out = out.where(cond) as QB;
  }
  return out;
}

/** Values of a repeated parameter, or undefined when none were given. */
export function listParam<T = string>(params: Record<string, unknown>, name: string): T[] | undefined {
  const v = params[name];
  if (!Array.isArray(v) || v.length === 0) return undefined;
  return v as T[];
}

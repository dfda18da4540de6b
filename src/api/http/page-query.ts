/**
 * Applying a page to a query: its order (NULLs first when ascending, last when descending, on
 * both dialects), limit and offset; and counting the rows of a filtered query before paging.
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import type { Paging } from './query.ts';

/** Orders, limits and offsets `q` as the page says. */
export function applyPage<QB extends SelectQueryBuilder<any, any, any>>(q: QB, page: Paging): QB {
  let out = q;
  for (const o of page.order) {
    out = out.orderBy(sql.ref(o.column), (ob) => (o.desc ? ob.desc().nullsLast() : ob.asc().nullsFirst())) as QB;
  }
  return out.limit(page.limit).offset(page.offset) as QB;
}

/** Orders `q` as the page says, without limiting it. */
export function applyOrder<QB extends SelectQueryBuilder<any, any, any>>(q: QB, order: Paging['order']): QB {
  let out = q;
  for (const o of order) out = out.orderBy(sql.ref(o.column), (ob) => (o.desc ? ob.desc().nullsLast() : ob.asc().nullsFirst())) as QB;
  return out;
}

/** The number of rows `q` selects (its selections and order are dropped). */
export async function countRows(q: SelectQueryBuilder<any, any, any>): Promise<number> {
  const row = await q.clearSelect().clearOrderBy().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number((row as { n: number | string } | undefined)?.n ?? 0);
}

/** Content negotiation on the Accept header, for endpoints that answer JSON or plain text. */
import type { Context } from 'hono';
import { Problem } from '../problem.ts';

/**
 * The offered media type the client prefers (by q-value, then by the order of `offered`).
 * No Accept header means the first offered type; nothing acceptable is a 406.
 */
export function negotiate<T extends string>(c: Context, offered: readonly T[]): T {
  const header = c.req.header('accept');
  if (!header || header.trim() === '') return offered[0]!;
  const ranges = header.split(',').map((part) => {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return { type: type!.trim(), q: q ? Number(q.slice(2)) : 1 };
  });
  let best: { type: T; q: number; specificity: number } | undefined;
  for (const type of offered) {
    const [major] = type.split('/');
    for (const r of ranges) {
      const specificity = r.type === type ? 2 : r.type === `${major}/*` ? 1 : r.type === '*/*' ? 0 : -1;
      if (specificity < 0 || !(r.q > 0)) continue;
      if (!best || r.q > best.q || (r.q === best.q && specificity > best.specificity)) best = { type, q: r.q, specificity };
    }
  }
  if (!best) throw new Problem(406, `This endpoint answers ${offered.join(' or ')}; the Accept header allows neither (${header}).`);
  return best.type;
}

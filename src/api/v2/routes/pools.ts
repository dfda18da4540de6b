/** Pools: list (`pool_name_pattern`), get, create, patch (`update_mask`), delete, and bulk changes. */
import { DEFAULT_POOL_NAME, deletePool, getPool, listPools, upsertPool, type Pool } from '../../../store/index.ts';
import { poolUsage, poolView } from '../../views/pools.ts';
import { runBulk } from '../bulk.ts';
import { param, route, type RouteDef, type V2Context, type V2Deps } from '../context.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { readPage } from '../listing.ts';
import { likeMatch } from './dags.ts';

interface PoolBody {
  name?: string;
  pool?: string | null;
  slots?: number | null;
  description?: string | null;
  include_deferred?: boolean | null;
}

/** The PoolResponse shape. */
function poolResponse(p: Pool, usage: Awaited<ReturnType<typeof poolUsage>>) {
  return { ...poolView(p, usage.get(p.name)), team_name: null };
}

/** Pool routes. */
export function poolRoutes(deps: V2Deps): RouteDef[] {
  const one = async (c: V2Context, name: string, status: 200 | 201 = 200) => {
    const p = await getPool(deps.db, name);
    if (!p) throw notFound(`The Pool with name: \`${name}\` was not found`);
    return c.json(poolResponse(p, await poolUsage(deps.db, [name])), status);
  };
  const apply = async (name: string, b: PoolBody, mask: string[] | null) => {
    const current = await getPool(deps.db, name);
    if (!current) throw notFound(`The Pool with name: \`${name}\` was not found`);
    const fields = mask?.length ? mask : Object.keys(b).filter((k) => k !== 'name' && k !== 'pool' && k !== 'team_name');
    const bad = fields.filter((f) => !['slots', 'description', 'include_deferred', 'name', 'pool'].includes(f));
    if (bad.length) throw badRequest(`Invalid field(s) in update_mask: ${bad.join(', ')}; use slots, description or include_deferred.`);
    const newName = b.pool ?? b.name ?? name;
    if (newName !== name) throw badRequest(name === DEFAULT_POOL_NAME ? 'Only slots and included_deferred can be modified on Default Pool' : 'A pool cannot be renamed; create a new one and delete this one.');
    if (fields.includes('slots') && (b.slots === null || b.slots === undefined)) throw badRequest("'slots' cannot be null.");
    await upsertPool(deps.db, {
      name,
      slots: fields.includes('slots') ? b.slots! : current.slots,
      description: fields.includes('description') ? (b.description ?? null) : current.description,
      includeDeferred: fields.includes('include_deferred') ? (b.include_deferred ?? false) : current.includeDeferred,
    });
  };
  return [
    route('get_pools', ['read', 'Pools'], async (c, input) => {
      const page = readPage(input, { id: 'name', pool: 'name', name: 'name' }, 'name');
      const pattern = param<string | undefined>(input, 'pool_name_pattern');
      const terms = pattern ? pattern.split('|').map((t) => t.trim().toLowerCase()).filter(Boolean) : [];
      let pools = (await listPools(deps.db)).filter((p) => !terms.length || terms.some((t) => likeMatch(p.name.toLowerCase(), `%${t}%`)));
      pools.sort((a, b) => a.name.localeCompare(b.name));
      if (page.order[0]?.desc) pools = pools.reverse();
      const usage = await poolUsage(deps.db);
      return c.json({ pools: pools.slice(page.offset, page.offset + page.limit).map((p) => poolResponse(p, usage)), total_entries: pools.length });
    }),
    route('get_pool', ['read', 'Pools'], (c, input) => one(c, param(input, 'pool_name'))),
    route('post_pool', ['create', 'Pools'], async (c, input) => {
      const b = input.body as Required<Pick<PoolBody, 'name' | 'slots'>> & PoolBody;
      if (await getPool(deps.db, b.name)) throw conflict(`The Pool with name: \`${b.name}\` already exists`);
      await upsertPool(deps.db, { name: b.name, slots: b.slots!, description: b.description ?? null, includeDeferred: b.include_deferred ?? false });
      await deps.audit(c, { event: 'pool.create', extra: { name: b.name, slots: b.slots } });
      return one(c, b.name, 201);
    }),
    route('patch_pool', ['edit', 'Pools'], async (c, input) => {
      const name = param(input, 'pool_name');
      await apply(name, input.body as PoolBody, param<string[] | undefined>(input, 'update_mask') ?? null);
      await deps.audit(c, { event: 'pool.edit', extra: { name } });
      deps.changed();
      return one(c, name);
    }),
    route('delete_pool', ['delete', 'Pools'], async (c, input) => {
      const name = param(input, 'pool_name');
      if (name === DEFAULT_POOL_NAME) throw badRequest('Default Pool can\'t be deleted');
      if (!(await deletePool(deps.db, name))) throw notFound(`The Pool with name: \`${name}\` was not found`);
      await deps.audit(c, { event: 'pool.delete', extra: { name } });
      return c.body(null, 204);
    }),
    route('bulk_pools', ['edit', 'Pools'], async (c, input) => {
      const result = await runBulk<PoolBody & { name: string; slots: number }>((input.body as { actions: never[] }).actions, {
        key: (e) => (typeof e === 'string' ? e : e.name),
        exists: async (k) => (await getPool(deps.db, k)) !== undefined,
        create: async (e) => void (await upsertPool(deps.db, { name: e.name, slots: e.slots, description: e.description ?? null, includeDeferred: e.include_deferred ?? false })),
        update: (e, mask) => apply(e.name, e, mask ?? ['slots', 'description', 'include_deferred']),
        remove: async (k) => void (await deletePool(deps.db, k)),
        refuse: (action, k) => (action === 'delete' && k === DEFAULT_POOL_NAME ? "Default Pool can't be deleted" : undefined),
        applied: (action, name) => deps.audit(c, { event: `pool.${action === 'update' ? 'edit' : action}`, extra: { name, bulk: true } }),
      }, 'pool');
      deps.changed();
      return c.json(result);
    }),
  ];
}

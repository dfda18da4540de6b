/**
 * Pools: list, get, create (409 when the name is taken), update with `update_mask` (renaming
 * too; `default_pool` keeps its name), delete (`default_pool` cannot be deleted: 400).
 */
import { Hono } from 'hono';
import { DEFAULT_POOL_NAME, deletePool, getPool, upsertPool, type Pool } from '../../store/index.ts';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import type { ApiDeps } from '../deps.ts';
import { updateMask } from '../http/fields.ts';
import { checkKey, keyParam } from '../http/ids.ts';
import { bodyValidator, closedObject, readJsonBody } from '../http/json-body.ts';
import { applyPage, countRows } from '../http/page-query.ts';
import { queryPaging } from '../http/query.ts';
import { badRequest, conflict, notFound } from '../problem.ts';
import { poolUsage, poolView } from '../views/pools.ts';

const ORDER = { name: 'pool', slots: 'slots', description: 'description', include_deferred: 'include_deferred' } as const;
const UPDATABLE = ['name', 'slots', 'description', 'include_deferred'];

interface PoolBody {
  name?: string;
  slots?: number;
  description?: string | null;
  include_deferred?: boolean;
}
const poolBody = bodyValidator<PoolBody>(closedObject(
  { name: { type: 'string' }, slots: { type: 'integer', minimum: -1 }, description: { type: ['string', 'null'] }, include_deferred: { type: 'boolean' } },
  { readOnly: ['occupied_slots', 'running_slots', 'queued_slots', 'scheduled_slots', 'deferred_slots', 'open_slots'] },
));

/** Pool routes. */
export function poolRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const view = async (pool: Pool) => poolView(pool, (await poolUsage(deps.db, [pool.name])).get(pool.name));

  app.get('/pools', requirePermission('read', 'Pools'), async (c) => {
    const page = queryPaging(c, ORDER, 'name');
    const q = deps.db.selectFrom('slot_pool').selectAll();
    const total = await countRows(q);
    const rows = await applyPage(q, page).execute();
    const usage = await poolUsage(deps.db, rows.map((r) => r.pool));
    const pools = rows.map((r) => poolView({ name: r.pool, slots: r.slots, description: r.description, includeDeferred: r.include_deferred === 1 }, usage.get(r.pool)));
    return c.json({ pools, total_entries: total });
  });

  app.post('/pools', requirePermission('create', 'Pools'), async (c) => {
    const b = await readJsonBody(c, poolBody);
    const missing = (['name', 'slots'] as const).filter((f) => b[f] === undefined);
    if (missing.length) throw badRequest(`Missing required property(ies): ${missing.join(', ')}.`);
    const name = checkKey(b.name!, 'Pool name', 256);
    if (await getPool(deps.db, name)) throw conflict(`Pool: '${name}' already exists`);
    const pool = await upsertPool(deps.db, { name, slots: b.slots!, description: b.description ?? null, includeDeferred: b.include_deferred ?? false });
    await deps.audit(c, { event: 'pool.create', extra: { pool: name, slots: pool.slots } });
    deps.changed();
    return c.json(await view(pool));
  });

  app.get('/pools/:pool_name', requirePermission('read', 'Pools'), async (c) => {
    const name = keyParam(c, 'pool_name', 'Pool name', 256);
    const pool = await getPool(deps.db, name);
    if (!pool) throw notFound(`Pool with name: '${name}' not found`);
    return c.json(await view(pool));
  });

  app.patch('/pools/:pool_name', requirePermission('edit', 'Pools'), async (c) => {
    const name = keyParam(c, 'pool_name', 'Pool name', 256);
    const mask = updateMask(c, UPDATABLE);
    const b = await readJsonBody(c, poolBody);
    const fields = mask ?? UPDATABLE.filter((f) => b[f as keyof PoolBody] !== undefined);
    if (!mask) {
      const missing = (['name', 'slots'] as const).filter((f) => b[f] === undefined);
      if (missing.length) throw badRequest(`Missing required property(ies): ${missing.join(', ')} (or name the fields to change in update_mask).`);
    }
    for (const f of fields) if (b[f as keyof PoolBody] === undefined) throw badRequest(`update_mask names '${f}' but the body does not set it.`);
    const current = await getPool(deps.db, name);
    if (!current) throw notFound(`Pool with name: '${name}' not found`);
    const newName = fields.includes('name') ? checkKey(b.name!, 'Pool name', 256) : name;
    if (name === DEFAULT_POOL_NAME && newName !== name) throw badRequest(`The name of ${DEFAULT_POOL_NAME} cannot be changed.`);
    if (newName !== name && (await getPool(deps.db, newName))) throw conflict(`Pool: '${newName}' already exists`);
    const next = {
      name: newName,
      slots: fields.includes('slots') ? b.slots! : current.slots,
      description: fields.includes('description') ? (b.description ?? null) : current.description,
      includeDeferred: fields.includes('include_deferred') ? b.include_deferred! : current.includeDeferred,
    };
    const pool = await deps.db.transaction().execute(async (trx) => {
      const saved = await upsertPool(trx, next);
      if (newName !== name) await deletePool(trx, name);
      return saved;
    });
    await deps.audit(c, { event: 'pool.edit', extra: { pool: name, fields, ...(newName !== name && { renamed_to: newName }) } });
    deps.changed();
    return c.json(await view(pool));
  });

  app.delete('/pools/:pool_name', requirePermission('delete', 'Pools'), async (c) => {
    const name = keyParam(c, 'pool_name', 'Pool name', 256);
    if (name === DEFAULT_POOL_NAME) throw badRequest(`${DEFAULT_POOL_NAME} cannot be deleted: tasks that name no pool run in it. Change its slots instead.`);
    if (!(await deletePool(deps.db, name))) throw notFound(`Pool with name: '${name}' not found`);
    await deps.audit(c, { event: 'pool.delete', extra: { pool: name } });
    return c.body(null, 204);
  });

  return app;
}

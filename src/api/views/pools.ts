/** Pools in Airflow's API shape, with their slots in use by state. */
import type { Kysely } from 'kysely';
import type { Pool, Schema } from '../../store/index.ts';

/** Slots of one pool taken by task instances in each state. */
export interface PoolUsage {
  running: number;
  queued: number;
  scheduled: number;
  deferred: number;
}

/** Slots taken per pool and state (running, queued, scheduled, deferred). */
export async function poolUsage(db: Kysely<Schema>, pools?: string[]): Promise<Map<string, PoolUsage>> {
  let q = db
    .selectFrom('task_instance')
    .select(['pool', 'state', (eb) => eb.fn.sum<number>('pool_slots').as('slots')])
    .where('state', 'in', ['running', 'queued', 'scheduled', 'deferred'])
    .groupBy(['pool', 'state']);
  if (pools) q = q.where('pool', 'in', pools.length ? pools : ['\u0000']);
  const out = new Map<string, PoolUsage>();
  for (const r of await q.execute()) {
    const u = out.get(r.pool) ?? out.set(r.pool, { running: 0, queued: 0, scheduled: 0, deferred: 0 }).get(r.pool)!;
    u[r.state as keyof PoolUsage] = Number(r.slots ?? 0);
  }
  return out;
}

/** Slots a pool has in use (deferred task instances count when the pool says so). */
export function occupiedSlots(pool: Pick<Pool, 'includeDeferred'>, u: PoolUsage): number {
  return u.running + u.queued + (pool.includeDeferred ? u.deferred : 0);
}

/** The Pool shape. `open_slots` is -1 for an unlimited pool. */
export function poolView(pool: Pool, u: PoolUsage = { running: 0, queued: 0, scheduled: 0, deferred: 0 }) {
  const occupied = occupiedSlots(pool, u);
  return {
    name: pool.name,
    slots: pool.slots,
    occupied_slots: occupied,
    running_slots: u.running,
    queued_slots: u.queued,
    scheduled_slots: u.scheduled,
    deferred_slots: u.deferred,
    open_slots: pool.slots === -1 ? -1 : pool.slots - occupied,
    description: pool.description,
    include_deferred: pool.includeDeferred,
  };
}

/** Tracking in the metadata database: tables `ml_param`, `ml_metric` and `ml_artifact`. */
import { sql, type Kysely } from 'kysely';
import { toJson } from '../../../store/codec.ts';
import type { Schema } from '../../../store/schema.ts';
import type { BodyEncoding } from './body.ts';
import { assembleTries, type MetricHistoryPoint, type MetricHistoryQuery, type TrackedArtifact, type TrackedTry, type TrackingStore, type TriesQuery } from './store.ts';
import type { JsonValue, TryRef } from './types.ts';

function tryColumns(ti: TryRef) {
  return { dag_id: ti.dagId, run_id: ti.runId, task_id: ti.taskId, map_index: ti.mapIndex, try_number: ti.tryNumber };
}

function tryOf(r: { dag_id: string; run_id: string; task_id: string; map_index: number; try_number: number }): TryRef {
  return { dagId: r.dag_id, runId: r.run_id, taskId: r.task_id, mapIndex: r.map_index, tryNumber: r.try_number };
}

const TRY_KEY = ['dag_id', 'run_id', 'task_id', 'map_index', 'try_number'] as const;

export class DbTrackingStore implements TrackingStore {
  constructor(private readonly db: Kysely<Schema>) {}

  async logParams(ti: TryRef, params: Record<string, JsonValue>, loggedAt: string): Promise<void> {
    const rows = Object.entries(params).map(([key, value]) => ({ ...tryColumns(ti), key, value: toJson(value), logged_at: loggedAt }));
    if (rows.length === 0) return;
    await this.db
      .insertInto('ml_param')
      .values(rows)
      .onConflict((oc) => oc.columns([...TRY_KEY, 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), logged_at: eb.ref('excluded.logged_at') })))
      .execute();
  }

  async logMetrics(ti: TryRef, metrics: Record<string, number>, step: number, timestamp: string): Promise<void> {
    const rows = Object.entries(metrics).map(([key, value]) => ({ ...tryColumns(ti), key, value, step, timestamp }));
    if (rows.length > 0) await this.db.insertInto('ml_metric').values(rows).execute();
  }

  async logArtifact(ti: TryRef, a: TrackedArtifact): Promise<void> {
    const values = { object_key: a.key, encoding: a.encoding, content_type: a.contentType, size_bytes: a.sizeBytes, logged_at: a.loggedAt };
    await this.db
      .insertInto('ml_artifact')
      .values({ ...tryColumns(ti), name: a.name, ...values })
      .onConflict((oc) => oc.columns([...TRY_KEY, 'name']).doUpdateSet(values))
      .execute();
  }

  async listTries(q: TriesQuery): Promise<TrackedTry[]> {
    const one = q.runId !== undefined;
    const params = await this.db.selectFrom('ml_param').selectAll().where('dag_id', '=', q.dagId).$if(one, (qb) => qb.where('run_id', '=', q.runId!)).execute();
    const ranked = this.db
      .selectFrom('ml_metric')
      .select([...TRY_KEY, 'key', 'value'])
      .select(sql<number>`row_number() over (partition by dag_id, run_id, task_id, map_index, try_number, key order by step desc, id desc)`.as('rn'))
      .select(sql<string>`min(timestamp) over (partition by dag_id, run_id, task_id, map_index, try_number, key)`.as('first_at'))
      .where('dag_id', '=', q.dagId)
      .$if(one, (qb) => qb.where('run_id', '=', q.runId!));
    const metrics = await this.db
      .selectFrom(ranked.as('m'))
      .select(['m.dag_id', 'm.run_id', 'm.task_id', 'm.map_index', 'm.try_number', 'm.key', 'm.value', 'm.first_at'])
      .where('m.rn', '=', 1)
      .execute();
    const artifacts = await this.db.selectFrom('ml_artifact').selectAll().where('dag_id', '=', q.dagId).$if(one, (qb) => qb.where('run_id', '=', q.runId!)).execute();
    return assembleTries({
      params: params.map((p) => ({ ...tryOf(p), key: p.key, value: JSON.parse(p.value) as JsonValue, at: p.logged_at })),
      metrics: metrics.map((m) => ({ ...tryOf(m), key: m.key, value: Number(m.value), firstAt: m.first_at })),
      artifacts: artifacts.map((a) => ({
        ...tryOf(a), name: a.name, key: a.object_key, encoding: a.encoding as BodyEncoding, contentType: a.content_type, sizeBytes: a.size_bytes, loggedAt: a.logged_at,
      })),
    });
  }

  async metricHistory(q: MetricHistoryQuery): Promise<MetricHistoryPoint[]> {
    let query = this.db.selectFrom('ml_metric').selectAll().where('dag_id', '=', q.dagId).where('run_id', '=', q.runId).where('task_id', '=', q.taskId);
    if (q.mapIndex !== undefined) query = query.where('map_index', '=', q.mapIndex);
    if (q.tryNumber !== undefined) query = query.where('try_number', '=', q.tryNumber);
    if (q.key !== undefined) query = query.where('key', '=', q.key);
    const rows = await query.orderBy('map_index').orderBy('try_number').orderBy('key').orderBy('step').orderBy('id').execute();
    return rows.map((r) => ({ mapIndex: r.map_index, tryNumber: r.try_number, key: r.key, value: Number(r.value), step: r.step, timestamp: r.timestamp }));
  }
}

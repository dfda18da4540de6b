/**
 * The model registry in the metadata database: `ml_model` (one row per model, locked while its
 * versions change), `ml_model_version` and the stage history `ml_model_stage_change`.
 */
import type { Kysely, Selectable } from 'kysely';
import { nowIso, toJson } from '../../../store/codec.ts';
import { forUpdate } from '../../../store/dialect.ts';
import type { MlModelVersionTable, Schema } from '../../../store/schema.ts';
import type { BodyEncoding } from '../tracking/body.ts';
import type { JsonValue, ModelSelector, ModelStage, RollbackResult, StageChange } from '../tracking/types.ts';
import { planRollback, planStageChange, type StageUpdate } from './stage-rules.ts';
import { ModelNotFoundError, type ModelRegistry, type ModelVersion, type NewModelVersion } from './types.ts';

export class DbModelRegistry implements ModelRegistry {
  constructor(private readonly db: Kysely<Schema>) {}

  async createVersion(input: NewModelVersion): Promise<ModelVersion> {
    return this.db.transaction().execute(async (trx) => {
      const now = nowIso();
      await trx.insertInto('ml_model').values({ name: input.name, latest_version: 0, created_at: now, updated_at: now }).onConflict((oc) => oc.column('name').doNothing()).execute();
      const model = await forUpdate(trx, trx.selectFrom('ml_model').select('latest_version').where('name', '=', input.name)).executeTakeFirstOrThrow();
      const version = model.latest_version + 1;
      await trx.updateTable('ml_model').set({ latest_version: version, updated_at: now }).where('name', '=', input.name).execute();
      const s = input.source;
      const row = {
        name: input.name, version, stage: 'none', description: input.description,
        metrics: toJson(input.metrics), params: toJson(input.params),
        artifact_key: input.artifact.key, artifact_encoding: input.artifact.encoding, artifact_content_type: input.artifact.contentType,
        artifact_format: input.artifact.format, artifact_size: input.artifact.sizeBytes,
        source_dag_id: s?.dagId ?? null, source_run_id: s?.runId ?? null, source_task_id: s?.taskId ?? null,
        source_map_index: s?.mapIndex ?? null, source_try_number: s?.tryNumber ?? null,
        created_at: now, stage_changed_at: now,
      };
      await trx.insertInto('ml_model_version').values(row).execute();
      await trx.insertInto('ml_model_stage_change').values({ name: input.name, version, from_stage: null, to_stage: 'none', reason: 'register', changed_at: now }).execute();
      return toVersion(row);
    });
  }

  async getVersion(name: string, selector: ModelSelector): Promise<ModelVersion | null> {
    let q = this.db.selectFrom('ml_model_version').selectAll().where('name', '=', name);
    if (typeof selector === 'number') q = q.where('version', '=', selector);
    else if (selector !== 'latest') q = q.where('stage', '=', selector);
    const row = await q.orderBy('version', 'desc').limit(1).executeTakeFirst();
    return row ? toVersion(row) : null;
  }

  async listVersions(filter: { name?: string } = {}): Promise<ModelVersion[]> {
    const rows = await this.db
      .selectFrom('ml_model_version')
      .selectAll()
      .$if(filter.name !== undefined, (qb) => qb.where('name', '=', filter.name!))
      .orderBy('name')
      .orderBy('version')
      .execute();
    return rows.map(toVersion);
  }

  async setStage(name: string, version: number, stage: ModelStage): Promise<StageChange> {
    return this.db.transaction().execute(async (trx) => {
      const versions = await lockModel(trx, name);
      const plan = planStageChange(name, versions, version, stage);
      await applyUpdates(trx, name, plan.updates);
      return plan.result;
    });
  }

  async rollback(name: string): Promise<RollbackResult> {
    return this.db.transaction().execute(async (trx) => {
      const versions = await lockModel(trx, name);
      const history = await trx.selectFrom('ml_model_stage_change').select(['version', 'from_stage', 'to_stage', 'reason']).where('name', '=', name).orderBy('id').execute();
      const plan = planRollback(name, versions, history.map((h) => ({ version: h.version, from: h.from_stage as ModelStage | null, to: h.to_stage as ModelStage, reason: h.reason })));
      await applyUpdates(trx, name, plan.updates);
      return plan.result;
    });
  }
}

/** Locks the model's row until the transaction ends and returns its versions' stages. */
async function lockModel(trx: Kysely<Schema>, name: string): Promise<Array<{ version: number; stage: ModelStage }>> {
  const model = await forUpdate(trx, trx.selectFrom('ml_model').select('name').where('name', '=', name)).executeTakeFirst();
  if (!model) {
    const known = (await trx.selectFrom('ml_model').select('name').orderBy('name').limit(20).execute()).map((m) => m.name);
    throw new ModelNotFoundError(`model '${name}' is not registered (registered models: ${known.join(', ') || 'none'})`);
  }
  const rows = await trx.selectFrom('ml_model_version').select(['version', 'stage']).where('name', '=', name).orderBy('version').execute();
  return rows.map((r) => ({ version: r.version, stage: r.stage as ModelStage }));
}

async function applyUpdates(trx: Kysely<Schema>, name: string, updates: StageUpdate[]): Promise<void> {
  const now = nowIso();
  for (const u of updates) {
    await trx.updateTable('ml_model_version').set({ stage: u.to, stage_changed_at: now }).where('name', '=', name).where('version', '=', u.version).execute();
    await trx.insertInto('ml_model_stage_change').values({ name, version: u.version, from_stage: u.from, to_stage: u.to, reason: u.reason, changed_at: now }).execute();
  }
  if (updates.length > 0) await trx.updateTable('ml_model').set({ updated_at: now }).where('name', '=', name).execute();
}

function toVersion(r: Selectable<MlModelVersionTable>): ModelVersion {
  return {
    name: r.name,
    version: r.version,
    stage: r.stage as ModelStage,
    description: r.description,
    metrics: JSON.parse(r.metrics) as Record<string, number>,
    params: JSON.parse(r.params) as Record<string, JsonValue>,
    artifact: { key: r.artifact_key, encoding: r.artifact_encoding as BodyEncoding, contentType: r.artifact_content_type, format: r.artifact_format, sizeBytes: r.artifact_size },
    source:
      r.source_dag_id === null || r.source_run_id === null || r.source_task_id === null
        ? null
        : { dagId: r.source_dag_id, runId: r.source_run_id, taskId: r.source_task_id, mapIndex: r.source_map_index ?? -1, tryNumber: r.source_try_number ?? 0 },
    createdAt: r.created_at,
    stageChangedAt: r.stage_changed_at,
  };
}

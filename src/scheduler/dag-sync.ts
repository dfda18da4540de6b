/**
 * Writes what the DAG processor found into the database: one `dag` row and one serialized DAG
 * per DAG, a new DAG version when its structure changed, dataset references, and import errors. DAGs whose files no longer define them become
 * inactive. New DAGs start paused unless configured otherwise. Never runs user code.
 */
import { dagHash } from '../core/dag-hash.ts';
import type { Kysely } from 'kysely';
import type { SerializedDag } from '../core/serialized-dag.ts';
import { aliasNames, datasetUris, describeSchedule } from '../core/timetable/index.ts';
import type { ImportErrorInfo } from '../processor/index.ts';
import { nowIso, toFlag, toJson, type Schema } from '../store/index.ts';
import { nextRunFields } from './next-run-fields.ts';
import { syncDagPools } from './dag-pools.ts';
import { recordDagVersion } from './dag-versions.ts';
import { ensureAliases, ensureDatasets } from './datasets.ts';

export interface SyncInput {
  dags: SerializedDag[];
  errors: ImportErrorInfo[];
  /** Every file that was processed (errors or not). */
  files: string[];
  /**
   * The files actually imported this time (the others' results were reused). DAGs of other
   * files that did not change keep their rows as they are. Default: every file.
   */
  parsed?: readonly string[];
  pausedAtCreation: boolean;
}

export interface SyncResult {
  added: string[];
  updated: string[];
  deactivated: string[];
}

export async function syncDags(db: Kysely<Schema>, input: SyncInput, now = new Date()): Promise<SyncResult> {
  const result: SyncResult = { added: [], updated: [], deactivated: [] };
  const ts = now.toISOString();
  await db.transaction().execute(async (trx) => {
    const existing = new Map((await trx.selectFrom('dag').select(['dag_id', 'is_active', 'timetable', 'fileloc', 'has_import_errors']).execute()).map((r) => [r.dag_id, r]));
    const hashes = new Map((await trx.selectFrom('serialized_dag').select(['dag_id', 'dag_hash']).execute()).map((r) => [r.dag_id, r.dag_hash]));
    const versioned = new Set((await trx.selectFrom('dag_version').select('dag_id').distinct().execute()).map((r) => r.dag_id));
    const errorFiles = new Set(input.errors.map((e) => e.file));
    const parsed = input.parsed ? new Set(input.parsed) : null;

    for (const d of input.dags) {
      const data = JSON.stringify(d);
      const hash = dagHash(data);
      const prev = existing.get(d.dagId);
      if (parsed && prev && prev.is_active && !parsed.has(d.fileloc) && hashes.get(d.dagId) === hash && Number(prev.has_import_errors) === Number(errorFiles.has(d.fileloc))) continue;
      const base = {
        is_active: toFlag(true),
        fileloc: d.fileloc,
        description: d.description,
        owners: toJson(d.owners),
        tags: toJson(d.tags),
        schedule_summary: describeSchedule(d.schedule),
        timetable: toJson(d.schedule),
        max_active_runs: d.maxActiveRuns,
        max_active_tasks: d.maxActiveTasks,
        has_import_errors: toFlag(errorFiles.has(d.fileloc)),
        last_parsed_at: ts,
      };
      if (!prev) {
        const paused = d.isPausedUponCreation ?? input.pausedAtCreation;
        await trx.insertInto('dag').values({ dag_id: d.dagId, is_paused: toFlag(paused), ...base, ...(await nextRunFields(trx, d, now)) }).execute();
        result.added.push(d.dagId);
      } else {
        const scheduleChanged = prev.timetable !== base.timetable || !prev.is_active;
        await trx
          .updateTable('dag')
          .set({ ...base, ...(scheduleChanged ? await nextRunFields(trx, d, now) : {}) })
          .where('dag_id', '=', d.dagId)
          .execute();
        if (hashes.get(d.dagId) !== hash) result.updated.push(d.dagId);
      }
      if (hashes.get(d.dagId) !== hash) {
        await trx
          .insertInto('serialized_dag')
          .values({ dag_id: d.dagId, data, dag_hash: hash, fileloc: d.fileloc, last_updated: ts })
          .onConflict((oc) => oc.column('dag_id').doUpdateSet({ data, dag_hash: hash, fileloc: d.fileloc, last_updated: ts }))
          .execute();
        await syncDatasetReferences(trx, d);
      }
      if (hashes.get(d.dagId) !== hash || !versioned.has(d.dagId)) await recordDagVersion(trx, { dagId: d.dagId, data, hash, fileloc: d.fileloc, at: ts });
    }

    await syncDagPools(trx, input.dags, ts);
    const seen = new Set(input.dags.map((d) => d.dagId));
    for (const [dagId, row] of existing) {
      if (seen.has(dagId) || !row.is_active) continue;
      // A DAG whose file failed to import stays active: its last good version keeps running.
      if (errorFiles.has(row.fileloc)) continue;
      await trx.updateTable('dag').set({ is_active: toFlag(false) }).where('dag_id', '=', dagId).execute();
      result.deactivated.push(dagId);
    }

    let stale = trx.deleteFrom('import_error');
    if (input.errors.length) stale = stale.where('filename', 'not in', input.errors.map((e) => e.file));
    await stale.execute();
    for (const e of input.errors) {
      await trx
        .insertInto('import_error')
        .values({ filename: e.file, stacktrace: `${e.message}\n\n${e.stack}`, timestamp: ts, line: e.line })
        .onConflict((oc) => oc.column('filename').doUpdateSet({ stacktrace: `${e.message}\n\n${e.stack}`, timestamp: ts, line: e.line }))
        .execute();
    }
  });
  return result;
}

async function syncDatasetReferences(trx: Kysely<Schema>, d: SerializedDag): Promise<void> {
  await trx.deleteFrom('dag_schedule_dataset_reference').where('dag_id', '=', d.dagId).execute();
  await trx.deleteFrom('task_outlet_dataset_reference').where('dag_id', '=', d.dagId).execute();
  const scheduleUris = d.schedule.kind === 'dataset' ? datasetUris(d.schedule.condition) : [];
  const outlets = d.tasks.flatMap((t) => t.outlets.map((uri) => ({ taskId: t.taskId, uri })));
  const ids = await ensureDatasets(trx, [...scheduleUris, ...outlets.map((o) => o.uri)]);
  if (scheduleUris.length) {
    await trx.insertInto('dag_schedule_dataset_reference').values(scheduleUris.map((u) => ({ dag_id: d.dagId, dataset_id: ids.get(u)! }))).execute();
  }
  const uniqueOutlets = [...new Map(outlets.map((o) => [`${o.taskId}\u0000${o.uri}`, o])).values()];
  if (uniqueOutlets.length) {
    await trx.insertInto('task_outlet_dataset_reference').values(uniqueOutlets.map((o) => ({ dag_id: d.dagId, task_id: o.taskId, dataset_id: ids.get(o.uri)! }))).execute();
  }
  await syncAliasReferences(trx, d);
}

/**
 * Registers the asset aliases the DAG names (schedule and outlets) and which it is scheduled on;
 * a reference that stays keeps its created_at.
 */
async function syncAliasReferences(trx: Kysely<Schema>, d: SerializedDag): Promise<void> {
  const scheduled = d.schedule.kind === 'dataset' ? aliasNames(d.schedule.condition) : [];
  const ids = await ensureAliases(trx, [...scheduled, ...d.tasks.flatMap((t) => t.outletAliases ?? [])]);
  const wanted = scheduled.map((name) => ids.get(name)!);
  let stale = trx.deleteFrom('dag_schedule_asset_alias_reference').where('dag_id', '=', d.dagId);
  if (wanted.length) stale = stale.where('alias_id', 'not in', wanted);
  await stale.execute();
  if (wanted.length) {
    const ts = nowIso();
    await trx.insertInto('dag_schedule_asset_alias_reference').values(wanted.map((aliasId) => ({ alias_id: aliasId, dag_id: d.dagId, created_at: ts, updated_at: ts })))
      .onConflict((oc) => oc.columns(['alias_id', 'dag_id']).doNothing()).execute();
  }
}


/**
 * Recursive clearing across DAGs, as Airflow's `include_subdags` / dependent-DAG clearing: among
 * the task instances a clear selects, each ExternalTaskMarker points at a task of another DAG at
 * a logical date (templates rendered with the marker's run). That task instance and its
 * downstream tasks in the same run are cleared too, and the markers found among them are followed
 * in turn, up to the recursion depth of the first marker met (each marker instance is followed
 * once, so a cycle of markers ends). Going deeper is an error naming the chain of markers.
 *
 * `walkRecursiveClear` is the walk itself, reading through a `ClearWalkSource`;
 * `databaseClearSource` reads the metadata database, and `clearAcrossDags` clears what the walk
 * found in one transaction.
 */
import type { Kysely } from 'kysely';
import { resolveParams } from '../core/params.ts';
import type { MarkerSpec, SerializedDag } from '../core/serialized-dag.ts';
import { buildTemplateContext, renderTemplate } from '../core/templating/index.ts';
import type { Schema } from '../store/index.ts';
import { clearTaskInstances, findTaskInstancesToClear, type ClearCandidate, type ClearFilter, type ClearResult } from './clear-tasks.ts';

/** The task instances of one DAG that a clear touches. */
export interface ClearGroup {
  dag: SerializedDag;
  tis: ClearCandidate[];
}

/** Where the external task instance of a marker instance is. */
export interface RenderedMarker {
  externalDagId: string;
  externalTaskId: string;
  logicalDate: Date;
}

export interface ClearWalkSource {
  /** The DAG's serialized form, or undefined when it is not known. */
  dag(dagId: string): Promise<SerializedDag | undefined>;
  /** The task instances a clear with this filter selects in the DAG. */
  find(dag: SerializedDag, filter: ClearFilter): Promise<ClearCandidate[]>;
  /** The marker's fields rendered for the given marker task instance. */
  render(dag: SerializedDag, marker: ClearCandidate, spec: MarkerSpec): Promise<RenderedMarker>;
}

/** A recursive clear that cannot be done; nothing was changed. */
export class RecursiveClearError extends Error {
  override readonly name = 'RecursiveClearError';
}

const tiKey = (t: ClearCandidate) => `${t.dagId}\u0000${t.runId}\u0000${t.taskId}\u0000${t.mapIndex}`;

/**
 * Follows the ExternalTaskMarkers among `initial` (task instances of `dag` a clear selected) and
 * returns every DAG's task instances to clear, `dag` first. `onlyFailed` applies to the external
 * task instances too, as in Airflow.
 */
export async function walkRecursiveClear(src: ClearWalkSource, dag: SerializedDag, initial: ClearCandidate[], o: { onlyFailed?: boolean } = {}): Promise<ClearGroup[]> {
  const groups = new Map<string, { dag: SerializedDag; tis: Map<string, ClearCandidate> }>();
  const add = (d: SerializedDag, tis: ClearCandidate[]) => {
    let g = groups.get(d.dagId);
    if (!g) groups.set(d.dagId, (g = { dag: d, tis: new Map() }));
    const fresh: ClearCandidate[] = [];
    for (const t of tis) {
      if (!g.tis.has(tiKey(t))) {
        g.tis.set(tiKey(t), t);
        fresh.push(t);
      }
    }
    return fresh;
  };
  const visited = new Set<string>();
  let maxDepth: number | undefined;

  const follow = async (d: SerializedDag, tis: ClearCandidate[], depth: number, chain: string[]): Promise<void> => {
    const specs = new Map(d.tasks.filter((t) => t.externalTaskMarker).map((t) => [t.taskId, t.externalTaskMarker!]));
    if (specs.size === 0) return;
    for (const ti of tis) {
      const spec = specs.get(ti.taskId);
      if (!spec || visited.has(tiKey(ti))) continue;
      visited.add(tiKey(ti));
      maxDepth ??= spec.recursionDepth;
      const at = [...chain, `${d.dagId}.${ti.taskId} (run ${ti.runId})`];
      if (depth + 1 > maxDepth) {
        throw new RecursiveClearError(`Clearing across DAGs would go deeper than the recursion depth of ${maxDepth} set on the first ExternalTaskMarker: ${at.join(' → ')}. Raise recursionDepth there, or look for a cycle of markers.`);
      }
      let target: RenderedMarker;
      try {
        target = await src.render(d, ti, spec);
      } catch (e) {
        throw new RecursiveClearError(`ExternalTaskMarker ${d.dagId}.${ti.taskId} (run ${ti.runId}) could not be rendered: ${(e as Error).message}`);
      }
      if (!Number.isFinite(target.logicalDate.getTime())) {
        throw new RecursiveClearError(`ExternalTaskMarker ${d.dagId}.${ti.taskId} (run ${ti.runId}): its logical date is not a date`);
      }
      const ext = await src.dag(target.externalDagId);
      if (!ext) throw new RecursiveClearError(`ExternalTaskMarker ${d.dagId}.${ti.taskId} points at DAG '${target.externalDagId}', which is not known.`);
      if (!ext.tasks.some((t) => t.taskId === target.externalTaskId)) {
        throw new RecursiveClearError(`ExternalTaskMarker ${d.dagId}.${ti.taskId} points at task '${target.externalTaskId}', which DAG '${ext.dagId}' does not have.`);
      }
      const found = await src.find(ext, {
        taskRegex: new RegExp(`^${target.externalTaskId.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}$`), downstream: true,
        start: target.logicalDate, end: target.logicalDate, onlyFailed: o.onlyFailed,
      });
      const fresh = add(ext, found);
      await follow(ext, fresh, depth + 1, at);
    }
  };

  add(dag, initial);
  await follow(dag, initial, 0, []);
  return [...groups.values()].map((g) => ({ dag: g.dag, tis: [...g.tis.values()] }));
}

/** A walk source on the metadata database; `getDag` reads serialized DAGs (e.g. a cache). */
export function databaseClearSource(db: Kysely<Schema>, getDag: (dagId: string) => Promise<SerializedDag | undefined>): ClearWalkSource {
  return {
    dag: getDag,
    find: (d, f) => findTaskInstancesToClear(db, d, f),
    async render(d, ti, spec) {
      const run = await db.selectFrom('dag_run').selectAll().where('dag_id', '=', ti.dagId).where('run_id', '=', ti.runId).executeTakeFirstOrThrow();
      const conf = run.conf ? (JSON.parse(run.conf) as Record<string, unknown>) : {};
      const resolved = resolveParams(d.params, conf);
      const ctx = buildTemplateContext({
        logicalDate: new Date(run.logical_date), dataIntervalStart: run.data_interval_start ? new Date(run.data_interval_start) : null,
        dataIntervalEnd: run.data_interval_end ? new Date(run.data_interval_end) : null, runId: run.run_id, runType: run.run_type,
        dagId: d.dagId, taskId: ti.taskId, mapIndex: ti.mapIndex, tryNumber: ti.tryNumber,
        params: resolved.ok ? resolved.params : {}, conf,
        // Clearing renders with the run's dates, params and conf only.
        xcomPull: () => undefined, getVariable: () => undefined, getConnection: () => undefined,
      });
      const r = (name: keyof MarkerSpec) => renderTemplate(String(spec[name]), ctx, { name }).trim();
      return { externalDagId: r('externalDagId'), externalTaskId: r('externalTaskId'), logicalDate: new Date(r('logicalDate')) };
    },
  };
}

/** The task instances a clear selects, with those of other DAGs reached through markers when `recursive`. */
export async function findTaskInstancesToClearAcrossDags(db: Kysely<Schema>, getDag: (dagId: string) => Promise<SerializedDag | undefined>, dag: SerializedDag, filter: ClearFilter, o: { recursive: boolean; keep?: (t: ClearCandidate) => boolean }): Promise<ClearGroup[]> {
  let initial = await findTaskInstancesToClear(db, dag, filter);
  if (o.keep) initial = initial.filter(o.keep);
  if (!o.recursive) return [{ dag, tis: initial }];
  return walkRecursiveClear(databaseClearSource(db, getDag), dag, initial, { onlyFailed: filter.onlyFailed });
}

/** Clears every group's task instances in one transaction; the results are merged. */
export async function clearAcrossDags(db: Kysely<Schema>, groups: ClearGroup[], o: { xcomFolder: string }): Promise<ClearResult> {
  const out: ClearResult = { cleared: [], active: [], requeuedRuns: [] };
  await db.transaction().execute(async (trx) => {
    for (const g of groups) {
      if (g.tis.length === 0) continue;
      const r = await clearTaskInstances(trx, g.dag, g.tis, o);
      out.cleared.push(...r.cleared);
      out.active.push(...r.active);
      out.requeuedRuns.push(...r.requeuedRuns);
    }
  });
  return out;
}

/** Every task instance of the groups, in order. */
export function allCandidates(groups: ClearGroup[]): ClearCandidate[] {
  return groups.flatMap((g) => g.tis);
}

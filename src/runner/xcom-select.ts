/**
 * Airflow's `xcom_pull` semantics over a list of stored XCom rows: one task id gives one value
 * (or, for a mapped task, the list of its copies' values in map-index order); a list of task
 * ids gives a list of values in the order asked.
 */
import type { XComPullOptions } from '../sdk/context.ts';

export interface XComRow {
  taskId: string;
  mapIndex: number;
  key: string;
  value: unknown;
}

export interface XComSelectContext {
  /** Is this task mapped (so a pull without map indexes returns every copy)? */
  isMapped(taskId: string): boolean;
}

export function selectXCom(rows: XComRow[], opts: XComPullOptions, ctx: XComSelectContext): unknown {
  const key = opts.key ?? 'return_value';
  const fallback = opts.default ?? null;
  const wantIdx = opts.mapIndexes === undefined ? null : Array.isArray(opts.mapIndexes) ? opts.mapIndexes : [opts.mapIndexes];
  const matching = rows.filter((r) => r.key === key && (wantIdx === null || wantIdx.includes(r.mapIndex)));
  const ofTask = (taskId: string) => matching.filter((r) => r.taskId === taskId).sort((a, b) => a.mapIndex - b.mapIndex);

  if (opts.taskIds === undefined) {
    const last = matching[matching.length - 1];
    return last ? last.value : fallback;
  }
  if (typeof opts.taskIds === 'string') {
    const found = ofTask(opts.taskIds);
    const single = wantIdx !== null ? !Array.isArray(opts.mapIndexes) : !ctx.isMapped(opts.taskIds);
    if (single) return found.length ? found[0]!.value : fallback;
    return found.map((r) => r.value);
  }
  const out: unknown[] = [];
  for (const id of opts.taskIds) for (const r of ofTask(id)) out.push(r.value);
  return out;
}

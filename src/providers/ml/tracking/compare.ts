/**
 * Tracked tries side by side: one row per try, one column per param (`param.<name>`) and per
 * final metric (`metric.<name>`), for comparing runs (`baton ml runs`).
 */
import type { TrackedTry } from './store.ts';

export interface ComparisonOptions {
  /** Only these metrics, in this order, and only tries that logged at least one. Default: every metric. */
  metrics?: readonly string[];
  /** Decimals metric values are rounded to (display only). Default: no rounding. */
  decimals?: number;
}

export interface Comparison {
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

/** Keeps the tries that logged at least one of `metrics` (all tries when no metric is named). */
export function triesWithMetrics(tries: readonly TrackedTry[], metrics: readonly string[] | undefined): TrackedTry[] {
  if (!metrics || metrics.length === 0) return [...tries];
  return tries.filter((t) => metrics.some((m) => m in t.metrics));
}

/** The comparison table of `tries`. The `map_index` column appears only when a try is mapped. */
export function compareTries(tries: readonly TrackedTry[], o: ComparisonOptions = {}): Comparison {
  const kept = triesWithMetrics(tries, o.metrics);
  const paramNames = [...new Set(kept.flatMap((t) => Object.keys(t.params)))].sort();
  const metricNames = o.metrics && o.metrics.length > 0 ? [...o.metrics] : [...new Set(kept.flatMap((t) => Object.keys(t.metrics)))].sort();
  const mapped = kept.some((t) => t.mapIndex >= 0);
  const columns = ['run_id', 'task_id', ...(mapped ? ['map_index'] : []), 'try', ...paramNames.map((p) => `param.${p}`), ...metricNames.map((m) => `metric.${m}`)];
  const round = (v: number) => (o.decimals === undefined ? v : Number(v.toFixed(o.decimals)));
  const rows = kept.map((t) => {
    const row: Record<string, unknown> = { run_id: t.runId, task_id: t.taskId, try: t.tryNumber };
    if (mapped) row.map_index = t.mapIndex;
    for (const p of paramNames) if (p in t.params) row[`param.${p}`] = paramCell(t.params[p]);
    for (const m of metricNames) if (m in t.metrics) row[`metric.${m}`] = round(t.metrics[m]!);
    return row;
  });
  return { columns, rows };
}

function paramCell(v: unknown): unknown {
  return v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
}

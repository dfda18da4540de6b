/**
 * Where tracked params, metrics and artifact records are kept. `DbTrackingStore` keeps them in
 * the metadata database, `MemoryTrackingStore` in memory (`dags test`); another backend plugs
 * in by implementing `TrackingStore`.
 */
import type { BodyEncoding } from './body.ts';
import type { JsonValue, TryRef } from './types.ts';

/** An artifact a try logged; its bytes are in the artifact object store under `key`. */
export interface TrackedArtifact {
  name: string;
  key: string;
  encoding: BodyEncoding;
  contentType: string;
  sizeBytes: number;
  loggedAt: string;
}

/** One logged metric value. */
export interface MetricPoint {
  key: string;
  value: number;
  step: number;
  timestamp: string;
}

/** A metric value with the try that logged it. */
export interface MetricHistoryPoint extends MetricPoint {
  mapIndex: number;
  tryNumber: number;
}

/** Everything one try tracked. */
export interface TrackedTry extends TryRef {
  params: Record<string, JsonValue>;
  /** Each metric's final value: the one at the highest step (the last logged among equal steps). */
  metrics: Record<string, number>;
  artifacts: TrackedArtifact[];
  /** When the try first logged something (tries are listed in this order). */
  firstLoggedAt: string;
}

export interface TriesQuery {
  dagId: string;
  /** Only this run. Default: every run of the DAG. */
  runId?: string;
}

export interface MetricHistoryQuery {
  dagId: string;
  runId: string;
  taskId: string;
  /** Default: every map index. */
  mapIndex?: number;
  /** Default: every try. */
  tryNumber?: number;
  /** Default: every metric. */
  key?: string;
}

export interface TrackingStore {
  /** Records params (already checked); a key logged again by the same try is replaced. */
  logParams(ti: TryRef, params: Record<string, JsonValue>, loggedAt: string): Promise<void>;
  /** Records one value per metric at `step`. */
  logMetrics(ti: TryRef, metrics: Record<string, number>, step: number, timestamp: string): Promise<void>;
  /** Records an artifact already written to the object store; a name logged again is replaced. */
  logArtifact(ti: TryRef, artifact: TrackedArtifact): Promise<void>;
  /** Tries that tracked anything, in the order they first logged. */
  listTries(query: TriesQuery): Promise<TrackedTry[]>;
  /** Metric values in order of try, metric, step and logging. */
  metricHistory(query: MetricHistoryQuery): Promise<MetricHistoryPoint[]>;
}

/** Rows of one try, as both stores gather them before assembling `TrackedTry`s. */
export interface TryRows {
  params: Array<TryRef & { key: string; value: JsonValue; at: string }>;
  /** Final metric values, with the time the try first logged that metric. */
  metrics: Array<TryRef & { key: string; value: number; firstAt: string }>;
  artifacts: Array<TryRef & TrackedArtifact>;
}

/** Groups rows by try and orders the tries by when they first logged. */
export function assembleTries(rows: TryRows): TrackedTry[] {
  const tries = new Map<string, TrackedTry>();
  const get = (r: TryRef, at: string): TrackedTry => {
    const id = [r.dagId, r.runId, r.taskId, r.mapIndex, r.tryNumber].join('\u0000');
    let t = tries.get(id);
    if (!t) {
      t = { dagId: r.dagId, runId: r.runId, taskId: r.taskId, mapIndex: r.mapIndex, tryNumber: r.tryNumber, params: {}, metrics: {}, artifacts: [], firstLoggedAt: at };
      tries.set(id, t);
    } else if (at < t.firstLoggedAt) t.firstLoggedAt = at;
    return t;
  };
  for (const p of rows.params) get(p, p.at).params[p.key] = p.value;
  for (const m of rows.metrics) get(m, m.firstAt).metrics[m.key] = m.value;
  for (const a of rows.artifacts) {
    const { dagId: _d, runId: _r, taskId: _t, mapIndex: _m, tryNumber: _n, ...artifact } = a;
    get(a, a.loggedAt).artifacts.push(artifact);
  }
  for (const t of tries.values()) {
    t.params = sortKeys(t.params);
    t.metrics = sortKeys(t.metrics);
    t.artifacts.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  }
  return [...tries.values()].sort(
    (a, b) => cmp(a.firstLoggedAt, b.firstLoggedAt) || cmp(a.runId, b.runId) || cmp(a.taskId, b.taskId) || a.mapIndex - b.mapIndex || a.tryNumber - b.tryNumber,
  );
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => cmp(a, b)));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

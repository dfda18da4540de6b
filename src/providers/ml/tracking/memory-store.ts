/** Tracking kept in memory, for `dags test` (no database) and tests. */
import { assembleTries, type MetricHistoryPoint, type MetricHistoryQuery, type TrackedArtifact, type TrackedTry, type TrackingStore, type TriesQuery } from './store.ts';
import type { JsonValue, TryRef } from './types.ts';

type Row<T> = TryRef & T;

function sameTry(a: TryRef, b: TryRef): boolean {
  return a.dagId === b.dagId && a.runId === b.runId && a.taskId === b.taskId && a.mapIndex === b.mapIndex && a.tryNumber === b.tryNumber;
}

function tryOf(r: TryRef): TryRef {
  return { dagId: r.dagId, runId: r.runId, taskId: r.taskId, mapIndex: r.mapIndex, tryNumber: r.tryNumber };
}

export class MemoryTrackingStore implements TrackingStore {
  private readonly params: Array<Row<{ key: string; value: JsonValue; at: string }>> = [];
  private readonly metrics: Array<Row<{ id: number; key: string; value: number; step: number; timestamp: string }>> = [];
  private readonly artifacts: Array<Row<TrackedArtifact>> = [];
  private nextId = 1;

  async logParams(ti: TryRef, params: Record<string, JsonValue>, loggedAt: string): Promise<void> {
    for (const [key, value] of Object.entries(params)) {
      const i = this.params.findIndex((p) => sameTry(p, ti) && p.key === key);
      const row = { ...tryOf(ti), key, value: structuredClone(value), at: loggedAt };
      if (i >= 0) this.params[i] = row;
      else this.params.push(row);
    }
  }

  async logMetrics(ti: TryRef, metrics: Record<string, number>, step: number, timestamp: string): Promise<void> {
    for (const [key, value] of Object.entries(metrics)) this.metrics.push({ ...tryOf(ti), id: this.nextId++, key, value, step, timestamp });
  }

  async logArtifact(ti: TryRef, artifact: TrackedArtifact): Promise<void> {
    const i = this.artifacts.findIndex((a) => sameTry(a, ti) && a.name === artifact.name);
    const row = { ...tryOf(ti), ...artifact };
    if (i >= 0) this.artifacts[i] = row;
    else this.artifacts.push(row);
  }

  async listTries(q: TriesQuery): Promise<TrackedTry[]> {
    const wanted = (r: TryRef) => r.dagId === q.dagId && (q.runId === undefined || r.runId === q.runId);
    const finals = new Map<string, Row<{ key: string; value: number; firstAt: string; step: number; id: number }>>();
    for (const m of this.metrics.filter(wanted)) {
      const id = [m.dagId, m.runId, m.taskId, m.mapIndex, m.tryNumber, m.key].join('\u0000');
      const seen = finals.get(id);
      const firstAt = seen && seen.firstAt < m.timestamp ? seen.firstAt : m.timestamp;
      if (!seen || m.step > seen.step || (m.step === seen.step && m.id > seen.id)) finals.set(id, { ...m, firstAt });
      else seen.firstAt = firstAt;
    }
    return assembleTries({
      params: this.params.filter(wanted).map((p) => ({ ...p, value: structuredClone(p.value) })),
      metrics: [...finals.values()].map((m) => ({ ...tryOf(m), key: m.key, value: m.value, firstAt: m.firstAt })),
      artifacts: this.artifacts.filter(wanted).map((a) => ({ ...a })),
    });
  }

  async metricHistory(q: MetricHistoryQuery): Promise<MetricHistoryPoint[]> {
    return this.metrics
      .filter((m) => m.dagId === q.dagId && m.runId === q.runId && m.taskId === q.taskId)
      .filter((m) => (q.mapIndex === undefined || m.mapIndex === q.mapIndex) && (q.tryNumber === undefined || m.tryNumber === q.tryNumber) && (q.key === undefined || m.key === q.key))
      .sort((a, b) => a.mapIndex - b.mapIndex || a.tryNumber - b.tryNumber || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) || a.step - b.step || a.id - b.id)
      .map((m) => ({ mapIndex: m.mapIndex, tryNumber: m.tryNumber, key: m.key, value: m.value, step: m.step, timestamp: m.timestamp }));
  }
}

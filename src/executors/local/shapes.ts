/**
 * Shape checks for values that cross the boundary between the local executor and its worker
 * processes. Workers run user code, which can write anything to the IPC channel, so every
 * message is checked on receipt; these checks are structural, not a full schema.
 */
import { DagRunType } from '../../core/states.ts';
import type { TaskWorkload, TiKey } from '../executor.ts';
import type { TryResult } from '../../runner/try-result.ts';

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function isStringOrNull(v: unknown): v is string | null {
  return v === null || typeof v === 'string';
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

export function isTiKey(v: unknown): v is TiKey {
  return isRecord(v) && typeof v.dagId === 'string' && typeof v.runId === 'string' && typeof v.taskId === 'string' && isInt(v.mapIndex);
}

const RUN_TYPES = new Set<string>(Object.values(DagRunType));

/** Is `v` a `TaskWorkload` (every field present with the right type)? */
export function isTaskWorkload(v: unknown): v is TaskWorkload {
  if (!isRecord(v) || !isTiKey(v.key) || !isInt(v.tryNumber) || !isInt(v.maxTries)) return false;
  if (typeof v.dagFile !== 'string' || typeof v.logPath !== 'string' || typeof v.queue !== 'string') return false;
  if (!isRecord(v.params) || !(v.executionTimeout === null || (typeof v.executionTimeout === 'number' && v.executionTimeout >= 0))) return false;
  if (!isStringOrNull(v.nextMethod) || !isStringOrNull(v.firstTryStartedAt) || v.triggerEvent === undefined) return false;
  const r = v.run;
  return (
    isRecord(r) &&
    typeof r.runId === 'string' &&
    typeof r.runType === 'string' &&
    RUN_TYPES.has(r.runType) &&
    typeof r.logicalDate === 'string' &&
    typeof r.dataIntervalStart === 'string' &&
    typeof r.dataIntervalEnd === 'string' &&
    isRecord(r.conf) &&
    typeof r.externalTrigger === 'boolean'
  );
}

const TRY_STATES = new Set<string>(['success', 'skipped', 'failed', 'up_for_retry', 'up_for_reschedule', 'deferred']);

/** Is `v` a `TryResult` as `runTry` produces it? */
export function isTryResult(v: unknown): v is TryResult {
  if (!isRecord(v) || typeof v.state !== 'string' || !TRY_STATES.has(v.state)) return false;
  if (!isStringOrNull(v.error) || !isStringOrNull(v.rescheduleAt) || typeof v.startedAt !== 'string' || typeof v.endedAt !== 'string') return false;
  if (!Array.isArray(v.xcoms) || !v.xcoms.every((x) => isRecord(x) && typeof x.key === 'string' && typeof x.value === 'string')) return false;
  if (!isStringArray(v.skip) || !isStringArray(v.datasetEvents) || !Array.isArray(v.triggerRequests)) return false;
  if (!Array.isArray(v.mapLengths) || !v.mapLengths.every((m) => isRecord(m) && typeof m.key === 'string' && isInt(m.length))) return false;
  if (!(v.renderedFields === null || isRecord(v.renderedFields))) return false;
  const d = v.defer;
  return d === null || (isRecord(d) && typeof d.trigger === 'string' && isRecord(d.kwargs) && typeof d.method === 'string' && (d.timeout === null || typeof d.timeout === 'number'));
}

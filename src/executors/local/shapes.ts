/**
 * Shape checks for values that cross the boundary between the local executor and its worker
 * processes. Workers run user code, which can write anything to the IPC channel, so every
 * message is checked on receipt; these checks are structural, not a full schema.
 */
import { DagRunType } from '../../core/states.ts';
import type { TaskWorkload, TiKey } from '../executor.ts';
import type { TryResult } from '../../runner/try-result.ts';

/** Is `v` a plain object (not null, not an array)? */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Is `v` an integer number? */
export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function isStringOrNull(v: unknown): v is string | null {
  return v === null || typeof v === 'string';
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** Is `v` a task instance key? */
export function isTiKey(v: unknown): v is TiKey {
  return isRecord(v) && typeof v.dagId === 'string' && typeof v.runId === 'string' && typeof v.taskId === 'string' && isInt(v.mapIndex);
}

const RUN_TYPES = new Set<string>(Object.values(DagRunType));

/** What is wrong with `v` as a `TaskWorkload` (the first problem found), or null when nothing is. */
export function workloadProblem(v: unknown): string | null {
  if (!isRecord(v)) return 'it is not an object';
  if (!isTiKey(v.key)) return 'key must be { dagId, runId, taskId: string; mapIndex: integer }';
  if (!isInt(v.tryNumber) || v.tryNumber < 1) return 'tryNumber must be an integer of at least 1';
  if (!isInt(v.maxTries) || v.maxTries < 0) return 'maxTries must be a non-negative integer';
  for (const f of ['dagFile', 'logPath', 'queue'] as const) if (typeof v[f] !== 'string' || v[f] === '') return `${f} must be a non-empty string`;
  if (!isRecord(v.params)) return 'params must be an object';
  if (!(v.executionTimeout === null || (typeof v.executionTimeout === 'number' && v.executionTimeout >= 0))) return 'executionTimeout must be null or a non-negative number of seconds';
  if (!isStringOrNull(v.nextMethod)) return 'nextMethod must be a string or null';
  if (!isStringOrNull(v.firstTryStartedAt)) return 'firstTryStartedAt must be an ISO date string or null';
  if (v.triggerEvent === undefined) return 'triggerEvent must be present (null when there is none)';
  const r = v.run;
  if (!isRecord(r)) return 'run must be an object';
  if (typeof r.runId !== 'string') return 'run.runId must be a string';
  if (typeof r.runType !== 'string' || !RUN_TYPES.has(r.runType)) return `run.runType must be one of ${[...RUN_TYPES].join(', ')}`;
  for (const f of ['logicalDate', 'dataIntervalStart', 'dataIntervalEnd'] as const) if (typeof r[f] !== 'string' || Number.isNaN(Date.parse(r[f]))) return `run.${f} must be an ISO date string`;
  if (!isRecord(r.conf)) return 'run.conf must be an object';
  if (typeof r.externalTrigger !== 'boolean') return 'run.externalTrigger must be a boolean';
  return null;
}

/** Is `v` a `TaskWorkload` (every field present with the right type)? */
export function isTaskWorkload(v: unknown): v is TaskWorkload {
  return workloadProblem(v) === null;
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
  if (v.aliasEvents !== undefined && !(Array.isArray(v.aliasEvents) && v.aliasEvents.every((e) => isRecord(e) && typeof e.uri === 'string' && isRecord(e.extra) && isStringArray(e.aliases)))) return false;
  const d = v.defer;
  return d === null || (isRecord(d) && typeof d.trigger === 'string' && isRecord(d.kwargs) && typeof d.method === 'string' && (d.timeout === null || typeof d.timeout === 'number'));
}

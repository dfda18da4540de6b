/**
 * The ML calls a task try makes through its task services, as plain JSON: in a worker they
 * travel over IPC to the executor, in `dags test` they are answered in process. The try they
 * belong to is not part of the request: whoever answers knows which try asks.
 */
import { isWireBody, type WireBody } from './body.ts';
import type { ModelSelector, ModelStage, TryRef } from './types.ts';

export type MlRequest =
  | { op: 'logParams'; params: Record<string, unknown> }
  | { op: 'logMetrics'; metrics: Record<string, unknown>; step: number; timestamp: string }
  | { op: 'logArtifact'; name: string; body: WireBody; contentType: string | null }
  | { op: 'registerModel'; name: string; artifact: WireBody; metrics: Record<string, unknown>; params: Record<string, unknown>; description: string | null }
  | { op: 'getModel'; name: string; selector: ModelSelector }
  | { op: 'promote'; name: string; version: number; stage: ModelStage }
  | { op: 'rollback'; name: string };

/** Answers an ML request of the try `ti`; the value is plain JSON (see `MlReplies`). */
export type MlHandler = (ti: TryRef, request: MlRequest) => Promise<unknown>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The value as an `MlRequest`, or null when its structure is wrong. Field values are checked
 * further by the handler (names, finite numbers…), which reports what is wrong.
 */
export function parseMlRequest(v: unknown): MlRequest | null {
  if (!isObject(v)) return null;
  switch (v.op) {
    case 'logParams':
      return isObject(v.params) ? { op: 'logParams', params: v.params } : null;
    case 'logMetrics':
      return isObject(v.metrics) && typeof v.step === 'number' && typeof v.timestamp === 'string' ? { op: 'logMetrics', metrics: v.metrics, step: v.step, timestamp: v.timestamp } : null;
    case 'logArtifact':
      return typeof v.name === 'string' && isWireBody(v.body) && (v.contentType === null || typeof v.contentType === 'string')
        ? { op: 'logArtifact', name: v.name, body: v.body, contentType: v.contentType }
        : null;
    case 'registerModel':
      return typeof v.name === 'string' && isWireBody(v.artifact) && isObject(v.metrics) && isObject(v.params) && (v.description === null || typeof v.description === 'string')
        ? { op: 'registerModel', name: v.name, artifact: v.artifact, metrics: v.metrics, params: v.params, description: v.description }
        : null;
    case 'getModel':
      return typeof v.name === 'string' && (typeof v.selector === 'string' || typeof v.selector === 'number') ? { op: 'getModel', name: v.name, selector: v.selector as ModelSelector } : null;
    case 'promote':
      return typeof v.name === 'string' && typeof v.version === 'number' && typeof v.stage === 'string' ? { op: 'promote', name: v.name, version: v.version, stage: v.stage as ModelStage } : null;
    case 'rollback':
      return typeof v.name === 'string' ? { op: 'rollback', name: v.name } : null;
    default:
      return null;
  }
}

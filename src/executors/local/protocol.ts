/**
 * Messages between the local executor and its worker processes (the IPC channel of
 * `child_process.fork`). Each dispatched try carries a sequence number (`seq`) unique within
 * its worker; messages about a try name it, so a late message about an earlier try is
 * recognised and dropped. Every message is checked on receipt.
 */
import type { TaskWorkload } from '../executor.ts';
import { parseMlRequest, type MlRequest } from '../../providers/ml/tracking/requests.ts';
import type { TryResult } from '../../runner/try-result.ts';
import { isInt, isRecord, isTaskWorkload, isTryResult } from './shapes.ts';

/** A question a running try asks of the metadata database, answered by the executor's `WorkerServices`. */
export type ServiceCall =
  | { method: 'pullXComs'; taskIds: string[]; key: string | null }
  | { method: 'getVariable'; key: string }
  | { method: 'listVariables' }
  | { method: 'getConnection'; connId: string }
  | { method: 'listConnections' }
  | { method: 'getExternalState'; dagId: string; taskId: string | null; logicalDate: string }
  /** A `ctx.ml` call (tracking or the model registry); the try it belongs to is the one that asks. */
  | { method: 'ml'; request: MlRequest };

/** Executor → worker: run this try. The worker answers with `started`, then `finished`. */
export interface RunMessage {
  kind: 'run';
  seq: number;
  workload: TaskWorkload;
}

/** Executor → worker: the answer to the service request `id`. */
export type ReplyMessage = { kind: 'reply'; id: number; ok: true; value: unknown } | { kind: 'reply'; id: number; ok: false; error: string };

export type ToWorker = RunMessage | ReplyMessage;

/** Worker → executor: sent once, when the worker is ready to run tries. */
export interface ReadyMessage {
  kind: 'ready';
  pid: number;
}

/** Worker → executor: the try `seq` began. */
export interface StartedMessage {
  kind: 'started';
  seq: number;
  hostname: string;
  pid: number;
  at: string;
}

/** Worker → executor: the try `seq` ended with this result (any outcome). */
export interface FinishedMessage {
  kind: 'finished';
  seq: number;
  result: TryResult;
}

/** Worker → executor: the try `seq` asks a question; the answer comes as a `reply` with the same `id`. */
export interface ServiceRequest {
  kind: 'service';
  seq: number;
  id: number;
  call: ServiceCall;
}

export type FromWorker = ReadyMessage | StartedMessage | FinishedMessage | ServiceRequest;

/** The message as a `ToWorker`, or null when it is not one. */
export function asToWorker(raw: unknown): ToWorker | null {
  if (!isRecord(raw)) return null;
  if (raw.kind === 'run' && isInt(raw.seq) && isTaskWorkload(raw.workload)) return raw as unknown as RunMessage;
  if (raw.kind === 'reply' && isInt(raw.id)) {
    if (raw.ok === true) return { kind: 'reply', id: raw.id, ok: true, value: raw.value };
    if (raw.ok === false && typeof raw.error === 'string') return { kind: 'reply', id: raw.id, ok: false, error: raw.error };
  }
  return null;
}

/** The message as a `FromWorker`, or null when it is not one. */
export function asFromWorker(raw: unknown): FromWorker | null {
  if (!isRecord(raw)) return null;
  switch (raw.kind) {
    case 'ready':
      return isInt(raw.pid) ? { kind: 'ready', pid: raw.pid } : null;
    case 'started':
      return isInt(raw.seq) && typeof raw.hostname === 'string' && isInt(raw.pid) && typeof raw.at === 'string'
        ? { kind: 'started', seq: raw.seq, hostname: raw.hostname, pid: raw.pid, at: raw.at }
        : null;
    case 'finished':
      return isInt(raw.seq) && isTryResult(raw.result) ? { kind: 'finished', seq: raw.seq, result: raw.result } : null;
    case 'service': {
      const call = asServiceCall(raw.call);
      return isInt(raw.seq) && isInt(raw.id) && call ? { kind: 'service', seq: raw.seq, id: raw.id, call } : null;
    }
    default:
      return null;
  }
}

function asServiceCall(v: unknown): ServiceCall | null {
  if (!isRecord(v)) return null;
  switch (v.method) {
    case 'pullXComs':
      return Array.isArray(v.taskIds) && v.taskIds.every((t) => typeof t === 'string') && (v.key === null || typeof v.key === 'string')
        ? { method: 'pullXComs', taskIds: v.taskIds as string[], key: v.key }
        : null;
    case 'getVariable':
      return typeof v.key === 'string' ? { method: 'getVariable', key: v.key } : null;
    case 'listVariables':
      return { method: 'listVariables' };
    case 'getConnection':
      return typeof v.connId === 'string' ? { method: 'getConnection', connId: v.connId } : null;
    case 'listConnections':
      return { method: 'listConnections' };
    case 'getExternalState':
      return typeof v.dagId === 'string' && (v.taskId === null || typeof v.taskId === 'string') && typeof v.logicalDate === 'string'
        ? { method: 'getExternalState', dagId: v.dagId, taskId: v.taskId, logicalDate: v.logicalDate }
        : null;
    case 'ml': {
      const request = parseMlRequest(v.request);
      return request ? { method: 'ml', request } : null;
    }
    default:
      return null;
  }
}

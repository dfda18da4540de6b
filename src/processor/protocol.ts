/**
 * Messages between the DAG processor and its parsing child processes (over the IPC channel
 * of `child_process.fork`). Every message is checked on receipt: the child runs user code,
 * which could send anything on the same channel.
 */
import type { ImportErrorInfo } from './import-error.ts';
import type { ParseResult } from './parse-file.ts';

/** Processor → child: parse this file and answer with a `result` carrying the same id. */
export interface ParseRequest {
  type: 'parse';
  id: number;
  file: string;
}

export type ToChild = ParseRequest;

/** Child → processor: sent once the loaders are registered and the child takes requests. */
export interface ReadyMessage {
  type: 'ready';
  pid: number;
}

/** Child → processor: the outcome of the request `id`. */
export interface ResultMessage {
  type: 'result';
  id: number;
  result: ParseResult;
}

export type FromChild = ReadyMessage | ResultMessage;

/** The message as a `ToChild`, or null when it is not one. */
export function asToChild(raw: unknown): ToChild | null {
  if (!isRecord(raw)) return null;
  if (raw.type === 'parse' && isInt(raw.id) && typeof raw.file === 'string' && raw.file !== '') return { type: 'parse', id: raw.id, file: raw.file };
  return null;
}

/** The message as a `FromChild`, or null when it is not one. */
export function asFromChild(raw: unknown): FromChild | null {
  if (!isRecord(raw)) return null;
  if (raw.type === 'ready' && isInt(raw.pid)) return { type: 'ready', pid: raw.pid };
  if (raw.type === 'result' && isInt(raw.id) && isParseResult(raw.result)) return { type: 'result', id: raw.id, result: raw.result };
  return null;
}

function isParseResult(v: unknown): v is ParseResult {
  return (
    isRecord(v) &&
    typeof v.file === 'string' &&
    typeof v.durationMs === 'number' &&
    Array.isArray(v.dags) &&
    v.dags.every((d) => isRecord(d) && typeof d.dagId === 'string' && Array.isArray(d.tasks)) &&
    Array.isArray(v.errors) &&
    v.errors.every(isImportError)
  );
}

function isImportError(v: unknown): v is ImportErrorInfo {
  return isRecord(v) && typeof v.file === 'string' && (v.line === null || isInt(v.line)) && typeof v.message === 'string' && typeof v.stack === 'string';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/**
 * Worker side of the service requests: a try's `TaskServices` whose calls travel over IPC to
 * the executor, which answers them from its `WorkerServices`. Requests carry ids; a reply to
 * an id that is not waiting (already answered, or never asked) is ignored.
 */
import type { ConnectionView } from '../../sdk/context.ts';
import type { TaskServices } from '../../runner/task-services.ts';
import type { XComRow } from '../../runner/xcom-select.ts';
import type { FromWorker, ReplyMessage, ServiceCall } from './protocol.ts';
import { isInt, isRecord } from './shapes.ts';

/** Task services of one try, plus the external-state query sensors may use. */
export interface WorkerTaskServices extends TaskServices {
  getExternalState(query: { dagId: string; taskId: string | null; logicalDate: string }): Promise<string | null>;
}

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** Sends service requests for the tries of one worker and settles them as replies come in. */
export class ServiceClient {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();

  constructor(private readonly send: (message: FromWorker) => void) {}

  /** Settles the request the reply answers; ignores replies nobody waits for. */
  onReply(reply: ReplyMessage): void {
    const w = this.waiting.get(reply.id);
    if (!w) return;
    this.waiting.delete(reply.id);
    if (reply.ok) w.resolve(reply.value);
    else w.reject(new Error(reply.error));
  }

  /** The services of the try `seq`. */
  forTry(seq: number): WorkerTaskServices {
    const ask = <T>(call: ServiceCall, check: (v: unknown) => v is T, what: string): Promise<T> =>
      this.call(seq, call).then((v) => {
        if (!check(v)) throw new Error(`the executor answered ${call.method} with something that is not ${what}`);
        return v;
      });
    return {
      pullXComs: ({ taskIds, key }) => ask({ method: 'pullXComs', taskIds, key }, isXComRows, 'a list of XCom rows'),
      getVariable: (key) => ask({ method: 'getVariable', key }, isOptionalString, 'a string or nothing').then((v) => v ?? undefined),
      listVariables: () => ask({ method: 'listVariables' }, isStringRecord, 'a map of variable names to strings'),
      getConnection: (connId) => ask({ method: 'getConnection', connId }, isOptionalConnection, 'a connection or nothing').then((v) => v ?? undefined),
      listConnections: () => ask({ method: 'listConnections' }, isConnections, 'a list of connections'),
      getExternalState: (q) => ask({ method: 'getExternalState', ...q }, isStringOrNull, 'a state or null'),
      // The executor records the call against the try it runs, so the try's identity is not sent.
      ml: (_ti, request) => this.call(seq, { method: 'ml', request }),
    };
  }

  private call(seq: number, call: ServiceCall): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      try {
        this.send({ kind: 'service', seq, id, call });
      } catch (e) {
        this.waiting.delete(id);
        reject(new Error(`could not ask the executor (${call.method}): ${(e as Error).message}`));
      }
    });
  }
}

function isXComRows(v: unknown): v is XComRow[] {
  return Array.isArray(v) && v.every((r) => isRecord(r) && typeof r.taskId === 'string' && isInt(r.mapIndex) && typeof r.key === 'string');
}
function isOptionalString(v: unknown): v is string | null | undefined {
  return v === undefined || v === null || typeof v === 'string';
}
function isStringOrNull(v: unknown): v is string | null {
  return v === null || typeof v === 'string';
}
function isStringRecord(v: unknown): v is Record<string, string> {
  return isRecord(v) && Object.values(v).every((x) => typeof x === 'string');
}
function isConnection(v: unknown): v is ConnectionView {
  return isRecord(v) && typeof v.connId === 'string' && typeof v.connType === 'string';
}
function isOptionalConnection(v: unknown): v is ConnectionView | null | undefined {
  return v === undefined || v === null || isConnection(v);
}
function isConnections(v: unknown): v is ConnectionView[] {
  return Array.isArray(v) && v.every(isConnection);
}

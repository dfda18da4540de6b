/**
 * The executor contract: the scheduler hands it task workloads; it runs each try somewhere
 * (never in the scheduler process) and reports what happened through events. Events are hints
 * to the scheduler, which records every state change in the database itself.
 */
import type { Kysely } from 'kysely';
import type { DagRunType } from '../core/states.ts';
import type { Schema } from '../store/schema.ts';
import type { Json } from '../core/serialized-dag.ts';
import type { MlRequest } from '../providers/ml/tracking/requests.ts';
import type { TryRef } from '../providers/ml/tracking/types.ts';
import type { ConnectionView } from '../sdk/context.ts';
import type { TryResult } from '../runner/try-result.ts';
import type { XComRow } from '../runner/xcom-select.ts';

export interface TiKey {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
}

export function tiKeyString(k: TiKey): string {
  return `${k.dagId}\u0000${k.runId}\u0000${k.taskId}\u0000${k.mapIndex}`;
}

/** Everything a worker needs to run one try; plain JSON so it can cross process boundaries. */
export interface TaskWorkload {
  key: TiKey;
  tryNumber: number;
  maxTries: number;
  /** Absolute path of the DAG file that defines the DAG. */
  dagFile: string;
  run: {
    runId: string;
    runType: DagRunType;
    logicalDate: string;
    dataIntervalStart: string;
    dataIntervalEnd: string;
    conf: Record<string, unknown>;
    externalTrigger: boolean;
  };
  params: Record<string, Json>;
  /** Absolute path of this try's log file. */
  logPath: string;
  queue: string;
  /** Execution timeout in seconds; the executor kills a try that overruns it by a grace period. */
  executionTimeout: number | null;
  /** Resuming after a deferral: the operator method to call and the trigger's event. */
  nextMethod: string | null;
  triggerEvent: Json | null;
  /** For sensors in reschedule mode: when the first try started (ISO). */
  firstTryStartedAt: string | null;
  /** When the scheduler queued this try (ISO); with the key and try number it names one dispatch. */
  queuedAt?: string;
  /**
   * Hash of the DAG's serialized form as the scheduler knows it. When present, the worker fails
   * the try if the DAG file it has produces another one (a different version of the file).
   */
  dagHash?: string;
}

/** A try the database shows as queued on an executor. */
export interface QueuedTry {
  key: TiKey;
  tryNumber: number;
  queuedAt: string;
  /** The task's queue (default `default`). */
  queue?: string;
}

export type ExecutorEvent =
  /** The try began in a worker. */
  | { kind: 'started'; key: TiKey; tryNumber: number; hostname: string; pid: number; at: string }
  /** The try ended (any outcome, including task failures). */
  | { kind: 'finished'; key: TiKey; tryNumber: number; result: TryResult }
  /** The try ended without a result: the worker died, was killed, or overran its timeout. */
  | { kind: 'lost'; key: TiKey; tryNumber: number; reason: string; at: string }
  /** The executor can take more work than before (e.g. a replacement worker is ready). */
  | { kind: 'slots' };

/**
 * An event delivered from a durable inbox carries its receipt: the scheduler passes it back to
 * `acknowledge` in the transaction that records the event, which removes it from the inbox.
 */
export type Receipted<E extends ExecutorEvent = ExecutorEvent> = E & { receipt?: number };

/** What workers may ask of the metadata database while a try runs. */
export interface WorkerServices {
  pullXComs(query: { dagId: string; runId: string; taskIds: string[]; key: string | null }): Promise<XComRow[]>;
  getVariable(key: string): Promise<string | undefined>;
  listVariables(): Promise<Record<string, string>>;
  getConnection(connId: string): Promise<ConnectionView | undefined>;
  listConnections(): Promise<ConnectionView[]>;
  /** State of a task instance (or of the DAG run when taskId is null) at a logical date, for external-task sensors. */
  getExternalState(query: { dagId: string; taskId: string | null; logicalDate: string }): Promise<string | null>;
  /** Answers a try's `ctx.ml` call (tracking and the model registry); executors without it refuse those calls. */
  ml?(ti: TryRef, request: MlRequest): Promise<unknown>;
}

export interface Executor {
  readonly name: string;
  /** Starts workers; `onEvent` receives every event, in order per try. */
  start(onEvent: (event: ExecutorEvent) => void, services: WorkerServices): Promise<void>;
  /** How many more workloads it can take now. */
  openSlots(): number;
  /** Runs a workload. Throws if no slot is open. */
  queue(workload: TaskWorkload): void;
  /** Keys of tries currently running or waiting in this executor. */
  activeKeys(): TiKey[];
  /** Stops one running try (e.g. the user marked it failed); it is reported as lost. */
  terminate(key: TiKey, reason: string): void;
  /**
   * Stops the executor. With `graceMs`, running tries get that long to finish (their events
   * are still delivered); tries still running then are killed and reported as lost. Workloads
   * that never started are dropped without an event: their task instances stay queued and the
   * next scheduler puts them back (no try is spent).
   */
  stop(graceMs: number): Promise<void>;
  /**
   * Executors whose tries run outside the scheduler's process and outlive it (remote workers):
   * a scheduler that stops or dies does not lose them, so they are never treated as orphans.
   * Default false.
   */
  readonly detached?: boolean;
  /** Asks workers for the hash of each DAG's serialized form (see `TaskWorkload.dagHash`). Default false. */
  readonly checksDagVersion?: boolean;
  /**
   * Removes delivered events from the executor's inbox, inside the transaction that records them,
   * before they are recorded. Returns the receipts it removed (all, when it returns nothing):
   * events whose receipt it did not remove were recorded, or are being recorded, by another
   * scheduler, and are dropped.
   */
  acknowledge?(trx: Kysely<Schema>, receipts: number[]): Promise<number[] | void>;
  /**
   * Called on every sweep with the tries queued on this executor for a while; returns those it
   * no longer holds (a restarted broker lost them, or a scheduler died between committing and
   * dispatching them). The scheduler puts those back to scheduled, without spending a try.
   */
  lostDispatches?(queued: QueuedTry[]): Promise<QueuedTry[]>;
}

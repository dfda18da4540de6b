/**
 * What a task try needs from the outside world. The in-process `dags test` driver backs it with
 * memory; a worker backs it with the metadata database (directly or through its parent).
 */
import type { MlRequest } from '../providers/ml/tracking/requests.ts';
import type { TryRef } from '../providers/ml/tracking/types.ts';
import type { ConnectionView } from '../sdk/context.ts';
import type { XComRow } from './xcom-select.ts';

export interface TaskServices {
  /** XComs of this DAG run for these tasks (any key when `key` is null). */
  pullXComs(query: { taskIds: string[]; key: string | null }): Promise<XComRow[]>;
  getVariable(key: string): Promise<string | undefined>;
  listVariables(): Promise<Record<string, string>>;
  getConnection(connId: string): Promise<ConnectionView | undefined>;
  listConnections(): Promise<ConnectionView[]>;
  /**
   * State of a task instance (or of the DAG run when taskId is null) at a logical date (ISO),
   * for external-task sensors. Runners that cannot answer leave it out.
   */
  getExternalState?(query: { dagId: string; taskId: string | null; logicalDate: string }): Promise<string | null>;
  /** Answers `ctx.ml` calls of the try `ti` (plain JSON both ways). Runners without ML tracking leave it out. */
  ml?(ti: TryRef, request: MlRequest): Promise<unknown>;
}

/** The outcome of one task try, as the runner reports it to whoever applies it. */
import type { TriggerDagRunRequest } from '../sdk/operators/trigger-dag-run.ts';

export interface PushedXCom {
  key: string;
  /** JSON text (see core/xcom-codec). */
  value: string;
}

export interface DeferRequest {
  /** Trigger kind registered with the triggerer, e.g. "timeDelta" or "fileExists". */
  trigger: string;
  kwargs: Record<string, unknown>;
  /** Method of the operator to resume with (Airflow's method_name). */
  method: string;
  /** Seconds after which the deferral fails. */
  timeout: number | null;
}

export interface TryResult {
  state: 'success' | 'skipped' | 'failed' | 'up_for_retry' | 'up_for_reschedule' | 'deferred';
  /** Error message (with stack) for failures and retries. */
  error: string | null;
  xcoms: PushedXCom[];
  /** Task ids to mark skipped (from a branch, short-circuit or latest-only decision). */
  skip: string[];
  /** Lengths of list XComs that mapped downstream tasks expand over. */
  mapLengths: Array<{ key: string; length: number }>;
  /** Dataset URIs updated (outlets), on success only. */
  datasetEvents: string[];
  triggerRequests: TriggerDagRunRequest[];
  rescheduleAt: string | null;
  defer: DeferRequest | null;
  renderedFields: Record<string, unknown> | null;
  startedAt: string;
  endedAt: string;
}

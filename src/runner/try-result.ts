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

/** An asset event a task added at run time through one or more of its asset aliases. */
export interface AliasAssetEvent {
  uri: string;
  extra: Record<string, unknown>;
  /** Names of the aliases it was added through (at least one). */
  aliases: string[];
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
  /** Asset events added through asset aliases (`ctx.outletEvents`), on success only. */
  aliasEvents?: AliasAssetEvent[];
  triggerRequests: TriggerDagRunRequest[];
  rescheduleAt: string | null;
  defer: DeferRequest | null;
  renderedFields: Record<string, unknown> | null;
  startedAt: string;
  endedAt: string;
}

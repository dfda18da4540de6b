/**
 * TriggerDagRunOperator: asks for a run of another DAG. The request is recorded with the task's
 * result; the engine creates the run when the task succeeds.
 */
import { BaseOperator, type BaseOperatorOptions } from '../base-operator.ts';
import type { TaskContext } from '../context.ts';

export interface TriggerDagRunOptions extends BaseOperatorOptions {
  triggerDagId: string;
  /** Templated. Default: `triggered__<logical date ISO>`-style id chosen by the engine. */
  triggerRunId?: string;
  /** Templated values are rendered. */
  conf?: Record<string, unknown>;
  /** Templated; default: now. */
  logicalDate?: string;
  /** Clear and re-run an existing run with the same id instead of failing. Default false. */
  resetDagRun?: boolean;
}

export interface TriggerDagRunRequest {
  dagId: string;
  runId: string | null;
  conf: Record<string, unknown>;
  logicalDate: string | null;
  resetDagRun: boolean;
}

export class TriggerDagRunOperator extends BaseOperator<TriggerDagRunRequest> {
  static override templateFields = ['triggerDagId', 'triggerRunId', 'conf', 'logicalDate'] as const;
  static override uiColor = '#ffefeb';
  triggerDagId: string;
  triggerRunId: string | undefined;
  conf: Record<string, unknown>;
  logicalDate: string | undefined;
  readonly resetDagRun: boolean;

  constructor(o: TriggerDagRunOptions) {
    super(o);
    if (typeof o.triggerDagId !== 'string' || !o.triggerDagId) throw new TypeError(`TriggerDagRunOperator '${o.taskId}': triggerDagId is required`);
    this.triggerDagId = o.triggerDagId;
    this.triggerRunId = o.triggerRunId;
    this.conf = o.conf ?? {};
    this.logicalDate = o.logicalDate;
    this.resetDagRun = o.resetDagRun ?? false;
  }

  execute(ctx: TaskContext): TriggerDagRunRequest {
    const req: TriggerDagRunRequest = {
      dagId: this.triggerDagId,
      runId: this.triggerRunId ?? null,
      conf: this.conf,
      logicalDate: this.logicalDate ?? null,
      resetDagRun: this.resetDagRun,
    };
    ctx.log.info(`Requesting a run of DAG '${req.dagId}'${req.runId ? ` with run id '${req.runId}'` : ''}`);
    return req;
  }
}

export function isTriggerDagRunOperator(op: unknown): op is TriggerDagRunOperator {
  return op instanceof TriggerDagRunOperator;
}

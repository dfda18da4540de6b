/**
 * ExternalTaskMarker: marks that a task of another DAG depends on this DAG at a logical date
 * (usually through an ExternalTaskSensor). It does nothing when it runs; clearing it with the
 * recursive option (API v1 `include_subdags`, API v2, the UI's "Recursive", `baton tasks clear`
 * without `--exclude-subdags`) also clears that external task instance and its downstream tasks,
 * following the markers found there in turn, up to `recursionDepth` hops.
 */
import type { MarkerSpec } from '../../core/serialized-dag.ts';
import { BaseOperator, type BaseOperatorOptions } from '../base-operator.ts';
import type { TaskContext } from '../context.ts';
import { DagDefinitionError } from '../errors.ts';

export interface ExternalTaskMarkerOptions extends BaseOperatorOptions {
  /** The DAG whose task depends on this one. Templated. */
  externalDagId: string;
  /** The task of that DAG to clear (with its downstream tasks). Templated. */
  externalTaskId: string;
  /** Logical date of the external run to clear. Templated; default: this run's logical date. */
  logicalDate?: string;
  /** How many markers a recursive clear may follow in a chain from this one. Default 10. */
  recursionDepth?: number;
}

/** The default logical date template: the logical date of the run being cleared. */
export const MARKER_DEFAULT_LOGICAL_DATE = '{{ logical_date.isoformat() }}';

/** Points a recursive clear at a task of another DAG (Airflow's ExternalTaskMarker). */
export class ExternalTaskMarker extends BaseOperator<void> {
  static override templateFields = ['externalDagId', 'externalTaskId', 'logicalDate'] as const;
  static override uiColor = '#4db7db';
  externalDagId: string;
  externalTaskId: string;
  logicalDate: string;
  readonly recursionDepth: number;

  constructor(o: ExternalTaskMarkerOptions) {
    super(o);
    const where = `ExternalTaskMarker '${this.taskId}'`;
    for (const k of ['externalDagId', 'externalTaskId'] as const) {
      if (typeof o[k] !== 'string' || o[k] === '') throw new DagDefinitionError(`${where}: ${k} must be a non-empty string`);
    }
    if (o.logicalDate !== undefined && (typeof o.logicalDate !== 'string' || o.logicalDate === '')) {
      throw new DagDefinitionError(`${where}: logicalDate must be a date or a template string`);
    }
    const depth = o.recursionDepth ?? 10;
    if (!Number.isInteger(depth) || depth < 1) throw new DagDefinitionError(`${where}: recursionDepth must be a positive integer (got ${String(o.recursionDepth)})`);
    this.externalDagId = o.externalDagId;
    this.externalTaskId = o.externalTaskId;
    this.logicalDate = o.logicalDate ?? MARKER_DEFAULT_LOGICAL_DATE;
    this.recursionDepth = depth;
  }

  execute(ctx: TaskContext): void {
    ctx.log.info(`Marks ${this.externalDagId}.${this.externalTaskId} on ${this.logicalDate} as depending on this task`);
  }

  /** What a recursive clear needs, in the serialized DAG (templates unrendered). */
  markerSpec(): MarkerSpec {
    return { externalDagId: this.externalDagId, externalTaskId: this.externalTaskId, logicalDate: this.logicalDate, recursionDepth: this.recursionDepth };
  }
}

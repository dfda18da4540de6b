/**
 * How a finished task asks for downstream tasks to be skipped (branching, short-circuit,
 * latest-only). The run driver applies it in the same step that records the task's success.
 */
export type SkipDirective =
  /** Skip every direct downstream task except these (tasks or task groups). */
  | { kind: 'follow'; taskIds: string[] }
  /** Skip every direct downstream task, leaving the rest to their trigger rules. */
  | { kind: 'skipDirect' }
  /** Skip every task downstream, transitively, ignoring their trigger rules. */
  | { kind: 'skipAllDownstream' };

/** Operators that may skip downstream tasks implement this. */
export interface SkipsDownstream {
  skipDirective(result: unknown): SkipDirective | null;
}

export function hasSkipDirective(op: unknown): op is SkipsDownstream {
  return typeof (op as Partial<SkipsDownstream>)?.skipDirective === 'function';
}

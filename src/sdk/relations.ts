/**
 * Edges between tasks: `a.then(b)` is Airflow's `a >> b`, `b.after(a)` is `b << a`, and
 * `chain(a, [b, c], d)` is Airflow's `chain`. Anything that stands for tasks can be linked:
 * an operator, a TaskFlow output, a task group, or a list of them.
 */
import type { BaseOperator } from './base-operator.ts';

/** Something that stands for one or more tasks. */
export interface TaskLike {
  /** Tasks an edge *into* this node attaches to. */
  rootOperators(): BaseOperator[];
  /** Tasks an edge *out of* this node leaves from. */
  leafOperators(): BaseOperator[];
}

export type Linkable = TaskLike | readonly TaskLike[];

function roots(n: Linkable): BaseOperator[] {
  return Array.isArray(n) ? (n as readonly TaskLike[]).flatMap((x) => x.rootOperators()) : (n as TaskLike).rootOperators();
}
function leaves(n: Linkable): BaseOperator[] {
  return Array.isArray(n) ? (n as readonly TaskLike[]).flatMap((x) => x.leafOperators()) : (n as TaskLike).leafOperators();
}

/** Adds edges from every leaf of `from` to every root of `to`. */
export function link(from: Linkable, to: Linkable): void {
  if (typeof to === 'function') {
    throw new TypeError('a task reference cannot be awaited or returned from an async function: it is a placeholder for a value produced at run time');
  }
  for (const up of leaves(from)) for (const down of roots(to)) up.addDownstream(down);
}

/**
 * Airflow's `chain`: consecutive elements are linked; two adjacent lists must have the same
 * length and are linked pairwise; a single node and a list are linked all-to-all.
 */
export function chain(...nodes: Linkable[]): void {
  for (let i = 0; i + 1 < nodes.length; i++) {
    const a = nodes[i]!;
    const b = nodes[i + 1]!;
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) {
        throw new Error(`chain: adjacent lists must have the same length to be linked pairwise (got ${a.length} and ${b.length})`);
      }
      a.forEach((x: TaskLike, j: number) => link(x, b[j] as TaskLike));
    } else {
      link(a, b);
    }
  }
}

/** Links every node in `from` to every node in `to` (Airflow's `cross_downstream`). */
export function crossDownstream(from: readonly TaskLike[], to: readonly TaskLike[]): void {
  for (const f of from) for (const t of to) link(f, t);
}

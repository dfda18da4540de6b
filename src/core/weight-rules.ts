/**
 * Effective priority weights (Airflow's `priority_weight_total`): the number the scheduler
 * sorts queued task instances by. Reachable sets are kept as bitsets, so the cost stays near
 * linear in practice even for DAGs with thousands of tasks.
 */
import type { SerializedTask } from './serialized-dag.ts';

export type WeightedTask = Pick<SerializedTask, 'taskId' | 'upstream' | 'downstream' | 'priorityWeight' | 'weightRule'>;

/** Airflow clamps weights to a 32-bit signed integer so every database can store them. */
export const DB_SAFE_MINIMUM = -2147483648;
export const DB_SAFE_MAXIMUM = 2147483647;

/**
 * Each task's effective weight, by task id:
 * - `absolute`: its own weight;
 * - `downstream`: its own plus that of every task reachable downstream, each counted once;
 * - `upstream`: its own plus that of every task it transitively depends on.
 * Edges come from both `upstream` and `downstream` lists. Throws on unknown ids and cycles.
 */
export function priorityWeights(tasks: WeightedTask[]): Map<string, number> {
  const graph = buildGraph(tasks);
  const needDown = tasks.some((t) => t.weightRule === 'downstream');
  const needUp = tasks.some((t) => t.weightRule === 'upstream');
  const order = needDown || needUp ? topologicalOrder(graph) : [];
  const down = needDown ? reachable(graph, graph.children, [...order].reverse()) : null;
  const up = needUp ? reachable(graph, graph.parents, order) : null;

  const result = new Map<string, number>();
  tasks.forEach((task, i) => {
    let total = task.priorityWeight;
    const sets = task.weightRule === 'downstream' ? down : task.weightRule === 'upstream' ? up : null;
    if (sets) total += sumOfBits(sets[i], graph.weights);
    result.set(task.taskId, Math.max(DB_SAFE_MINIMUM, Math.min(DB_SAFE_MAXIMUM, total)));
  });
  return result;
}

interface Graph {
  ids: string[];
  weights: number[];
  children: number[][];
  parents: number[][];
}

function buildGraph(tasks: WeightedTask[]): Graph {
  const index = new Map<string, number>();
  tasks.forEach((t, i) => {
    if (index.has(t.taskId)) throw new Error(`priorityWeights: task id '${t.taskId}' appears twice; task ids must be unique in a DAG`);
    index.set(t.taskId, i);
  });
  const childSets = tasks.map(() => new Set<number>());
  const lookup = (owner: string, id: string, side: string): number => {
    const j = index.get(id);
    if (j === undefined) {
      throw new Error(`priorityWeights: task '${owner}' lists ${side} task '${id}', which is not in the DAG; fix the dependency or add the task`);
    }
    return j;
  };
  tasks.forEach((t, i) => {
    for (const id of t.downstream) childSets[i].add(lookup(t.taskId, id, 'downstream'));
    for (const id of t.upstream) childSets[lookup(t.taskId, id, 'upstream')].add(i);
  });
  const children = childSets.map((s) => [...s]);
  const parents: number[][] = tasks.map(() => []);
  children.forEach((cs, i) => cs.forEach((c) => parents[c].push(i)));
  return { ids: tasks.map((t) => t.taskId), weights: tasks.map((t) => t.priorityWeight), children, parents };
}

/** Kahn's algorithm: parents before children. */
function topologicalOrder(graph: Graph): number[] {
  const n = graph.ids.length;
  const indegree = graph.parents.map((p) => p.length);
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (indegree[i] === 0) order.push(i);
  for (let k = 0; k < order.length; k++) {
    for (const c of graph.children[order[k]]) if (--indegree[c] === 0) order.push(c);
  }
  if (order.length < n) {
    const stuck = graph.ids.filter((_, i) => indegree[i] > 0).slice(0, 5);
    throw new Error(`priorityWeights: the DAG has a cycle through task(s) ${stuck.map((s) => `'${s}'`).join(', ')}; remove the circular dependency`);
  }
  return order;
}

/**
 * For every task, the bitset of tasks reachable along `next` edges (not including itself).
 * `order` must list each task after every task it reaches.
 */
function reachable(graph: Graph, next: number[][], order: number[]): Uint32Array[] {
  const n = graph.ids.length;
  const words = Math.ceil(n / 32);
  const sets: Uint32Array[] = new Array(n);
  for (const i of order) {
    const bits = new Uint32Array(words);
    for (const j of next[i]) {
      bits[j >>> 5] |= 1 << (j & 31);
      const sub = sets[j];
      for (let w = 0; w < words; w++) bits[w] |= sub[w];
    }
    sets[i] = bits;
  }
  return sets;
}

function sumOfBits(bits: Uint32Array, weights: number[]): number {
  let sum = 0;
  for (let w = 0; w < bits.length; w++) {
    let word = bits[w];
    while (word !== 0) {
      const low = word & -word;
      sum += weights[(w << 5) + (31 - Math.clz32(low))];
      word ^= low;
    }
  }
  return sum;
}

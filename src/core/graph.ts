/** Graph helpers over task ids: topological order (with cycle detection) and reachability. */

export interface GraphNode {
  id: string;
  upstream: Iterable<string>;
}

/**
 * Kahn's algorithm; ties keep the input order, so the result is stable.
 * Throws when the graph has a cycle, naming the tasks on it.
 */
export function topologicalOrder(nodes: GraphNode[]): string[] {
  const indegree = new Map<string, number>();
  const down = new Map<string, string[]>();
  for (const n of nodes) {
    indegree.set(n.id, 0);
    down.set(n.id, []);
  }
  for (const n of nodes) {
    for (const u of n.upstream) {
      if (!indegree.has(u)) throw new Error(`task '${n.id}' depends on unknown task '${u}'`);
      indegree.set(n.id, indegree.get(n.id)! + 1);
      down.get(u)!.push(n.id);
    }
  }
  const ready = nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  for (let i = 0; i < ready.length; i++) {
    const id = ready[i]!;
    order.push(id);
    for (const d of down.get(id)!) {
      const left = indegree.get(d)! - 1;
      indegree.set(d, left);
      if (left === 0) ready.push(d);
    }
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.filter((n) => indegree.get(n.id)! > 0).map((n) => n.id);
    throw new Error(`the DAG has a cycle among tasks: ${findCycle(nodes, new Set(stuck)).join(' -> ')}`);
  }
  return order;
}

function findCycle(nodes: GraphNode[], candidates: Set<string>): string[] {
  const up = new Map(nodes.map((n) => [n.id, [...n.upstream].filter((u) => candidates.has(u))]));
  const start = [...candidates][0]!;
  const seen = new Map<string, number>();
  const path: string[] = [];
  let cur: string | undefined = start;
  while (cur !== undefined && !seen.has(cur)) {
    seen.set(cur, path.length);
    path.push(cur);
    cur = up.get(cur)?.[0];
  }
  if (cur === undefined) return [...candidates];
  return [...path.slice(seen.get(cur)!), cur].reverse();
}

/** Every node reachable from `start` following `next` (start excluded). */
export function reachable(start: string, next: (id: string) => Iterable<string>): Set<string> {
  const out = new Set<string>();
  const stack = [...next(start)];
  while (stack.length) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    for (const n of next(id)) if (!out.has(n)) stack.push(n);
  }
  return out;
}

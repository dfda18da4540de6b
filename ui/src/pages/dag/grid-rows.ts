/**
 * The grid's rows: tasks in the DAG's (topological) order, each task group appearing where its
 * first task does, with its tasks indented under it; collapsed groups hide their descendants.
 */
import type { GridData } from '../../types.ts';

export type GridRow =
  | { kind: 'group'; id: string; depth: number; label: string; taskIndexes: number[] }
  | { kind: 'task'; id: string; depth: number; label: string; index: number };

export function buildRows(data: GridData, collapsed: ReadonlySet<string>): GridRow[] {
  const parent = new Map(data.groups.map((g) => [g.group_id, g.parent_group_id]));
  const chain = (g: string | null): string[] => {
    const out: string[] = [];
    for (let x = g; x; x = parent.get(x) ?? null) out.unshift(x);
    return out;
  };
  const descendants = new Map<string, number[]>();
  data.tasks.forEach((t, i) => {
    for (const g of chain(t.group_id)) {
      const list = descendants.get(g) ?? [];
      list.push(i);
      descendants.set(g, list);
    }
  });
  const rows: GridRow[] = [];
  const seen = new Set<string>();
  data.tasks.forEach((t, i) => {
    const groups = chain(t.group_id);
    let hidden = false;
    groups.forEach((g, depth) => {
      if (hidden) return;
      if (!seen.has(g)) {
        seen.add(g);
        const label = g.slice(g.lastIndexOf('.') + 1);
        rows.push({ kind: 'group', id: g, depth, label, taskIndexes: descendants.get(g) ?? [] });
      }
      if (collapsed.has(g)) hidden = true;
    });
    if (!hidden) rows.push({ kind: 'task', id: t.task_id, depth: groups.length, label: t.group_id ? t.task_id.slice(t.group_id.length + 1) : t.task_id, index: i });
  });
  return rows;
}

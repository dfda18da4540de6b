/** Text and Graphviz renderings of a serialized DAG, for `baton dags show`. */
import type { SerializedDag } from '../core/serialized-dag.ts';
import { describeSchedule } from '../core/timetable/index.ts';

/** Tasks by layer (longest path from a root), then each task's downstream edges. */
export function renderTextGraph(d: SerializedDag): string {
  const layer = new Map<string, number>();
  for (const t of d.tasks) layer.set(t.taskId, Math.max(-1, ...t.upstream.map((u) => layer.get(u) ?? 0)) + 1);
  const layers: string[][] = [];
  for (const t of d.tasks) (layers[layer.get(t.taskId)!] ??= []).push(t.taskId + (t.mapped ? '[]' : ''));
  const lines = [`DAG ${d.dagId} · schedule ${describeSchedule(d.schedule)} · ${d.tasks.length} task(s)`, ''];
  layers.forEach((ids, i) => lines.push(`  ${String(i).padStart(2)} │ ${ids.join('   ')}`));
  lines.push('');
  for (const t of d.tasks) {
    if (t.downstream.length) lines.push(`  ${t.taskId} ──▶ ${t.downstream.join(', ')}`);
  }
  const special = d.tasks.filter((t) => t.triggerRule !== 'all_success');
  if (special.length) {
    lines.push('', '  trigger rules:');
    for (const t of special) lines.push(`    ${t.taskId}: ${t.triggerRule}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderDot(d: SerializedDag): string {
  const q = (s: string) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  const out = [`digraph ${q(d.dagId)} {`, '  rankdir=LR;', '  node [shape=box, style="rounded,filled", fontname="Helvetica"];'];
  const grouped = new Map<string, string[]>();
  for (const t of d.tasks) {
    if (t.groupId) (grouped.get(t.groupId) ?? grouped.set(t.groupId, []).get(t.groupId)!).push(t.taskId);
    else out.push(`  ${q(t.taskId)} [fillcolor=${q(t.ui.color)}];`);
  }
  let i = 0;
  for (const [g, ids] of grouped) {
    out.push(`  subgraph cluster_${i++} {`, `    label=${q(g)};`);
    for (const id of ids) out.push(`    ${q(id)} [fillcolor=${q(d.tasks.find((t) => t.taskId === id)!.ui.color)}];`);
    out.push('  }');
  }
  for (const t of d.tasks) for (const down of t.downstream) out.push(`  ${q(t.taskId)} -> ${q(down)};`);
  out.push('}');
  return `${out.join('\n')}\n`;
}

/**
 * The graph: tasks as boxes laid out in layers (dagre), edges between them, task groups as
 * frames that fold into one box, each task coloured by its state in the selected run (the
 * latest by default; `?run_id=` picks another) and refreshed while the run is active.
 */
import dagre from '@dagrejs/dagre';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { Loaded } from '../../components/Problem.tsx';
import { dominantState, stateClass } from '../../components/State.tsx';
import type { GridCell, GridData } from '../../types.ts';
import { useGrid } from './DagPage.tsx';

const NODE_H = 34;
const CHAR_W = 7.2;

interface Laid {
  width: number;
  height: number;
  nodes: Array<{ id: string; label: string; x: number; y: number; w: number; h: number; kind: 'task' | 'group' | 'folded'; state: string | null; mapped: number | null }>;
  edges: Array<{ from: string; to: string; points: Array<{ x: number; y: number }> }>;
}

function stateOf(cell: GridCell | undefined): string | null {
  if (cell === undefined || cell === null) return null;
  return typeof cell === 'string' ? cell : dominantState(cell.states);
}

export function layoutGraph(data: GridData, runIndex: number, folded: ReadonlySet<string>): Laid {
  const parent = new Map(data.groups.map((g) => [g.group_id, g.parent_group_id]));
  const ancestors = (g: string | null): string[] => {
    const out: string[] = [];
    for (let x = g; x; x = parent.get(x) ?? null) out.unshift(x);
    return out;
  };
  const cells = runIndex >= 0 ? data.cells[runIndex]! : [];
  // Each task is drawn as itself, or as its outermost folded group.
  const shownAs = new Map<string, string>();
  const groupStates = new Map<string, Record<string, number>>();
  data.tasks.forEach((t, i) => {
    const chain = ancestors(t.group_id);
    const f = chain.find((g) => folded.has(g));
    shownAs.set(t.task_id, f ?? t.task_id);
    const s = stateOf(cells[i]);
    for (const g of chain) {
      const c = groupStates.get(g) ?? {};
      if (s) c[s] = (c[s] ?? 0) + 1;
      groupStates.set(g, c);
    }
  });
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 16, ranksep: 48, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const grp of data.groups) {
    if (ancestors(grp.parent_group_id).some((x) => folded.has(x))) continue;
    const label = grp.group_id.slice(grp.group_id.lastIndexOf('.') + 1);
    if (folded.has(grp.group_id)) g.setNode(grp.group_id, { label, width: Math.max(90, label.length * CHAR_W + 40), height: NODE_H, kind: 'folded' });
    else g.setNode(grp.group_id, { label, kind: 'group' });
    if (grp.parent_group_id) g.setParent(grp.group_id, grp.parent_group_id);
  }
  data.tasks.forEach((t, i) => {
    if (shownAs.get(t.task_id) !== t.task_id) return;
    const label = t.group_id ? t.task_id.slice(t.group_id.length + 1) : t.task_id;
    const cell = cells[i];
    g.setNode(t.task_id, { label, width: Math.max(80, label.length * CHAR_W + 28), height: NODE_H, kind: 'task', state: stateOf(cell), mapped: cell && typeof cell === 'object' ? cell.total : null });
    if (t.group_id) g.setParent(t.task_id, t.group_id);
  });
  for (const t of data.tasks) {
    for (const u of t.upstream) {
      const from = shownAs.get(u);
      const to = shownAs.get(t.task_id);
      if (from && to && from !== to && !g.hasEdge(from, to)) g.setEdge(from, to);
    }
  }
  dagre.layout(g);
  const nodes: Laid['nodes'] = g.nodes().map((id) => {
    const n = g.node(id) as dagre.Node & { label: string; kind: 'task' | 'group' | 'folded'; state?: string | null; mapped?: number | null };
    const state = n.kind === 'task' ? n.state ?? null : dominantState(groupStates.get(id) ?? {});
    return { id, label: n.label, x: n.x - n.width / 2, y: n.y - n.height / 2, w: n.width, h: n.height, kind: n.kind, state, mapped: n.mapped ?? null };
  });
  nodes.sort((a, b) => (a.kind === 'group' ? 0 : 1) - (b.kind === 'group' ? 0 : 1));
  const edges = g.edges().map((e) => ({ from: e.v, to: e.w, points: (g.edge(e) as { points: Array<{ x: number; y: number }> }).points }));
  const gr = g.graph();
  return { width: (gr.width ?? 0) + 24, height: (gr.height ?? 0) + 24, nodes, edges };
}

export function GraphView({ dagId }: { dagId: string }) {
  const grid = useGrid(dagId);
  return <Loaded query={grid}>{() => <Graph data={grid.data!} />}</Loaded>;
}

function Graph({ data }: { data: GridData }) {
  const [params] = useSearchParams();
  const runId = params.get('run_id');
  const runIndex = runId ? data.runs.findIndex((r) => r.run_id === runId) : data.runs.length - 1;
  const [folded, setFolded] = useState<Set<string>>(new Set());
  const laid = useMemo(() => layoutGraph(data, runIndex, folded), [data, runIndex, folded]);
  const toggle = (id: string) => {
    const next = new Set(folded);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setFolded(next);
  };
  const run = runIndex >= 0 ? data.runs[runIndex] : undefined;
  const base = `/dags/${encodeURIComponent(data.dag_id)}`;
  return (
    <div>
      <p className="muted">
        {run ? <>States of run <Link to={`${base}/grid?run_id=${encodeURIComponent(run.run_id)}`}><code>{run.run_id}</code></Link></> : 'No runs yet.'} Click a group's title to fold or unfold it.
      </p>
      <div className="graph-wrap">
        <svg width={laid.width} height={laid.height} className="graph" data-testid="graph">
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" className="arrow" /></marker>
          </defs>
          {laid.nodes.filter((n) => n.kind === 'group').map((n) => (
            <g key={n.id} data-group-id={n.id} className="graph-group" onClick={() => toggle(n.id)}>
              <rect x={n.x} y={n.y} width={n.w} height={n.h} rx={8} />
              <text x={n.x + 8} y={n.y + 14}>▾ {n.label}</text>
            </g>
          ))}
          {laid.edges.map((e) => (
            <polyline key={`${e.from}->${e.to}`} className="edge" data-edge={`${e.from}->${e.to}`} points={e.points.map((p) => `${p.x},${p.y}`).join(' ')} markerEnd="url(#arrow)" />
          ))}
          {laid.nodes.filter((n) => n.kind !== 'group').map((n) => (
            <g key={n.id} data-node-id={n.id} data-state={n.state ?? 'none'} className={`graph-node ${n.kind}`} onClick={n.kind === 'folded' ? () => toggle(n.id) : undefined}>
              {n.kind === 'task' ? (
                <Link to={run ? `${base}/grid?run_id=${encodeURIComponent(run.run_id)}&task_id=${encodeURIComponent(n.id)}` : `${base}/grid`}>
                  <rect x={n.x} y={n.y} width={n.w} height={n.h} rx={5} className={stateClass(n.state)} />
                  <text x={n.x + n.w / 2} y={n.y + n.h / 2 + 4} textAnchor="middle">{n.label}{n.mapped !== null ? ` [${n.mapped}]` : ''}</text>
                </Link>
              ) : (
                <>
                  <rect x={n.x} y={n.y} width={n.w} height={n.h} rx={8} className={`folded ${stateClass(n.state)}`} />
                  <text x={n.x + n.w / 2} y={n.y + n.h / 2 + 4} textAnchor="middle">▸ {n.label}</text>
                </>
              )}
            </g>
          ))}
        </svg>
      </div>
    </div>
  );
}

/**
 * The grid: runs as columns (oldest on the left), tasks as rows, a coloured cell per task
 * instance; task groups fold; a mapped task's cell shows its copy count. Rows are virtualised
 * (TanStack Virtual) so a DAG with thousands of tasks scrolls smoothly. The selected run and
 * task are in the URL (`?run_id=…&task_id=…&map_index=…`), so the view can be shared.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Loaded, NotFound } from '../../components/Problem.tsx';
import { dominantState, mappedTitle, stateClass } from '../../components/State.tsx';
import { fmtDate } from '../../format.ts';
import type { GridCell, GridData } from '../../types.ts';
import { useGrid } from './DagPage.tsx';
import { gridRuns } from './dag-urls.ts';
import { buildRows, type GridRow } from './grid-rows.ts';
import { RunPanel } from './RunPanel.tsx';
import { TaskPanel } from './TaskPanel.tsx';

const ROW_HEIGHT = 24;

export function GridView({ dagId }: { dagId: string }) {
  const [params] = useSearchParams();
  const numRuns = gridRuns(params.get('num_runs'));
  const grid = useGrid(dagId, numRuns);
  return <Loaded query={grid}>{() => <Grid data={grid.data!} />}</Loaded>;
}

function cellState(cell: GridCell): string | null {
  if (cell === null || typeof cell === 'string') return cell;
  return dominantState(cell.states);
}

function groupState(data: GridData, runIndex: number, taskIndexes: number[]): string | null {
  const counts: Record<string, number> = {};
  for (const i of taskIndexes) {
    const s = cellState(data.cells[runIndex]![i]!);
    if (s) counts[s] = (counts[s] ?? 0) + 1;
  }
  return dominantState(counts);
}

function Grid({ data }: { data: GridData }) {
  const [params, setParams] = useSearchParams();
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const rows = useMemo(() => buildRows(data, collapsed), [data, collapsed]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 20 });
  const runId = params.get('run_id');
  const taskId = params.get('task_id');
  const mapIndexRaw = params.get('map_index');
  const select = (next: { run_id?: string | null; task_id?: string | null; map_index?: number | null }) => {
    // Built on the address bar, not on this render's params: two quick changes both stick.
    setParams(() => {
      const p = new URLSearchParams(window.location.search);
      for (const [k, v] of Object.entries(next)) {
        if (v === null || v === undefined) p.delete(k);
        else p.set(k, String(v));
      }
      p.delete('try');
      return p;
    });
  };
  const toggle = (g: string) => {
    const next = new Set(collapsed);
    if (next.has(g)) next.delete(g);
    else next.add(g);
    setCollapsed(next);
  };
  const runInGrid = runId === null || data.runs.some((r) => r.run_id === runId);
  const taskKnown = taskId === null || data.tasks.some((t) => t.task_id === taskId);

  return (
    <div className="grid-layout">
      <div className="grid" data-testid="grid">
        <div className="grid-head">
          <div className="grid-name muted">{data.tasks.length} tasks · {data.runs.length} runs</div>
          <div className="grid-cells">
            {data.runs.map((r) => (
              <button key={r.run_id} className={`run-bar ${stateClass(r.state)} ${r.run_id === runId ? 'selected' : ''}`} title={`${r.run_id}\n${r.state}\n${fmtDate(r.logical_date)}`}
                data-run-id={r.run_id} data-state={r.state} onClick={() => select({ run_id: r.run_id, task_id: null, map_index: null })} />
            ))}
          </div>
        </div>
        <div className="grid-body" ref={scroller} data-testid="grid-body">
          <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
            {virtual.getVirtualItems().map((v) => {
              const row = rows[v.index]!;
              return (
                <div key={row.kind + row.id} className={`grid-row ${row.kind === 'task' && row.id === taskId ? 'selected' : ''}`} style={{ transform: `translateY(${v.start}px)`, height: ROW_HEIGHT }}
                  data-task-id={row.kind === 'task' ? row.id : undefined} data-group-id={row.kind === 'group' ? row.id : undefined}>
                  <RowName row={row} collapsed={collapsed.has(row.id)} onToggle={() => toggle(row.id)} onSelect={() => select({ task_id: row.id, map_index: null })} mapped={row.kind === 'task' && data.tasks[row.index]!.is_mapped} />
                  <div className="grid-cells">
                    {data.runs.map((r, ri) => {
                      if (row.kind === 'group') {
                        const s = groupState(data, ri, row.taskIndexes);
                        return <span key={r.run_id} className={`cell ${stateClass(s)}`} data-state={s ?? 'none'} onClick={() => toggle(row.id)} title={`${row.id}: ${s ?? 'no status'}`} />;
                      }
                      const cell = data.cells[ri]![row.index]!;
                      const s = cellState(cell);
                      const selected = r.run_id === runId && row.id === taskId;
                      return (
                        <button key={r.run_id} className={`cell ${stateClass(s)} ${selected ? 'selected' : ''}`} data-run-id={r.run_id} data-state={s ?? 'none'}
                          title={cell !== null && typeof cell === 'object' ? `${row.id}: ${mappedTitle(cell)}` : `${row.id}: ${s ?? 'no status'}`}
                          onClick={() => select({ run_id: r.run_id, task_id: row.id, map_index: null })}>
                          {cell !== null && typeof cell === 'object' ? <span className="count">{cell.total}</span> : null}
                        </button>
                      );
                    })}
                  </div>
                </div>
              );
            })}
          </div>
        </div>
      </div>
      <aside className="panel" data-testid="panel">
        {!runInGrid || !taskKnown ? (
          runInGrid ? <NotFound what={`The DAG has no task '${taskId}'.`} /> : <RunPanel dagId={data.dag_id} runId={runId!} />
        ) : runId && taskId ? (
          <TaskPanel dagId={data.dag_id} runId={runId} taskId={taskId} isMapped={data.tasks.find((t) => t.task_id === taskId)!.is_mapped} mapIndex={mapIndexRaw === null ? null : Number(mapIndexRaw)} onMapIndex={(m) => select({ map_index: m })} />
        ) : runId ? (
          <RunPanel dagId={data.dag_id} runId={runId} />
        ) : (
          <p className="muted">Select a run (the bars at the top) or a task instance (a square) to see its details.</p>
        )}
      </aside>
    </div>
  );
}

function RowName({ row, collapsed, onToggle, onSelect, mapped }: { row: GridRow; collapsed: boolean; onToggle: () => void; onSelect: () => void; mapped: boolean }) {
  const indent = { paddingLeft: 6 + row.depth * 14 };
  if (row.kind === 'group') {
    return (
      <button className="grid-name group" style={indent} onClick={onToggle} aria-expanded={!collapsed} title={row.id}>
        {collapsed ? '▸' : '▾'} {row.label}
      </button>
    );
  }
  return (
    <button className="grid-name" style={indent} onClick={onSelect} title={row.id}>
      {row.label}{mapped && <span className="muted"> [ ]</span>}
    </button>
  );
}

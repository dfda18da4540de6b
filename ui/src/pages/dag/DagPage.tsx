/**
 * One DAG: its header (pause switch, trigger, docs) and tabs — grid, graph, gantt, code, runs,
 * calendar, datasets — each at its own URL. An unknown DAG id is a not-found page.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { Navigate, NavLink, Route, Routes, useParams } from 'react-router-dom';
import { api, v1 } from '../../api.ts';
import { useCan } from '../../auth.tsx';
import { ErrorMessage, Loaded, NotFound } from '../../components/Problem.tsx';
import { ACTIVE_STATES, fmtDate } from '../../format.ts';
import type { DagDetails, GridCell, GridData, GridWire } from '../../types.ts';
import { TriggerDialog } from '../TriggerDialog.tsx';
import { CalendarView } from './CalendarView.tsx';
import { dagDetailsUrl, gridUrl } from './dag-urls.ts';
import { DagDatasetsView } from './DagDatasetsView.tsx';
import { GanttView } from './GanttView.tsx';
import { GridView } from './GridView.tsx';
import { RunsView } from './RunsView.tsx';

// The graph (layout engine) and code (highlighter) views and the Markdown renderer load on first use.
const Markdown = lazy(() => import('../../components/Markdown.tsx'));
const GraphView = lazy(() => import('./GraphView.tsx').then((m) => ({ default: m.GraphView })));
const CodeView = lazy(() => import('./CodeView.tsx').then((m) => ({ default: m.CodeView })));

/** The grid data (also drawn by the graph), refreshed while a run is active. */
export function useGrid(dagId: string, numRuns = 25) {
  return useQuery({
    queryKey: ['grid', dagId, numRuns],
    queryFn: async () => decodeGrid(await api<GridWire>(gridUrl(dagId, numRuns))),
    refetchInterval: (q) => {
      const d = q.state.data;
      if (!d) return false;
      const active = d.runs.some((r) => ACTIVE_STATES.has(r.state));
      return active ? 2000 : 10000;
    },
  });
}

/** Turns the compact answer's indexes back into states and mapped summaries. */
export function decodeGrid(w: GridWire): GridData {
  const cells: GridCell[][] = w.cells.map((row, ri) => row.map((i, ti) => (i >= 0 ? w.states[i]! : i === -2 ? w.mapped[`${ri}:${ti}`]! : null)));
  return { dag_id: w.dag_id, tasks: w.tasks, groups: w.groups, runs: w.runs, cells };
}

export function DagPage() {
  const dagId = useParams().dagId!;
  const details = useQuery({ queryKey: ['dag-details', dagId], queryFn: () => api<DagDetails>(dagDetailsUrl(dagId)) });
  return (
    <Loaded query={details} notFound={`There is no DAG '${dagId}'. It may have been deleted, or its file may have stopped defining it.`}>
      {() => <DagBody details={details.data!} />}
    </Loaded>
  );
}

function DagBody({ details }: { details: DagDetails }) {
  const dagId = details.dag_id;
  const can = useCan();
  const client = useQueryClient();
  const [triggering, setTriggering] = useState(false);
  const pause = useMutation({
    mutationFn: (is_paused: boolean) => api(v1`/dags/${dagId}` + '?update_mask=is_paused', { method: 'PATCH', body: { is_paused } }),
    onSettled: () => client.invalidateQueries({ queryKey: ['dag-details', dagId] }),
  });
  const base = `/dags/${encodeURIComponent(dagId)}`;
  const tabs = [['grid', 'Grid'], ['graph', 'Graph'], ['gantt', 'Gantt'], ['code', 'Code'], ['runs', 'Runs'], ['calendar', 'Calendar'], ['datasets', 'Datasets']];
  return (
    <div className="page dag-page">
      <div className="dag-header">
        <input type="checkbox" className="switch" checked={!details.is_paused} disabled={!can('edit', 'DAGs')} onChange={() => pause.mutate(!details.is_paused)} aria-label="Active" title={details.is_paused ? 'Paused' : 'Active'} />
        <h1 data-testid="dag-title">{dagId}</h1>
        <span className="muted">schedule <code>{details.timetable_description ?? 'None'}</code> · next run {fmtDate(details.next_dagrun)}</span>
        <span className="spacer" />
        {can('create', 'DAG Runs') && <button className="primary" onClick={() => setTriggering(true)} data-testid="trigger-button">▶ Trigger</button>}
      </div>
      <ErrorMessage error={pause.error} />
      {(details.description || details.doc_md) && (
        <details className="doc" data-testid="dag-doc">
          <summary>{details.description ?? 'Documentation'}</summary>
          {details.doc_md && (
            <Suspense fallback={<div className="loading">Loading…</div>}>
              <Markdown text={details.doc_md} testId="dag-doc-text" />
            </Suspense>
          )}
        </details>
      )}
      <nav className="tabs">
        {tabs.map(([path, label]) => <NavLink key={path} to={`${base}/${path}`} data-testid={`tab-${path}`}>{label}</NavLink>)}
      </nav>
      <Suspense fallback={<div className="loading">Loading…</div>}>
      <Routes>
        <Route index element={<Navigate to="grid" replace />} />
        <Route path="grid" element={<GridView dagId={dagId} />} />
        <Route path="graph" element={<GraphView dagId={dagId} />} />
        <Route path="gantt" element={<GanttView dagId={dagId} />} />
        <Route path="code" element={<CodeView details={details} />} />
        <Route path="runs" element={<RunsView dagId={dagId} />} />
        <Route path="calendar" element={<CalendarView dagId={dagId} />} />
        <Route path="datasets" element={<DagDatasetsView dagId={dagId} />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
      </Suspense>
      {triggering && <TriggerDialog dagId={dagId} onClose={() => setTriggering(false)} />}
    </div>
  );
}

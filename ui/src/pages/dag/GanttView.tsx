/** The gantt chart of one run: a bar per task instance from its start to its end (or now). */
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router-dom';
import { api, v1 } from '../../api.ts';
import { Loaded } from '../../components/Problem.tsx';
import { stateClass } from '../../components/State.tsx';
import { ACTIVE_STATES, fmtDate, fmtDuration } from '../../format.ts';
import type { TaskInstance } from '../../types.ts';
import { useGrid } from './DagPage.tsx';

export function GanttView({ dagId }: { dagId: string }) {
  const grid = useGrid(dagId);
  const [params, setParams] = useSearchParams();
  const runs = grid.data?.runs ?? [];
  const runId = params.get('run_id') ?? runs[runs.length - 1]?.run_id ?? null;
  return (
    <Loaded query={grid}>
      {() => runId === null ? <p className="muted">No runs yet.</p> : (
        <>
          <label className="inline">Run{' '}
            <select value={runId} onChange={(e) => setParams({ run_id: e.target.value })}>
              {[...runs].reverse().map((r) => <option key={r.run_id} value={r.run_id}>{r.run_id}</option>)}
            </select>
          </label>
          <Gantt dagId={dagId} runId={runId} />
        </>
      )}
    </Loaded>
  );
}

function Gantt({ dagId, runId }: { dagId: string; runId: string }) {
  const tis = useQuery({
    queryKey: ['gantt', dagId, runId],
    queryFn: () => api<{ task_instances: TaskInstance[] }>(v1`/dags/${dagId}/dagRuns/${runId}/taskInstances?limit=1000&order_by=start_date`),
    refetchInterval: (q) => (q.state.data?.task_instances.some((t) => ACTIVE_STATES.has(t.state ?? '')) ? 2000 : false),
  });
  return (
    <Loaded query={tis} notFound={`DAG '${dagId}' has no run '${runId}'.`}>
      {() => {
        const started = tis.data!.task_instances.filter((t) => t.start_date);
        if (started.length === 0) return <p className="muted">No task of this run has started yet.</p>;
        const now = Date.now();
        const t0 = Math.min(...started.map((t) => Date.parse(t.start_date!)));
        const t1 = Math.max(...started.map((t) => (t.end_date ? Date.parse(t.end_date) : now)));
        const span = Math.max(1, t1 - t0);
        return (
          <div className="gantt" data-testid="gantt">
            <div className="muted">{fmtDate(new Date(t0).toISOString())} → {fmtDate(new Date(t1).toISOString())} ({fmtDuration(span / 1000)})</div>
            {started.map((t) => {
              const s = Date.parse(t.start_date!);
              const e = t.end_date ? Date.parse(t.end_date) : now;
              return (
                <div className="gantt-row" key={`${t.task_id}:${t.map_index}`} data-task-id={t.task_id}>
                  <Link className="gantt-name" to={`/dags/${encodeURIComponent(dagId)}/grid?run_id=${encodeURIComponent(runId)}&task_id=${encodeURIComponent(t.task_id)}${t.map_index >= 0 ? `&map_index=${t.map_index}` : ''}`}>
                    {t.task_id}{t.map_index >= 0 ? ` [${t.map_index}]` : ''}
                  </Link>
                  <div className="gantt-track">
                    <div className={`gantt-bar ${stateClass(t.state)}`} style={{ left: `${((s - t0) / span) * 100}%`, width: `${Math.max(0.3, ((e - s) / span) * 100)}%` }} title={`${t.task_id}: ${t.state} ${fmtDuration((e - s) / 1000)}`} />
                  </div>
                </div>
              );
            })}
          </div>
        );
      }}
    </Loaded>
  );
}

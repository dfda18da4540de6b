/** The DAG's runs, newest first, filtered by state and run type (kept in the URL). */
import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { Link, useSearchParams } from 'react-router-dom';
import { api, qs, v1 } from '../../api.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { Loaded } from '../../components/Problem.tsx';
import { StateBadge } from '../../components/State.tsx';
import { ACTIVE_STATES, durationBetween, fmtDate, fmtDuration } from '../../format.ts';
import type { DagRun } from '../../types.ts';

export function RunsView({ dagId }: { dagId: string }) {
  const [params, setParams] = useSearchParams();
  const state = params.get('state') ?? '';
  const type = params.get('run_type') ?? '';
  const runs = useQuery({
    queryKey: ['runs', dagId, state],
    queryFn: () => api<{ dag_runs: DagRun[]; total_entries: number }>(v1`/dags/${dagId}/dagRuns` + qs({ limit: 500, order_by: '-execution_date', state: state ? [state] : undefined })),
    refetchInterval: (q) => (q.state.data?.dag_runs.some((r) => ACTIVE_STATES.has(r.state)) ? 3000 : false),
  });
  const set = (k: string, v: string) => {
    setParams(() => {
      const p = new URLSearchParams(window.location.search);
      if (v) p.set(k, v);
      else p.delete(k);
      return p;
    }, { replace: true });
  };
  const columns: Array<ColumnDef<DagRun, any>> = [
    { header: 'Run id', accessorKey: 'dag_run_id', cell: (c) => <Link to={`/dags/${encodeURIComponent(dagId)}/grid?run_id=${encodeURIComponent(c.getValue())}`}><code>{c.getValue()}</code></Link> },
    { header: 'State', accessorKey: 'state', cell: (c) => <StateBadge state={c.getValue()} /> },
    { header: 'Type', accessorKey: 'run_type' },
    { header: 'Logical date', accessorKey: 'logical_date', cell: (c) => fmtDate(c.getValue()) },
    { header: 'Started', accessorKey: 'start_date', cell: (c) => fmtDate(c.getValue()) },
    { header: 'Duration', id: 'duration', accessorFn: (r) => durationBetween(r.start_date, r.end_date), cell: (c) => fmtDuration(c.getValue()) },
    { header: 'Note', accessorKey: 'note' },
  ];
  return (
    <div>
      <div className="filters">
        <select value={state} onChange={(e) => set('state', e.target.value)} aria-label="State">
          <option value="">Any state</option>
          {['queued', 'running', 'success', 'failed'].map((s) => <option key={s}>{s}</option>)}
        </select>
        <select value={type} onChange={(e) => set('run_type', e.target.value)} aria-label="Run type">
          <option value="">Any type</option>
          {['manual', 'scheduled', 'backfill', 'dataset_triggered'].map((s) => <option key={s}>{s}</option>)}
        </select>
      </div>
      <Loaded query={runs}>
        {() => <DataTable testId="runs-table" data={runs.data!.dag_runs.filter((r) => !type || r.run_type === type)} columns={columns} empty="No runs match." />}
      </Loaded>
    </div>
  );
}

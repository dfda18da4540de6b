/**
 * ML: experiment runs of a DAG (each tracked try's params and final metrics in a sortable
 * table, and a line chart per metric of the selected run) and the model registry (versions,
 * stages, promote and rollback).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { Link, NavLink, Route, Routes, useSearchParams } from 'react-router-dom';
import { api, qs, v1 } from '../api.ts';
import { useCan } from '../auth.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { LineChart, type Series } from '../components/LineChart.tsx';
import { ErrorMessage, Loaded, NotFound } from '../components/Problem.tsx';
import { fmtDate } from '../format.ts';
import type { Dag } from '../types.ts';

interface TrackedTry { dagId: string; runId: string; taskId: string; mapIndex: number; tryNumber: number; params: Record<string, unknown>; metrics: Record<string, number>; firstLoggedAt: string }
interface MetricPoint { key: string; value: number; step: number; mapIndex: number; tryNumber: number }
interface ModelVersion { name: string; version: number; stage: string; description: string | null; metrics: Record<string, number>; params: Record<string, unknown>; source: { dagId: string; runId: string; taskId: string } | null; createdAt: string; stageChangedAt: string }

export function MlPage() {
  return (
    <div className="page">
      <h1>ML</h1>
      <nav className="tabs">
        <NavLink to="/ml" end>Experiments</NavLink>
        <NavLink to="/ml/models">Model registry</NavLink>
      </nav>
      <Routes>
        <Route index element={<Experiments />} />
        <Route path="models" element={<Models />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </div>
  );
}

function Experiments() {
  const [params, setParams] = useSearchParams();
  const dagId = params.get('dag_id') ?? '';
  const runId = params.get('run_id') ?? '';
  const dags = useQuery({ queryKey: ['dags-ids'], queryFn: () => api<{ dags: Dag[] }>(v1`/dags?limit=1000&fields=dag_id`) });
  const tries = useQuery({ queryKey: ['ml-runs', dagId], queryFn: () => api<{ tries: TrackedTry[] }>(`/ui/ml/runs${qs({ dag_id: dagId })}`), enabled: dagId !== '' });
  const paramKeys = useMemo(() => [...new Set((tries.data?.tries ?? []).flatMap((t) => Object.keys(t.params)))].sort(), [tries.data]);
  const metricKeys = useMemo(() => [...new Set((tries.data?.tries ?? []).flatMap((t) => Object.keys(t.metrics)))].sort(), [tries.data]);
  const columns: Array<ColumnDef<TrackedTry, any>> = [
    { header: 'Run', accessorKey: 'runId', cell: (c) => <button className="link" onClick={() => setParams({ dag_id: dagId, run_id: c.getValue() })}>{c.getValue()}</button> },
    { header: 'Task', id: 'task', accessorFn: (t) => `${t.taskId}${t.mapIndex >= 0 ? `[${t.mapIndex}]` : ''}` },
    { header: 'Try', accessorKey: 'tryNumber' },
    ...paramKeys.map((k): ColumnDef<TrackedTry, any> => ({ header: `param ${k}`, id: `p:${k}`, accessorFn: (t) => (t.params[k] === undefined ? '' : JSON.stringify(t.params[k])) })),
    ...metricKeys.map((k): ColumnDef<TrackedTry, any> => ({ header: k, id: `m:${k}`, accessorFn: (t) => t.metrics[k] ?? null, cell: (c) => (c.getValue() === null ? '' : Number(c.getValue()).toPrecision(4)) })),
    { header: 'Logged', accessorKey: 'firstLoggedAt', cell: (c) => fmtDate(c.getValue()) },
  ];
  return (
    <div>
      <div className="filters">
        <select value={dagId} onChange={(e) => setParams({ dag_id: e.target.value })} aria-label="DAG" data-testid="ml-dag">
          <option value="">Choose a DAG…</option>
          {(dags.data?.dags ?? []).map((d) => <option key={d.dag_id} value={d.dag_id}>{d.dag_id}</option>)}
        </select>
      </div>
      {dagId && (
        <Loaded query={tries}>
          {() => (
            <>
              <DataTable testId="ml-runs" data={tries.data!.tries} columns={columns} empty="This DAG tracked no params or metrics yet." />
              {runId && <RunCharts dagId={dagId} runId={runId} tries={tries.data!.tries.filter((t) => t.runId === runId)} />}
              {!runId && tries.data!.tries.length > 0 && <p className="muted">Pick a run to chart its metrics.</p>}
            </>
          )}
        </Loaded>
      )}
    </div>
  );
}

function RunCharts({ dagId, runId, tries }: { dagId: string; runId: string; tries: TrackedTry[] }) {
  const tasks = [...new Set(tries.map((t) => t.taskId))];
  const history = useQuery({
    queryKey: ['ml-metrics', dagId, runId, tasks],
    queryFn: async () => (await Promise.all(tasks.map((taskId) => api<{ points: MetricPoint[] }>(`/ui/ml/metrics${qs({ dag_id: dagId, run_id: runId, task_id: taskId })}`).then((r) => r.points.map((p) => ({ ...p, taskId })))))).flat(),
  });
  return (
    <Loaded query={history}>
      {() => {
        const byKey = new Map<string, Map<string, Series>>();
        for (const p of history.data!) {
          const series = byKey.get(p.key) ?? new Map<string, Series>();
          const label = `${p.taskId}${p.mapIndex >= 0 ? `[${p.mapIndex}]` : ''} try ${p.tryNumber}`;
          const s = series.get(label) ?? { label, points: [] };
          s.points.push({ step: p.step, value: p.value });
          series.set(label, s);
          byKey.set(p.key, series);
        }
        if (byKey.size === 0) return <p className="muted">Run {runId} logged no metrics.</p>;
        return (
          <div className="charts" data-testid="ml-charts">
            <h3>Metrics of <code>{runId}</code></h3>
            {[...byKey.entries()].sort().map(([key, series]) => <LineChart key={key} title={key} series={[...series.values()]} />)}
          </div>
        );
      }}
    </Loaded>
  );
}

function Models() {
  const models = useQuery({ queryKey: ['ml-models'], queryFn: () => api<{ versions: ModelVersion[] }>('/ui/ml/models') });
  const can = useCan();
  const client = useQueryClient();
  const done = () => client.invalidateQueries({ queryKey: ['ml-models'] });
  const stage = useMutation({ mutationFn: (v: { name: string; version: number; stage: string }) => api(`/ui/ml/models/${encodeURIComponent(v.name)}/versions/${v.version}/stage`, { method: 'POST', body: { stage: v.stage } }), onSettled: done });
  const rollback = useMutation({ mutationFn: (name: string) => api(`/ui/ml/models/${encodeURIComponent(name)}/rollback`, { method: 'POST' }), onSettled: done });
  return (
    <Loaded query={models}>
      {() => {
        const byName = new Map<string, ModelVersion[]>();
        for (const v of models.data!.versions) byName.set(v.name, [...(byName.get(v.name) ?? []), v]);
        if (byName.size === 0) return <p className="muted">No model is registered yet: a task registers one with ctx.ml.registerModel.</p>;
        return (
          <div data-testid="models">
            <ErrorMessage error={stage.error ?? rollback.error} />
            {[...byName.entries()].map(([name, versions]) => (
              <section key={name} className="card">
                <h2>{name} {can('edit', 'ML') && <button onClick={() => rollback.mutate(name)} data-testid={`rollback-${name}`}>Roll back production</button>}</h2>
                <table className="table">
                  <thead><tr><th>Version</th><th>Stage</th><th>Metrics</th><th>Source</th><th>Created</th><th /></tr></thead>
                  <tbody>
                    {[...versions].reverse().map((v) => (
                      <tr key={v.version} data-version={v.version}>
                        <td>v{v.version}</td>
                        <td><span className={`badge stage-${v.stage}`}>{v.stage}</span></td>
                        <td>{Object.entries(v.metrics).map(([k, x]) => `${k}=${x.toPrecision(3)}`).join(', ')}</td>
                        <td>{v.source ? <Link to={`/dags/${encodeURIComponent(v.source.dagId)}/grid?run_id=${encodeURIComponent(v.source.runId)}&task_id=${encodeURIComponent(v.source.taskId)}`}>{v.source.dagId}.{v.source.taskId}</Link> : '—'}</td>
                        <td>{fmtDate(v.createdAt)}</td>
                        <td>
                          {can('edit', 'ML') && v.stage !== 'production' && <button onClick={() => stage.mutate({ name, version: v.version, stage: 'production' })}>Promote to production</button>}
                          {can('edit', 'ML') && v.stage === 'none' && <button onClick={() => stage.mutate({ name, version: v.version, stage: 'staging' })}>To staging</button>}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            ))}
          </div>
        );
      }}
    </Loaded>
  );
}

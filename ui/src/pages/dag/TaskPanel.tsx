/**
 * A task instance: state, tries (each with its log, followed live while running), XComs,
 * rendered templates and the reasons it is not running yet; actions to mark it success or
 * failed and to clear it (with downstream, upstream and recursive options). A mapped task
 * first lists its copies; picking one drills down to it (`map_index` in the URL).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api, qs, v1 } from '../../api.ts';
import { useCan } from '../../auth.tsx';
import { ErrorMessage, Loaded } from '../../components/Problem.tsx';
import { StateBadge } from '../../components/State.tsx';
import { ACTIVE_STATES, fmtDate, fmtDuration } from '../../format.ts';
import type { TaskInstance } from '../../types.ts';
import { TaskLog } from './TaskLog.tsx';

interface Props { dagId: string; runId: string; taskId: string; isMapped: boolean; mapIndex: number | null; onMapIndex: (m: number | null) => void }

export function TaskPanel(p: Props) {
  if (p.isMapped && p.mapIndex === null) return <MappedList {...p} />;
  return <TaskInstanceView {...p} mapIndex={p.mapIndex ?? -1} />;
}

function tiPath(dagId: string, runId: string, taskId: string, mapIndex: number): string {
  return v1`/dags/${dagId}/dagRuns/${runId}/taskInstances/${taskId}` + (mapIndex >= 0 ? `/${mapIndex}` : '');
}

function MappedList({ dagId, runId, taskId, onMapIndex }: Props) {
  const list = useQuery({
    queryKey: ['mapped', dagId, runId, taskId],
    queryFn: () => api<{ task_instances: TaskInstance[]; total_entries: number }>(v1`/dags/${dagId}/dagRuns/${runId}/taskInstances/${taskId}/listMapped?limit=1000`),
    refetchInterval: (q) => (q.state.data?.task_instances.some((t) => ACTIVE_STATES.has(t.state ?? '')) ? 2000 : false),
  });
  return (
    <div data-testid="mapped-list">
      <h2>{taskId} <small className="muted">mapped</small></h2>
      <Loaded query={list} notFound={`Run '${runId}' has no task instance '${taskId}'.`}>
        {() => (
          <>
            <p className="muted">{list.data!.total_entries} copies in run <code>{runId}</code>. Pick one:</p>
            <table className="table">
              <thead><tr><th>Map index</th><th>State</th><th>Try</th><th>Duration</th></tr></thead>
              <tbody>
                {list.data!.task_instances.map((t) => (
                  <tr key={t.map_index} className="clickable" onClick={() => onMapIndex(t.map_index)} data-map-index={t.map_index}>
                    <td>{t.map_index}</td><td><StateBadge state={t.state} /></td><td>{t.try_number}</td><td>{fmtDuration(t.duration)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Loaded>
    </div>
  );
}

function TaskInstanceView({ dagId, runId, taskId, mapIndex, isMapped, onMapIndex }: Props & { mapIndex: number }) {
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'log';
  const setTab = (t: string) => {
    setParams(() => {
      const p = new URLSearchParams(window.location.search);
      p.set('tab', t);
      return p;
    }, { replace: true });
  };
  const ti = useQuery({
    queryKey: ['ti', dagId, runId, taskId, mapIndex],
    queryFn: () => api<TaskInstance>(tiPath(dagId, runId, taskId, mapIndex)),
    refetchInterval: (q) => (!q.state.data || ACTIVE_STATES.has(q.state.data.state ?? '') || q.state.data.state === null ? 1500 : 10000),
  });
  return (
    <Loaded query={ti} notFound={`Run '${runId}' has no task instance '${taskId}'${mapIndex >= 0 ? ` with map index ${mapIndex}` : ''}.`}>
      {() => {
        const t = ti.data!;
        const tryParam = Number(params.get('try')) || t.try_number;
        return (
          <div data-testid="task-panel">
            <h2>
              {taskId}{mapIndex >= 0 && <small> [{mapIndex}]</small>} <StateBadge state={t.state} />
            </h2>
            {isMapped && <button className="link" onClick={() => onMapIndex(null)}>← all mapped copies</button>}
            <dl className="props">
              <dt>Run</dt><dd><code>{runId}</code></dd>
              <dt>Operator</dt><dd>{t.operator}</dd>
              <dt>Try</dt><dd data-testid="try-number">{t.try_number} of {t.max_tries + 1}</dd>
              <dt>Started</dt><dd>{fmtDate(t.start_date)}</dd>
              <dt>Ended</dt><dd>{fmtDate(t.end_date)}</dd>
              <dt>Duration</dt><dd>{fmtDuration(t.duration)}</dd>
              <dt>Pool</dt><dd>{t.pool}</dd>
              {t.hostname && (<><dt>Host</dt><dd>{t.hostname}</dd></>)}
            </dl>
            <Actions dagId={dagId} runId={runId} taskId={taskId} mapIndex={mapIndex} />
            <nav className="tabs small">
              {['log', 'xcom', 'rendered', 'dependencies'].map((x) => <button key={x} className={tab === x ? 'on' : ''} onClick={() => setTab(x)} data-testid={`ti-tab-${x}`}>{x}</button>)}
            </nav>
            {tab === 'log' && (
              t.try_number === 0 ? <p className="muted">No try has started yet.</p> : (
                <>
                  <div className="tries" data-testid="tries">
                    {Array.from({ length: t.try_number }, (_, i) => i + 1).map((n) => (
                      <button key={n} className={n === tryParam ? 'on' : ''} onClick={() => setParams(() => { const p = new URLSearchParams(window.location.search); p.set('try', String(n)); return p; }, { replace: true })}>try {n}</button>
                    ))}
                  </div>
                  <TaskLog dagId={dagId} runId={runId} taskId={taskId} mapIndex={mapIndex} tryNumber={Math.min(tryParam, t.try_number)} />
                </>
              )
            )}
            {tab === 'xcom' && <XComs dagId={dagId} runId={runId} taskId={taskId} mapIndex={mapIndex} />}
            {tab === 'rendered' && (
              Object.keys(t.rendered_fields ?? {}).length === 0 ? <p className="muted">No templated fields were rendered.</p> : (
                <dl className="props">
                  {Object.entries(t.rendered_fields).map(([k, v]) => (<Fragment key={k}><dt>{k}</dt><dd><pre className="code">{typeof v === 'string' ? v : JSON.stringify(v, null, 2)}</pre></dd></Fragment>))}
                </dl>
              )
            )}
            {tab === 'dependencies' && <Dependencies dagId={dagId} runId={runId} taskId={taskId} mapIndex={mapIndex} />}
          </div>
        );
      }}
    </Loaded>
  );
}

function Actions({ dagId, runId, taskId, mapIndex }: { dagId: string; runId: string; taskId: string; mapIndex: number }) {
  const can = useCan();
  const client = useQueryClient();
  const [downstream, setDownstream] = useState(false);
  const [upstream, setUpstream] = useState(false);
  const [recursive, setRecursive] = useState(false);
  const done = () => client.invalidateQueries();
  const mark = useMutation({ mutationFn: (new_state: string) => api(tiPath(dagId, runId, taskId, mapIndex), { method: 'PATCH', body: { dry_run: false, new_state } }), onSettled: done });
  const clear = useMutation({
    mutationFn: () => api<{ task_instances: unknown[] }>(v1`/dags/${dagId}/clearTaskInstances`, {
      method: 'POST',
      body: { dry_run: false, task_ids: [taskId], dag_run_id: runId, only_failed: false, include_downstream: downstream, include_upstream: upstream, include_subdags: recursive },
    }),
    onSettled: done,
  });
  if (!can('edit', 'Task Instances')) return null;
  return (
    <div className="actions-box" data-testid="ti-actions">
      <div className="actions">
        <button onClick={() => clear.mutate()} data-testid="clear-task">Clear</button>
        <label className="inline"><input type="checkbox" checked={downstream} onChange={(e) => setDownstream(e.target.checked)} /> downstream</label>
        <label className="inline"><input type="checkbox" checked={upstream} onChange={(e) => setUpstream(e.target.checked)} /> upstream</label>
        <label className="inline" title="Also clear the tasks of other DAGs that ExternalTaskMarkers among the cleared tasks point at, with their downstream tasks, recursively.">
          <input type="checkbox" checked={recursive} onChange={(e) => setRecursive(e.target.checked)} data-testid="clear-recursive" /> recursive
        </label>
      </div>
      <div className="actions">
        <button onClick={() => mark.mutate('success')} data-testid="mark-success">Mark success</button>
        <button onClick={() => mark.mutate('failed')} data-testid="mark-failed">Mark failed</button>
      </div>
      {clear.data && <p className="muted">Cleared {clear.data.task_instances.length} task instance(s).</p>}
      <ErrorMessage error={mark.error ?? clear.error} />
    </div>
  );
}

function XComs({ dagId, runId, taskId, mapIndex }: { dagId: string; runId: string; taskId: string; mapIndex: number }) {
  const base = v1`/dags/${dagId}/dagRuns/${runId}/taskInstances/${taskId}/xcomEntries`;
  const list = useQuery({
    queryKey: ['xcoms', dagId, runId, taskId, mapIndex],
    queryFn: async () => {
      const l = await api<{ xcom_entries: Array<{ key: string }> }>(base + qs({ map_index: mapIndex }));
      return Promise.all(l.xcom_entries.map((e) => api<{ key: string; value: string }>(`${base}/${encodeURIComponent(e.key)}` + qs({ map_index: mapIndex })).catch((err: Error) => ({ key: e.key, value: `(${err.message})` }))));
    },
  });
  return (
    <Loaded query={list}>
      {() => list.data!.length === 0 ? <p className="muted">No XComs.</p> : (
        <table className="table" data-testid="xcoms">
          <thead><tr><th>Key</th><th>Value</th></tr></thead>
          <tbody>{list.data!.map((x) => <tr key={x.key}><td><code>{x.key}</code></td><td><pre className="code">{x.value}</pre></td></tr>)}</tbody>
        </table>
      )}
    </Loaded>
  );
}

function Dependencies({ dagId, runId, taskId, mapIndex }: { dagId: string; runId: string; taskId: string; mapIndex: number }) {
  const deps = useQuery({ queryKey: ['deps', dagId, runId, taskId, mapIndex], queryFn: () => api<{ dependencies: Array<{ name: string; reason: string }> }>(tiPath(dagId, runId, taskId, mapIndex) + '/dependencies') });
  return (
    <Loaded query={deps}>
      {() => deps.data!.dependencies.length === 0 ? <p className="muted">Nothing is holding this task instance back.</p> : (
        <table className="table" data-testid="dependencies">
          <thead><tr><th>Dependency</th><th>Reason</th></tr></thead>
          <tbody>{deps.data!.dependencies.map((d, i) => <tr key={i}><td>{d.name}</td><td>{d.reason}</td></tr>)}</tbody>
        </table>
      )}
    </Loaded>
  );
}

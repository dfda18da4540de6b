/**
 * The DAG list: search, tag, last-run-state and paused filters (kept in the URL), each DAG's
 * schedule, next run and latest runs as coloured squares, a pause switch and a trigger button,
 * and a banner listing the DAG files that failed to import. Rows are virtualised (TanStack
 * Virtual): only those on screen are in the page, so hundreds of DAGs draw at once.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState, type MouseEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api, v1 } from '../api.ts';
import { useCan } from '../auth.tsx';
import { ErrorMessage } from '../components/Problem.tsx';
import { stateClass } from '../components/State.tsx';
import { ACTIVE_STATES, fmtDate } from '../format.ts';
import type { Dag } from '../types.ts';
import { dagListUrl, RECENT_RUNS_URL } from './dag-list-urls.ts';
import { TriggerDialog } from './TriggerDialog.tsx';

/** A row's height in pixels; `.dag-row` in styles.css sets the same. */
const ROW_HEIGHT = 52;

interface RecentRun { run_id: string; state: string; logical_date: string }
interface ImportError { import_error_id: number; filename: string; stack_trace: string; timestamp: string }

export function DagsPage() {
  const [params, setParams] = useSearchParams();
  const search = params.get('search') ?? '';
  const tag = params.get('tag') ?? '';
  const state = params.get('state') ?? '';
  const paused = params.get('paused') ?? 'all';
  const set = (k: string, v: string) => {
    setParams(() => {
      const p = new URLSearchParams(window.location.search);
      if (v && v !== 'all') p.set(k, v);
      else p.delete(k);
      return p;
    }, { replace: true });
  };
  const can = useCan();
  const [triggering, setTriggering] = useState<string | null>(null);
  const client = useQueryClient();

  const dags = useQuery({
    queryKey: ['dags', search, tag, paused],
    queryFn: () => api<{ dags: Dag[]; total_entries: number }>(dagListUrl({ search, tag, paused })),
  });
  const recent = useQuery({
    queryKey: ['recent-runs'],
    queryFn: () => api<{ dag_runs: Record<string, RecentRun[]> }>(RECENT_RUNS_URL),
    refetchInterval: (q) => (Object.values(q.state.data?.dag_runs ?? {}).some((runs) => runs.some((r) => ACTIVE_STATES.has(r.state))) ? 3000 : 15000),
  });
  // Unfiltered, the list itself names every tag; filtered, the tags come from a small query.
  const filtered = Boolean(tag || search || paused !== 'all');
  const allTags = useQuery({ queryKey: ['dags-tags'], queryFn: () => api<{ dags: Dag[] }>(v1`/dags?limit=1000&fields=dag_id,tags`), enabled: filtered });
  const importErrors = useQuery({ queryKey: ['import-errors'], queryFn: () => api<{ import_errors: ImportError[] }>(v1`/importErrors?limit=100`), enabled: can('read', 'Import Errors') });
  const pause = useMutation({
    mutationFn: (d: { dag_id: string; is_paused: boolean }) => api(v1`/dags/${d.dag_id}` + '?update_mask=is_paused', { method: 'PATCH', body: { is_paused: d.is_paused } }),
    onSettled: () => client.invalidateQueries({ queryKey: ['dags'] }),
  });

  const tagSource = filtered ? allTags.data : dags.data;
  const tags = useMemo(() => [...new Set((tagSource?.dags ?? []).flatMap((d) => d.tags.map((t) => t.name)))].sort(), [tagSource]);
  const runsOf = (id: string) => recent.data?.dag_runs[id] ?? [];
  const rows = (dags.data?.dags ?? []).filter((d) => !state || runsOf(d.dag_id)[0]?.state === state);
  const scroller = useRef<HTMLDivElement>(null);
  // Every row is ROW_HEIGHT tall (styles.css), so rows are never measured: measuring each row
  // forces a layout per row on the first screen.
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  const navigate = useNavigate();
  // The squares are plain links (a router Link per square costs a route resolution each);
  // a plain click still navigates inside the app.
  const follow = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(e.currentTarget.getAttribute('href')!);
  };
  const virtualRows = virtual.getVirtualItems();
  const padTop = virtualRows[0]?.start ?? 0;
  const padBottom = virtualRows.length ? virtual.getTotalSize() - virtualRows[virtualRows.length - 1]!.end : 0;

  return (
    <div className="page" data-testid="dags-page">
      <h1>DAGs</h1>
      {importErrors.data && importErrors.data.import_errors.length > 0 && (
        <div className="banner error" data-testid="import-errors" role="alert">
          <strong>{importErrors.data.import_errors.length} DAG file(s) failed to import</strong>
          {importErrors.data.import_errors.map((e) => (
            <details key={e.import_error_id}>
              <summary>{e.filename}</summary>
              <pre className="log">{e.stack_trace}</pre>
            </details>
          ))}
        </div>
      )}
      <div className="filters">
        <input placeholder="Search DAGs" value={search} onChange={(e) => set('search', e.target.value)} data-testid="dag-search" />
        <select value={tag} onChange={(e) => set('tag', e.target.value)} aria-label="Tag">
          <option value="">All tags</option>
          {tags.map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
        <select value={state} onChange={(e) => set('state', e.target.value)} aria-label="Last run state">
          <option value="">Any last run</option>
          {['success', 'failed', 'running', 'queued'].map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <div className="segmented" role="group" aria-label="Paused">
          {['all', 'active', 'paused'].map((p) => (
            <button key={p} className={paused === p ? 'on' : ''} onClick={() => set('paused', p)}>{p}</button>
          ))}
        </div>
      </div>
      <ErrorMessage error={dags.error} />
      <div className="muted" data-testid="dag-count">{dags.data ? `${rows.length} DAG${rows.length === 1 ? '' : 's'}` : ''}</div>
      <div className="dag-scroll" ref={scroller}>
      <table className="table dag-table" data-testid="dag-table">
        <thead>
          <tr><th>Active</th><th>DAG</th><th>Schedule</th><th>Next run</th><th>Latest runs</th><th /></tr>
        </thead>
        <tbody>
          {dags.isPending && <tr><td colSpan={6}>Loading…</td></tr>}
          {dags.data && rows.length === 0 && <tr><td colSpan={6} className="muted">No DAG matches.</td></tr>}
          {padTop > 0 && <tr style={{ height: padTop }} aria-hidden />}
          {virtualRows.map((v) => {
            const d = rows[v.index]!;
            return (
            <tr key={d.dag_id} data-dag-id={d.dag_id} data-index={v.index} className="dag-row">
              <td>
                <input type="checkbox" className="switch" title={d.is_paused ? 'Paused: click to unpause' : 'Active: click to pause'} checked={!d.is_paused} disabled={!can('edit', 'DAGs')}
                  onChange={() => pause.mutate({ dag_id: d.dag_id, is_paused: !d.is_paused })} aria-label={`Pause ${d.dag_id}`} />
              </td>
              <td>
                <Link to={`/dags/${encodeURIComponent(d.dag_id)}/grid`} className="dag-link">{d.dag_id}</Link>
                {d.has_import_errors && <span className="badge st-failed" title="The DAG file has an import error">import error</span>}
                <div className="tags">{d.tags.map((t) => <button key={t.name} className="tag" onClick={() => set('tag', t.name)}>{t.name}</button>)}</div>
              </td>
              <td><code>{d.timetable_description ?? 'None'}</code></td>
              <td>{fmtDate(d.next_dagrun)}</td>
              <td>
                <div className="squares">
                  {[...runsOf(d.dag_id)].reverse().map((r) => (
                    <a key={r.run_id} href={`/dags/${encodeURIComponent(d.dag_id)}/grid?run_id=${encodeURIComponent(r.run_id)}`} onClick={follow} className={`sq ${stateClass(r.state)}`} title={`${r.run_id}: ${r.state}`} data-state={r.state} />
                  ))}
                </div>
              </td>
              <td>
                {can('create', 'DAG Runs') && <button onClick={() => setTriggering(d.dag_id)} title="Trigger a run" data-testid={`trigger-${d.dag_id}`}>▶ Trigger</button>}
              </td>
            </tr>
            );
          })}
          {padBottom > 0 && <tr style={{ height: padBottom }} aria-hidden />}
        </tbody>
      </table>
      </div>
      {pause.error && <ErrorMessage error={pause.error} />}
      {triggering && <TriggerDialog dagId={triggering} onClose={() => setTriggering(null)} />}
    </div>
  );
}

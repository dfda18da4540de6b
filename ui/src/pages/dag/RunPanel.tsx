/** A DAG run's details (state, dates, conf, note) and its actions: mark success/failed, clear. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, v1 } from '../../api.ts';
import { useCan } from '../../auth.tsx';
import { ErrorMessage, Loaded } from '../../components/Problem.tsx';
import { StateBadge } from '../../components/State.tsx';
import { ACTIVE_STATES, durationBetween, fmtDate, fmtDuration } from '../../format.ts';
import type { DagRun } from '../../types.ts';

export function RunPanel({ dagId, runId }: { dagId: string; runId: string }) {
  const run = useQuery({
    queryKey: ['run', dagId, runId],
    queryFn: () => api<DagRun>(v1`/dags/${dagId}/dagRuns/${runId}`),
    refetchInterval: (q) => (q.state.data && ACTIVE_STATES.has(q.state.data.state) ? 2000 : false),
  });
  const can = useCan();
  const client = useQueryClient();
  const done = () => client.invalidateQueries();
  const setState = useMutation({ mutationFn: (state: string) => api(v1`/dags/${dagId}/dagRuns/${runId}`, { method: 'PATCH', body: { state } }), onSettled: done });
  const clear = useMutation({ mutationFn: () => api(v1`/dags/${dagId}/dagRuns/${runId}/clear`, { method: 'POST', body: { dry_run: false } }), onSettled: done });
  return (
    <Loaded query={run} notFound={`DAG '${dagId}' has no run '${runId}'.`}>
      {() => {
        const r = run.data!;
        return (
          <div data-testid="run-panel">
            <h2>Run <code>{r.dag_run_id}</code></h2>
            <dl className="props">
              <dt>State</dt><dd><StateBadge state={r.state} /></dd>
              <dt>Type</dt><dd>{r.run_type}</dd>
              <dt>Logical date</dt><dd>{fmtDate(r.logical_date)}</dd>
              <dt>Data interval</dt><dd>{fmtDate(r.data_interval_start)} → {fmtDate(r.data_interval_end)}</dd>
              <dt>Started</dt><dd>{fmtDate(r.start_date)}</dd>
              <dt>Ended</dt><dd>{fmtDate(r.end_date)}</dd>
              <dt>Duration</dt><dd>{fmtDuration(durationBetween(r.start_date, r.end_date))}</dd>
              {r.note && (<><dt>Note</dt><dd>{r.note}</dd></>)}
            </dl>
            <h3>Conf</h3>
            <pre className="code" data-testid="run-conf">{JSON.stringify(r.conf ?? {}, null, 2)}</pre>
            {can('edit', 'DAG Runs') && (
              <div className="actions">
                <button onClick={() => clear.mutate()} data-testid="clear-run">Clear run</button>
                <button onClick={() => setState.mutate('success')}>Mark success</button>
                <button onClick={() => setState.mutate('failed')}>Mark failed</button>
              </div>
            )}
            <ErrorMessage error={setState.error ?? clear.error} />
          </div>
        );
      }}
    </Loaded>
  );
}

/** Runs per day, as a calendar of the weeks that had runs: each day coloured by its outcome. */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api, v1 } from '../../api.ts';
import { Loaded } from '../../components/Problem.tsx';
import type { DagRun } from '../../types.ts';

interface Day { date: string; total: number; failed: number; success: number; active: number }

export function CalendarView({ dagId }: { dagId: string }) {
  const runs = useQuery({ queryKey: ['calendar', dagId], queryFn: () => api<{ dag_runs: DagRun[] }>(v1`/dags/${dagId}/dagRuns?limit=1000&order_by=-execution_date`) });
  return (
    <Loaded query={runs}>
      {() => {
        const days = new Map<string, Day>();
        for (const r of runs.data!.dag_runs) {
          const date = r.logical_date.slice(0, 10);
          const d = days.get(date) ?? { date, total: 0, failed: 0, success: 0, active: 0 };
          d.total++;
          if (r.state === 'failed') d.failed++;
          else if (r.state === 'success') d.success++;
          else d.active++;
          days.set(date, d);
        }
        if (days.size === 0) return <p className="muted">No runs yet.</p>;
        const dates = [...days.keys()].sort();
        const first = new Date(`${dates[0]}T00:00:00Z`);
        first.setUTCDate(first.getUTCDate() - first.getUTCDay());
        const last = new Date(`${dates[dates.length - 1]}T00:00:00Z`);
        const weeks: string[][] = [];
        for (const d = new Date(first); d <= last; ) {
          const week: string[] = [];
          for (let i = 0; i < 7; i++, d.setUTCDate(d.getUTCDate() + 1)) week.push(d.toISOString().slice(0, 10));
          weeks.push(week);
        }
        return (
          <div className="calendar" data-testid="calendar">
            {weeks.map((w) => (
              <div className="cal-week" key={w[0]}>
                {w.map((date) => {
                  const d = days.get(date);
                  const cls = !d ? 'st-none' : d.failed ? 'st-failed' : d.active ? 'st-running' : 'st-success';
                  const title = d ? `${date}: ${d.total} run(s), ${d.success} success, ${d.failed} failed, ${d.active} other` : date;
                  return d ? <Link key={date} to={`/dags/${encodeURIComponent(dagId)}/runs`} className={`cal-day st ${cls}`} title={title} data-date={date} data-runs={d.total} /> : <span key={date} className={`cal-day st ${cls}`} title={title} />;
                })}
              </div>
            ))}
          </div>
        );
      }}
    </Loaded>
  );
}

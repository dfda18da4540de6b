/** The datasets this DAG is scheduled on and those its tasks update, with the DAGs on the other side. */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api, v1 } from '../../api.ts';
import { Loaded } from '../../components/Problem.tsx';

export interface Dataset { id: number; uri: string; consuming_dags: Array<{ dag_id: string }>; producing_tasks: Array<{ dag_id: string; task_id: string }>; updated_at: string }

const dagLink = (id: string) => <Link to={`/dags/${encodeURIComponent(id)}/grid`}>{id}</Link>;

export function DagDatasetsView({ dagId }: { dagId: string }) {
  const ds = useQuery({ queryKey: ['datasets'], queryFn: () => api<{ datasets: Dataset[] }>(v1`/datasets?limit=1000`) });
  return (
    <Loaded query={ds}>
      {() => {
        const consumed = ds.data!.datasets.filter((d) => d.consuming_dags.some((c) => c.dag_id === dagId));
        const produced = ds.data!.datasets.filter((d) => d.producing_tasks.some((p) => p.dag_id === dagId));
        return (
          <div className="two-cols" data-testid="dag-datasets">
            <section>
              <h3>Scheduled on</h3>
              {consumed.length === 0 ? <p className="muted">No dataset.</p> : consumed.map((d) => (
                <div key={d.id} className="card"><code>{d.uri}</code><div className="muted">updated by {d.producing_tasks.map((p, i) => <span key={i}>{dagLink(p.dag_id)}.{p.task_id} </span>)}</div></div>
              ))}
            </section>
            <section>
              <h3>Updates</h3>
              {produced.length === 0 ? <p className="muted">No dataset.</p> : produced.map((d) => (
                <div key={d.id} className="card"><code>{d.uri}</code><div className="muted">by {d.producing_tasks.filter((p) => p.dag_id === dagId).map((p) => p.task_id).join(', ')}; triggers {d.consuming_dags.map((c) => <span key={c.dag_id}>{dagLink(c.dag_id)} </span>)}</div></div>
              ))}
            </section>
          </div>
        );
      }}
    </Loaded>
  );
}

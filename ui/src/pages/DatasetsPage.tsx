/** Every dataset, the tasks that update it, the DAGs it schedules, and its latest events. */
import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { Link } from 'react-router-dom';
import { api, v1 } from '../api.ts';
import { DataTable } from '../components/DataTable.tsx';
import { Loaded } from '../components/Problem.tsx';
import { fmtDate } from '../format.ts';
import type { Dataset } from './dag/DagDatasetsView.tsx';

interface DatasetEvent { id: number; dataset_uri: string; source_dag_id: string | null; source_task_id: string | null; source_run_id: string | null; timestamp: string }

const dagLink = (id: string) => <Link key={id} to={`/dags/${encodeURIComponent(id)}/grid`}>{id}</Link>;

export function DatasetsPage() {
  const ds = useQuery({ queryKey: ['datasets'], queryFn: () => api<{ datasets: Dataset[] }>(v1`/datasets?limit=1000`) });
  const events = useQuery({ queryKey: ['dataset-events'], queryFn: () => api<{ dataset_events: DatasetEvent[] }>(v1`/datasets/events?limit=50&order_by=-timestamp`), refetchInterval: 10000 });
  const columns: Array<ColumnDef<Dataset, any>> = [
    { header: 'URI', accessorKey: 'uri', cell: (c) => <code>{c.getValue()}</code> },
    { header: 'Updated by', id: 'producers', accessorFn: (d) => d.producing_tasks.map((p) => `${p.dag_id}.${p.task_id}`).join(', '), cell: (c) => c.row.original.producing_tasks.map((p) => <div key={`${p.dag_id}.${p.task_id}`}>{dagLink(p.dag_id)}.{p.task_id}</div>) },
    { header: 'Schedules', id: 'consumers', accessorFn: (d) => d.consuming_dags.map((x) => x.dag_id).join(', '), cell: (c) => c.row.original.consuming_dags.map((x) => <div key={x.dag_id}>{dagLink(x.dag_id)}</div>) },
    { header: 'Updated', accessorKey: 'updated_at', cell: (c) => fmtDate(c.getValue()) },
  ];
  const evColumns: Array<ColumnDef<DatasetEvent, any>> = [
    { header: 'When', accessorKey: 'timestamp', cell: (c) => fmtDate(c.getValue()) },
    { header: 'Dataset', accessorKey: 'dataset_uri', cell: (c) => <code>{c.getValue()}</code> },
    { header: 'Source', id: 'source', accessorFn: (e) => `${e.source_dag_id ?? ''}.${e.source_task_id ?? ''}`, cell: (c) => c.row.original.source_dag_id ? <>{dagLink(c.row.original.source_dag_id)}.{c.row.original.source_task_id}</> : 'API' },
  ];
  return (
    <div className="page" data-testid="datasets-page">
      <h1>Datasets</h1>
      <Loaded query={ds}>{() => <DataTable data={ds.data!.datasets} columns={columns} empty="No datasets yet: a task with outlets creates them." />}</Loaded>
      <h2>Latest events</h2>
      <Loaded query={events}>{() => <DataTable data={events.data!.dataset_events} columns={evColumns} empty="No dataset events yet." />}</Loaded>
    </div>
  );
}

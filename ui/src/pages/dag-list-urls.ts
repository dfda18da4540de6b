/** The DAG list's data URLs, shared by the page and the entry that requests them early. */
import { qs, v1 } from '../api.ts';

/** The DAGs of the list, with the list's filters. */
export function dagListUrl(f: { search: string; tag: string; paused: string }): string {
  return v1`/dags` + qs({
    limit: 1000, fields: 'dag_id,is_paused,tags,timetable_description,next_dagrun,has_import_errors', dag_id_pattern: f.search,
    tags: f.tag ? [f.tag] : undefined, paused: f.paused === 'all' ? undefined : f.paused === 'paused', order_by: 'dag_id',
  });
}

/** Every DAG's latest runs: the coloured squares. */
export const RECENT_RUNS_URL = '/ui/recent-runs?limit=10';

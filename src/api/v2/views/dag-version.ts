/** DAG versions in Airflow 3's DagVersionResponse shape. */
import { stableUuid } from './ids.ts';

/** What a version view needs of a `dag_version` row. */
export interface DagVersionLike {
  id: number;
  dag_id: string;
  version_number: number;
  created_at: string;
}

/** The DagVersionResponse shape. */
export function dagVersionView(v: DagVersionLike) {
  return {
    id: stableUuid('dag_version', v.id),
    version_number: v.version_number,
    dag_id: v.dag_id,
    bundle_name: 'dags-folder',
    bundle_version: null,
    created_at: v.created_at,
    dag_display_name: v.dag_id,
    bundle_url: null,
  };
}

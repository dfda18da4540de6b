/** The DAG page's first data URLs, shared by the page and the entry that requests them early. */
import { v1 } from '../../api.ts';

export const dagDetailsUrl = (dagId: string) => v1`/dags/${dagId}/details`;
export const gridUrl = (dagId: string, numRuns: number) => `/ui/dags/${encodeURIComponent(dagId)}/grid?num_runs=${numRuns}`;
/** The grid's `num_runs` from the page's `num_runs` parameter (1–365, default 25). */
export const gridRuns = (param: string | null) => Math.min(365, Math.max(1, Number(param) || 25));

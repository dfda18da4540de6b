/** Default run ids, as Airflow writes them: `<run type>__<logical date with +00:00>`. */
import type { DagRunType } from './states.ts';

export function defaultRunId(runType: DagRunType, logicalDate: Date): string {
  return `${runType}__${logicalDate.toISOString().replace(/\.000Z$/, '+00:00').replace(/Z$/, '+00:00')}`;
}

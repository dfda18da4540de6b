/** Every v2 route group, as one list of operation definitions. */
import type { RouteDef, V2Deps } from '../context.ts';
import { dagRunRoutes } from './dag-runs.ts';
import { dagRoutes } from './dags.ts';
import { logXcomRoutes } from './logs-xcom.ts';
import { taskInstanceRoutes } from './task-instances.ts';

/** Every served operation. */
export function allRoutes(deps: V2Deps): RouteDef[] {
  return [...dagRoutes(deps), ...dagRunRoutes(deps), ...taskInstanceRoutes(deps), ...logXcomRoutes(deps)];
}

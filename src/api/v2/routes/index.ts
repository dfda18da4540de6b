/** Every v2 route group, as one list of operation definitions. */
import type { RouteDef, V2Deps } from '../context.ts';
import { dagRunRoutes } from './dag-runs.ts';
import { assetRoutes } from './assets.ts';
import { backfillRoutes } from './backfills.ts';
import { connectionRoutes } from './connections.ts';
import { dagRoutes } from './dags.ts';
import { dagVersionRoutes } from './dag-versions.ts';
import { monitorRoutes } from './monitor.ts';
import { poolRoutes } from './pools.ts';
import { variableRoutes } from './variables.ts';
import { authPageRoutes } from './auth-pages.ts';
import { hitlRoutes } from './hitl.ts';
import { logXcomRoutes } from './logs-xcom.ts';
import { taskInstanceExtraRoutes } from './task-instance-extras.ts';
import { taskInstanceRoutes } from './task-instances.ts';

/** Every served operation. */
export function allRoutes(deps: V2Deps): RouteDef[] {
  return [...dagRoutes(deps), ...dagRunRoutes(deps), ...taskInstanceRoutes(deps), ...logXcomRoutes(deps), ...poolRoutes(deps), ...variableRoutes(deps), ...connectionRoutes(deps), ...monitorRoutes(deps), ...assetRoutes(deps), ...dagVersionRoutes(deps), ...backfillRoutes(deps), ...taskInstanceExtraRoutes(deps), ...authPageRoutes(), ...hitlRoutes(deps)];
}

/** Every v2 route group, as one list of operation definitions. */
import type { RouteDef, V2Deps } from '../context.ts';
import { dagRoutes } from './dags.ts';

/** Every served operation. */
export function allRoutes(deps: V2Deps): RouteDef[] {
  return [...dagRoutes(deps)];
}

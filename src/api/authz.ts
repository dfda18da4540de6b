/**
 * Roles and permissions, with Airflow's meanings: Viewer reads; User also triggers, clears and
 * pauses; Op also manages pools, variables and connections and reads the config; Admin also
 * manages users and roles; Public can do nothing. A pure matrix, checked on every route.
 */

export const ROLES = ['Admin', 'Op', 'User', 'Viewer', 'Public'] as const;
export type Role = (typeof ROLES)[number];

export const ACTIONS = ['read', 'edit', 'create', 'delete'] as const;
export type Action = (typeof ACTIONS)[number];

export const RESOURCES = [
  'DAGs', 'DAG Code', 'DAG Runs', 'DAG Warnings', 'Task Instances', 'Task Logs', 'XComs', 'Datasets',
  'Import Errors', 'Audit Logs', 'Pools', 'Variables', 'Connections', 'Config', 'Providers', 'Plugins',
  'Users', 'Roles', 'Permissions', 'Cluster Activity', 'ML',
] as const;
export type Resource = (typeof RESOURCES)[number];

export interface Principal {
  username: string;
  role: Role;
}

type Grants = Partial<Record<Resource, readonly Action[]>>;

const READ = ['read'] as const;
const ALL = ACTIONS;

const VIEWER: Grants = {
  DAGs: READ, 'DAG Code': READ, 'DAG Runs': READ, 'DAG Warnings': READ, 'Task Instances': READ, 'Task Logs': READ,
  XComs: READ, Datasets: READ, 'Import Errors': READ, 'Audit Logs': READ, 'Cluster Activity': READ, ML: READ,
};
const USER: Grants = {
  ...VIEWER,
  DAGs: ['read', 'edit', 'delete'],
  'DAG Runs': ALL,
  'Task Instances': ALL,
  XComs: ALL,
  ML: ALL,
};
const OP: Grants = {
  ...USER,
  Pools: ALL, Variables: ALL, Connections: ALL, Config: READ, Providers: READ, Plugins: READ, Datasets: ALL,
};
const ADMIN: Grants = Object.fromEntries(RESOURCES.map((r) => [r, ALL]));

const MATRIX: Record<Role, Grants> = { Admin: ADMIN, Op: OP, User: USER, Viewer: VIEWER, Public: {} };

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** May this role perform `action` on `resource`? */
export function allowed(role: Role, action: Action, resource: Resource): boolean {
  return MATRIX[role][resource]?.includes(action) ?? false;
}

/** Every (action, resource) pair a role holds, e.g. for the roles endpoint. */
export function permissionsOf(role: Role): Array<{ action: Action; resource: Resource }> {
  const out: Array<{ action: Action; resource: Resource }> = [];
  for (const [resource, actions] of Object.entries(MATRIX[role]) as Array<[Resource, readonly Action[]]>) for (const action of actions) out.push({ action, resource });
  return out;
}

/**
 * Path identifiers, checked before any lookup: DAG and task ids use the SDK's characters, run
 * ids those `createDagRun` accepts, and free-form keys (variables, connections, pools, users)
 * must be short and free of control characters. A `.` or `..` id is refused, so no id can walk
 * a path. `~` (every DAG / run / task) is allowed only where a route asks for it.
 */
import type { Context } from 'hono';
import { badRequest } from '../problem.ts';

const DAG_OR_TASK_ID = /^[A-Za-z0-9_.\-]{1,250}$/;
const RUN_ID = /^[A-Za-z0-9_.~:+\-]{1,250}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The wildcard that means "every DAG / run / task" in list endpoints. */
export const WILDCARD = '~';

function param(c: Context, name: string): string {
  const v = c.req.param(name);
  if (v === undefined) throw new Error(`route has no parameter '${name}'`);
  return v;
}

function notDots(v: string, what: string): string {
  if (v === '.' || v === '..') throw badRequest(`${what} ${JSON.stringify(v)} is not valid.`);
  return v;
}

/** A DAG id (or `~` when `wildcard`). */
export function dagIdParam(c: Context, o: { wildcard?: boolean } = {}): string {
  const v = param(c, 'dag_id');
  if (o.wildcard && v === WILDCARD) return v;
  if (!DAG_OR_TASK_ID.test(v)) throw badRequest(`DAG id ${JSON.stringify(v)} is not valid: use letters, digits, '_', '.' and '-' (at most 250 characters).`);
  return notDots(v, 'DAG id');
}

/** A task id (or `~` when `wildcard`). */
export function taskIdParam(c: Context, o: { wildcard?: boolean } = {}): string {
  const v = param(c, 'task_id');
  if (o.wildcard && v === WILDCARD) return v;
  if (!DAG_OR_TASK_ID.test(v)) throw badRequest(`Task id ${JSON.stringify(v)} is not valid: use letters, digits, '_', '.' and '-' (at most 250 characters).`);
  return notDots(v, 'Task id');
}

/** A DAG run id (or `~` when `wildcard`). */
export function runIdParam(c: Context, o: { wildcard?: boolean } = {}): string {
  const v = param(c, 'dag_run_id');
  if (o.wildcard && v === WILDCARD) return v;
  if (!RUN_ID.test(v)) throw badRequest(`DAG run id ${JSON.stringify(v)} is not valid: use letters, digits and _ . ~ : + - (at most 250 characters).`);
  return notDots(v, 'DAG run id');
}

/** A map index: -1 (not mapped) or more. */
export function mapIndexParam(c: Context): number {
  const v = param(c, 'map_index');
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(n) || n < -1) throw badRequest(`Map index ${JSON.stringify(v)} is not valid: use -1 or a whole number of at least 0.`);
  return n;
}

/** A positive integer path parameter (try number, ids). */
export function intParam(c: Context, name: string, min = 1): number {
  const v = param(c, name);
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > 2_147_483_647) throw badRequest(`'${name}' must be a whole number of at least ${min} (got ${JSON.stringify(v)}).`);
  return n;
}

/** A free-form key (variable key, connection id, pool name, user name, dataset URI). */
export function keyParam(c: Context, name: string, what: string, maxLength = 250): string {
  return checkKey(param(c, name), what, maxLength);
}

/** Checks a free-form key given in a path or a body. */
export function checkKey(v: string, what: string, maxLength = 250): string {
  if (v.length === 0 || v.length > maxLength || CONTROL.test(v)) {
    throw badRequest(`${what} ${JSON.stringify(v.slice(0, 300))} is not valid: give 1 to ${maxLength} characters without control characters.`);
  }
  return v;
}

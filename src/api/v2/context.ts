/**
 * What every v2 route is built with and sees: the Hono environment (the caller and the
 * request's checked input), and how a route is declared — by the OpenAPI operation id it
 * serves, the permission it needs, and its handler.
 */
import type { Context } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { Action, Principal, Resource } from '../authz.ts';
import type { SecureStore } from '../../security/secure-store.ts';
import type { RequestInput } from './request.ts';

/** The Hono environment of v2 routes. */
export interface V2Env {
  Variables: { principal: Principal | null; input?: RequestInput };
}

/** A v2 request context. */
export type V2Context = Context<V2Env>;

/** What route groups are built with: v1's dependencies plus the secret store. */
export interface V2Deps extends ApiDeps {
  secrets: SecureStore;
}

/** One served operation. */
export interface RouteDef {
  /** The operation id in openapi-v2.yaml. */
  op: string;
  /** The permission the caller needs; null for none (still authenticated). */
  perm: [Action, Resource] | null;
  handle: (c: V2Context, input: RequestInput) => Response | Promise<Response>;
}

/** Shorthand for declaring a route. */
export function route(op: string, perm: [Action, Resource] | null, handle: RouteDef['handle']): RouteDef {
  return { op, perm, handle };
}

/** A query or path parameter, as converted by `readInput`. */
export function param<T = string>(input: RequestInput, name: string): T {
  return input.params[name] as T;
}

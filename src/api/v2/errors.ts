/**
 * Errors of API v2, in Airflow 3's (FastAPI's) JSON shapes: `{"detail": "…"}` for an HTTP
 * error, and for invalid input a 422 whose `detail` lists each problem as
 * `{type, loc, msg, input}` (`loc` is where: `["query", "limit"]`, `["body", "slots"]`).
 * `Problem`s raised by code shared with v1 are rendered in the same shape.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DecryptionError } from '../../security/encryption.ts';
import { Problem } from '../problem.ts';

/** One problem of a request's input. */
export interface InputProblem {
  type: string;
  loc: Array<string | number>;
  msg: string;
  input?: unknown;
}

/** An HTTP error answered as `{"detail": …}`. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly detail: string | Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof detail === 'string' ? detail : JSON.stringify(detail));
  }
}

/** Invalid input: 422 listing every problem found. */
export class InvalidInput extends Error {
  override readonly name = 'InvalidInput';
  constructor(readonly problems: InputProblem[]) {
    super(problems.map((p) => `${p.loc.join('.')}: ${p.msg}`).join('; '));
  }
}

export const badRequest = (detail: string) => new HttpError(400, detail);
export const notFound = (detail: string) => new HttpError(404, detail);
export const conflict = (detail: string) => new HttpError(409, detail);
/** One invalid value (422). */
export const invalid = (loc: Array<string | number>, msg: string, input?: unknown, type = 'value_error') => new InvalidInput([{ type, loc, msg, ...(input === undefined ? {} : { input }) }]);

/** Renders any error as v2's JSON error body; unexpected errors are logged and answered 500 without details. */
export function errorResponse(c: Context, err: unknown): Response {
  if (err instanceof InvalidInput) return c.json({ detail: err.problems }, 422);
  let status = 500;
  let detail: string | Record<string, unknown> = 'The server hit an unexpected error; it has been logged.';
  const headers: Record<string, string> = {};
  if (err instanceof HttpError) {
    status = err.status;
    detail = err.detail;
    Object.assign(headers, err.headers);
  } else if (err instanceof Problem) {
    status = err.status;
    detail = err.detail;
  } else if (err instanceof DecryptionError) {
    detail = err.message;
  } else {
    process.stderr.write(`API v2 error: ${(err as Error)?.stack ?? String(err)}\n`);
  }
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  return c.body(JSON.stringify({ detail }), status as ContentfulStatusCode, { 'content-type': 'application/json', ...headers });
}

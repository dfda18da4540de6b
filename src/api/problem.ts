/**
 * The API's one error type: every failure becomes an `application/problem+json` document with
 * Airflow's fields (`type`, `title`, `status`, `detail`), raised as a `Problem` and rendered by
 * one error handler.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

const DOCS = 'https://airflow.apache.org/docs/apache-airflow/2.10.0/stable-rest-api-ref.html#section/Errors/';

const TITLES: Record<number, [string, string]> = {
  400: ['BadRequest', 'Bad Request'],
  401: ['Unauthenticated', 'Unauthorized'],
  403: ['PermissionDenied', 'Forbidden'],
  404: ['NotFound', 'Not Found'],
  405: ['MethodNotAllowed', 'Method Not Allowed'],
  406: ['NotAcceptable', 'Not Acceptable'],
  409: ['AlreadyExists', 'Conflict'],
  413: ['RequestTooLarge', 'Request Entity Too Large'],
  415: ['UnsupportedMediaType', 'Unsupported Media Type'],
  429: ['TooManyRequests', 'Too Many Requests'],
  500: ['Unknown', 'Internal Server Error'],
  503: ['Unavailable', 'Service Unavailable'],
};

export class Problem extends Error {
  override readonly name = 'Problem';
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly title?: string,
  ) {
    super(detail);
  }
}

export const badRequest = (detail: string) => new Problem(400, detail);
export const notFound = (detail: string) => new Problem(404, detail);
export const conflict = (detail: string) => new Problem(409, detail);
export const forbidden = (detail: string) => new Problem(403, detail);
export const unauthenticated = (detail = 'Authentication is required: send HTTP basic credentials, a session cookie or a Bearer token.') => new Problem(401, detail);

export function problemBody(status: number, detail: string, title?: string) {
  const [anchor, defaultTitle] = TITLES[status] ?? TITLES[500]!;
  return { type: `${DOCS}${anchor}`, title: title ?? defaultTitle, status, detail };
}

/** Renders a Problem (or any error, as a 500 without internals) as problem+json. */
export function problemResponse(c: Context, err: unknown): Response {
  const p = err instanceof Problem ? err : new Problem(500, 'The server hit an unexpected error; it has been logged.');
  if (!(err instanceof Problem)) process.stderr.write(`API error: ${(err as Error)?.stack ?? String(err)}\n`);
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (p.status === 401) headers['www-authenticate'] = 'Basic realm="Baton", charset="UTF-8"';
  return c.body(JSON.stringify(problemBody(p.status, p.detail, p.title)), p.status as ContentfulStatusCode, headers);
}

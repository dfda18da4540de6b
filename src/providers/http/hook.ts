/**
 * HttpHook: requests against a base URL taken from a connection of type "http", as Airflow's
 * HttpHook reads it: `schema` is the scheme ("http" or "https", default "http"), then `host`
 * (which may itself start with "http://" or "https://"), `port`, `login`/`password` for basic
 * auth, and `extra` holding default headers. Requests use the global `fetch`.
 */
import type { ConnectionView, TaskContext } from '../../sdk/context.ts';

/** The connection used when an HTTP task names none. */
export const DEFAULT_HTTP_CONN_ID = 'http_default';
/** Default time allowed for one request, in milliseconds. */
export const DEFAULT_HTTP_TIMEOUT_MS = 60_000;

export interface HttpRequest {
  /** Default "GET". */
  method?: string;
  /** Path joined to the base URL, or an absolute URL. Default "". */
  endpoint?: string;
  /** GET/HEAD: query parameters. Others: the body (objects and arrays are sent as JSON). */
  data?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A response with its body already read. */
export interface HttpResponse {
  status: number;
  statusText: string;
  ok: boolean;
  url: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  text: string;
  /** The body parsed as JSON; throws a clear error when it is not JSON. */
  json<T = unknown>(): T;
  /** The body parsed as JSON when the content type says JSON, else the text (null when empty). */
  body(): unknown;
}

/** What HTTP tasks need; `HttpHook` implements it with fetch. */
export interface HttpClient {
  run(request: HttpRequest): Promise<HttpResponse>;
}

export interface HttpHookOptions {
  baseUrl?: string;
  /** Sent with every request (request headers win). */
  headers?: Record<string, string>;
  auth?: { username: string; password: string };
  /** Default 60 000 ms. */
  timeoutMs?: number;
}

export class HttpHook implements HttpClient {
  readonly baseUrl: string;
  constructor(readonly options: HttpHookOptions = {}) {
    this.baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
  }

  /** A hook on the connection `connId` (default `http_default`). */
  static async forTask(ctx: TaskContext, connId = DEFAULT_HTTP_CONN_ID, extra: Omit<HttpHookOptions, 'baseUrl' | 'auth'> = {}): Promise<HttpHook> {
    const conn = await ctx.connections.get(connId);
    if (!conn) throw new Error(`HTTP connection '${connId}' is not defined: create it (type "http", host, optional port/schema/login/password, headers in extra), e.g. BATON_CONN_${connId.toUpperCase()}='http://api.example.com:443/https'`);
    return HttpHook.fromConnection(conn, extra);
  }

  static fromConnection(conn: ConnectionView, extra: Omit<HttpHookOptions, 'baseUrl' | 'auth'> = {}): HttpHook {
    if (!conn.host) throw new Error(`HTTP connection '${conn.connId}' has no host`);
    let base: string;
    if (/^https?:\/\//i.test(conn.host)) base = conn.host;
    else {
      const scheme = conn.schema === 'https' || conn.schema === 'http' ? conn.schema : 'http';
      base = `${scheme}://${conn.host}`;
    }
    if (conn.port) {
      const u = new URL(base);
      if (!u.port) u.port = String(conn.port);
      base = u.href;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(conn.extra ?? {})) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') headers[k] = String(v);
    return new HttpHook({
      ...extra,
      baseUrl: base,
      headers: { ...headers, ...(extra.headers ?? {}) },
      auth: conn.login ? { username: conn.login, password: conn.password ?? '' } : undefined,
    });
  }

  /** The full URL of an endpoint. */
  url(endpoint = ''): string {
    if (/^https?:\/\//i.test(endpoint)) return endpoint;
    if (!this.baseUrl) throw new Error(`cannot request '${endpoint}': the hook has no base URL; give a connection, a baseUrl or an absolute URL`);
    return endpoint === '' ? this.baseUrl : `${this.baseUrl}/${endpoint.replace(/^\/+/, '')}`;
  }

  async run(request: HttpRequest): Promise<HttpResponse> {
    const method = (request.method ?? 'GET').toUpperCase();
    let url = this.url(request.endpoint ?? '');
    const headers: Record<string, string> = { ...(this.options.headers ?? {}) };
    if (this.options.auth) headers.authorization = `Basic ${Buffer.from(`${this.options.auth.username}:${this.options.auth.password}`).toString('base64')}`;
    Object.assign(headers, request.headers ?? {});
    let body: string | undefined;
    const data = request.data;
    if (data !== undefined && data !== null) {
      if (method === 'GET' || method === 'HEAD') url = withQuery(url, data);
      else if (typeof data === 'string') body = data;
      else {
        body = JSON.stringify(data);
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
      }
    }
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body, signal });
    } catch (e) {
      throw new Error(`HTTP ${method} ${url} failed before a response: ${describeFetchError(e)}; check the connection's host and port`);
    }
    const text = await res.text();
    const responseHeaders: Record<string, string> = {};
    res.headers.forEach((v, k) => (responseHeaders[k] = v));
    return makeResponse(res.status, res.statusText, url, responseHeaders, text);
  }
}

function makeResponse(status: number, statusText: string, url: string, headers: Record<string, string>, text: string): HttpResponse {
  const json = <T,>(): T => {
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new Error(`the response of ${url} is not JSON (content-type ${headers['content-type'] ?? 'unknown'}): ${excerpt(text)}`);
    }
  };
  return {
    status, statusText, ok: status >= 200 && status < 300, url, headers, text, json,
    body: () => (text === '' ? null : /[/+]json\b/i.test(headers['content-type'] ?? '') ? json() : text),
  };
}

function withQuery(url: string, data: unknown): string {
  if (typeof data === 'string') return data === '' ? url : `${url}${url.includes('?') ? '&' : '?'}${data.replace(/^\?/, '')}`;
  if (typeof data !== 'object') throw new TypeError(`GET data must be an object of query parameters or a query string (got ${typeof data})`);
  const u = new URL(url);
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    for (const item of Array.isArray(v) ? v : [v]) if (item !== undefined && item !== null) u.searchParams.append(k, String(item));
  }
  return u.href;
}

/** The first 500 characters of a body, for error messages. */
export function excerpt(text: string, max = 500): string {
  if (text === '') return '(empty body)';
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

function describeFetchError(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === 'TimeoutError') return 'timed out';
    if (e.name === 'AbortError') return 'aborted';
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? e.message;
  }
  return String(e);
}

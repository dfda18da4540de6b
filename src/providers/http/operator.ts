/**
 * HttpOperator: one templated HTTP request. A non-2xx answer, or a `responseCheck` that returns
 * false, fails the task with the status and an excerpt of the body. The XCom is the body
 * (parsed when JSON), or what `responseFilter` makes of the response.
 */
import { BaseOperator, type BaseOperatorOptions } from '../../sdk/base-operator.ts';
import type { TaskContext } from '../../sdk/context.ts';
import { DEFAULT_HTTP_CONN_ID, excerpt, HttpHook, type HttpClient, type HttpResponse } from './hook.ts';

export interface HttpOperatorOptions extends BaseOperatorOptions {
  /** Default `http_default`. Ignored when `client` is given. */
  connId?: string;
  /** Default "POST" (as Airflow's HttpOperator). */
  method?: string;
  /** Path under the connection's base URL. Templated. Default "". */
  endpoint?: string;
  /** Query parameters (GET) or body (others; objects are sent as JSON). Templated. */
  data?: unknown;
  /** Templated. */
  headers?: Record<string, string>;
  /** Return false to fail the task (e.g. `(r) => r.json().status === 'ok'`). */
  responseCheck?: (response: HttpResponse, ctx: TaskContext) => boolean | Promise<boolean>;
  /** Turns the response into the XCom (e.g. `(r) => r.json().items`). Default: the body. */
  responseFilter?: (response: HttpResponse, ctx: TaskContext) => unknown;
  /** Write the response body to the task log. Default false. */
  logResponse?: boolean;
  /** Default 60 000 ms. */
  timeoutMs?: number;
  /** Another HTTP implementation (tests, proxies, signing). Default: an HttpHook on `connId`. */
  client?: HttpClient;
}

export class HttpOperator extends BaseOperator<unknown> {
  static override templateFields = ['endpoint', 'data', 'headers'] as const;
  static override uiColor = '#f4a460';
  endpoint: string;
  data: unknown;
  headers: Record<string, string>;
  readonly connId: string;
  readonly method: string;
  readonly responseCheck: HttpOperatorOptions['responseCheck'];
  readonly responseFilter: HttpOperatorOptions['responseFilter'];
  readonly logResponse: boolean;
  readonly timeoutMs: number | undefined;
  readonly client: HttpClient | undefined;

  constructor(o: HttpOperatorOptions) {
    super(o);
    this.connId = o.connId ?? DEFAULT_HTTP_CONN_ID;
    this.method = (o.method ?? 'POST').toUpperCase();
    this.endpoint = o.endpoint ?? '';
    this.data = o.data;
    this.headers = o.headers ?? {};
    for (const [name, fn] of [['responseCheck', o.responseCheck], ['responseFilter', o.responseFilter]] as const) {
      if (fn !== undefined && typeof fn !== 'function') throw new TypeError(`HttpOperator '${o.taskId}': ${name} must be a function of the response`);
    }
    this.responseCheck = o.responseCheck;
    this.responseFilter = o.responseFilter;
    this.logResponse = o.logResponse ?? false;
    this.timeoutMs = o.timeoutMs;
    this.client = o.client;
  }

  async execute(ctx: TaskContext): Promise<unknown> {
    const client = this.client ?? (await HttpHook.forTask(ctx, this.connId, { timeoutMs: this.timeoutMs }));
    const res = await client.run({ method: this.method, endpoint: this.endpoint, data: this.data, headers: this.headers, signal: ctx.signal });
    ctx.log.info(`HTTP ${this.method} ${res.url} → ${res.status} ${res.statusText}`);
    if (this.logResponse) ctx.log.info(res.text);
    if (!res.ok) throw new Error(`HTTP ${this.method} ${res.url} failed with ${res.status} ${res.statusText}: ${excerpt(res.text)}`);
    if (this.responseCheck && !(await this.responseCheck(res, ctx))) {
      throw new Error(`HTTP ${this.method} ${res.url} answered ${res.status} but the response check failed: ${excerpt(res.text)}`);
    }
    return this.responseFilter ? this.responseFilter(res, ctx) : res.body();
  }
}

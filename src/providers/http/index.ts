/** HTTP: a hook over fetch and an operator for one templated request. */
export { HttpHook, DEFAULT_HTTP_CONN_ID, DEFAULT_HTTP_TIMEOUT_MS, excerpt, type HttpClient, type HttpHookOptions, type HttpRequest, type HttpResponse } from './hook.ts';
export { HttpOperator, type HttpOperatorOptions } from './operator.ts';

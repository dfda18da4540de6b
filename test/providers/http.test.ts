import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpHook, HttpOperator, type HttpResponse } from '../../src/providers/http/index.ts';
import type { ConnectionView } from '../../src/sdk/index.ts';
import { dag } from '../../src/sdk/index.ts';
import { runDag, startHttpServer, withEnv } from './support.ts';

let api: Awaited<ReturnType<typeof startHttpServer>>;
let restoreEnv: () => void;
before(async () => {
  api = await startHttpServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/api/models') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ items: [{ name: 'tfidf-lr', stage: url.searchParams.get('stage') }], total: 1 }));
    } else if (url.pathname.startsWith('/api/runs')) {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ accepted: JSON.parse(req.body), status: 'queued' }));
    } else if (url.pathname === '/api/health') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('healthy');
    } else if (url.pathname === '/api/broken') {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'model server is warming up', retryAfter: 30 }));
    } else {
      res.writeHead(404);
      res.end('no such route');
    }
  });
  restoreEnv = withEnv({
    BATON_CONN_MODEL_API: JSON.stringify({ conn_type: 'http', host: '127.0.0.1', port: api.port, schema: 'http', login: 'svc', password: 's3cret', extra: { 'x-team': 'ml' } }),
  });
});
after(async () => {
  restoreEnv();
  await api.close();
});

describe('HttpOperator', () => {
  test('a GET sends data as query parameters with the connection\'s auth and headers, and returns the parsed JSON', async () => {
    api.requests.length = 0;
    const d = dag({ id: 'http_get', schedule: null, params: { stage: 'production' } }, () => {
      new HttpOperator({ taskId: 'list', connId: 'model_api', method: 'GET', endpoint: '/api/models', data: { stage: '{{ params.stage }}' } });
    });
    const run = await runDag(d);
    assert.equal(run.state, 'success', run.lines.join('\n'));
    assert.deepEqual(run.xcom('list'), { items: [{ name: 'tfidf-lr', stage: 'production' }], total: 1 });
    const req = api.requests[0]!;
    assert.equal(req.url, '/api/models?stage=production');
    assert.equal(req.headers.authorization, `Basic ${Buffer.from('svc:s3cret').toString('base64')}`);
    assert.equal(req.headers['x-team'], 'ml');
  });

  test('a POST sends templated data as JSON and responseFilter picks the XCom', async () => {
    api.requests.length = 0;
    const d = dag({ id: 'http_post', schedule: null }, () => {
      new HttpOperator({
        taskId: 'submit',
        connId: 'model_api',
        endpoint: 'api/runs/{{ ds_nodash }}',
        data: { date: '{{ ds }}', model: 'tfidf-lr' },
        headers: { 'x-run': '{{ run_id }}' },
        responseCheck: (r) => r.status === 201,
        responseFilter: (r: HttpResponse) => (r.json() as { status: string }).status,
      });
    });
    const run = await runDag(d);
    assert.equal(run.state, 'success', run.lines.join('\n'));
    assert.equal(run.xcom('submit'), 'queued');
    const req = api.requests[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/api/runs/20240301');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['x-run'], run.runId);
    assert.deepEqual(JSON.parse(req.body), { date: '2024-03-01', model: 'tfidf-lr' });
  });

  test('a text response is returned as text', async () => {
    const d = dag({ id: 'http_text', schedule: null }, () => {
      new HttpOperator({ taskId: 'health', connId: 'model_api', method: 'GET', endpoint: 'api/health' });
    });
    const run = await runDag(d);
    assert.equal(run.xcom('health'), 'healthy');
  });

  test('a non-2xx answer fails the task with the status and an excerpt of the body', async () => {
    const d = dag({ id: 'http_fail', schedule: null }, () => {
      new HttpOperator({ taskId: 'call', connId: 'model_api', method: 'GET', endpoint: 'api/broken' });
    });
    const run = await runDag(d);
    assert.equal(run.stateOf('call'), 'failed');
    assert.match(run.tis[0]!.error!, /HTTP GET http:\/\/127\.0\.0\.1:\d+\/api\/broken failed with 503 Service Unavailable: \{"error":"model server is warming up","retryAfter":30\}/);
  });

  test('a response check that returns false fails the task', async () => {
    const d = dag({ id: 'http_check', schedule: null }, () => {
      new HttpOperator({ taskId: 'call', connId: 'model_api', method: 'GET', endpoint: 'api/models', responseCheck: (r) => (r.json() as { total: number }).total > 5 });
    });
    const run = await runDag(d);
    assert.equal(run.stateOf('call'), 'failed');
    assert.match(run.tis[0]!.error!, /HTTP GET http:\/\/127\.0\.0\.1:\d+\/api\/models answered 200 but the response check failed: \{"items"/);
  });

  test('an unknown connection and an unreachable server fail with what to check', async () => {
    const closed = await startHttpServer(() => {});
    await closed.close();
    const d = dag({ id: 'http_unreachable', schedule: null }, () => {
      new HttpOperator({ taskId: 'no_conn', connId: 'missing_api', endpoint: 'x' });
      new HttpOperator({ taskId: 'down', client: new HttpHook({ baseUrl: closed.url }), endpoint: 'x' });
    });
    const run = await runDag(d);
    const err = (id: string) => run.tis.find((t) => t.taskId === id)!.error!;
    assert.match(err('no_conn'), /HTTP connection 'missing_api' is not defined: create it \(type "http"/);
    assert.match(err('down'), /HTTP POST http:\/\/127\.0\.0\.1:\d+\/x failed before a response: ECONNREFUSED; check the connection's host and port/);
  });
});

describe('HttpHook base URL from a connection', () => {
  const conn = (o: Partial<ConnectionView>): ConnectionView => ({ connId: 'c', connType: 'http', host: null, login: null, password: null, schema: null, port: null, extra: {}, ...o });
  const cases: Array<[string, Partial<ConnectionView>, string, string]> = [
    ['host only defaults to http', { host: 'api.example.com' }, 'v1/x', 'http://api.example.com/v1/x'],
    ['schema is the scheme', { host: 'api.example.com', schema: 'https', port: 8443 }, '/v1/x', 'https://api.example.com:8443/v1/x'],
    ['a host with a scheme and path is kept', { host: 'https://api.example.com/base/' }, 'v1', 'https://api.example.com/base/v1'],
    ['an absolute endpoint wins', { host: 'api.example.com' }, 'https://other.example.com/y', 'https://other.example.com/y'],
    ['an empty endpoint is the base URL', { host: 'api.example.com', port: 81 }, '', 'http://api.example.com:81'],
  ];
  for (const [name, c, endpoint, url] of cases) {
    test(name, () => assert.equal(HttpHook.fromConnection(conn(c)).url(endpoint), url));
  }
  test('a connection without host is rejected', () => {
    assert.throws(() => HttpHook.fromConnection(conn({})), /HTTP connection 'c' has no host/);
  });
});

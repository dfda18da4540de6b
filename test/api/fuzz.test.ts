/**
 * Malformed requests against the whole REST API (real authenticator), on every dialect: a
 * deterministic, seeded generator sends a few thousand requests, each wrong in at least one way
 * the API must refuse — bad JSON, wrong types, unknown fields, wrong content types, oversize
 * bodies, huge or negative limits, SQL metacharacters, path traversal and absurd ids, unknown
 * methods, missing or bad credentials. Every answer must be a 4xx problem document, and the
 * database must be exactly as before.
 *
 * BATON_FUZZ_SEED and BATON_FUZZ_COUNT (default 2500 per dialect) change the run; a failure
 * prints the seed and the requests that failed. BATON_FUZZ_VERBOSE=1 prints the answers' statuses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Role } from '../../src/api/authz.ts';
import { secureStore } from '../../src/security/secure-store.ts';
import { eachDialect } from '../support/databases.ts';
import { dumpDatabase, fillPath, openSecureApi, protectedRoutes, type RouteCase, type SecureApi } from '../security/support/secure-api.ts';

const SEED = Number(process.env.BATON_FUZZ_SEED ?? 20_240_601);
const COUNT = Math.min(20_000, Number(process.env.BATON_FUZZ_COUNT ?? 2500));
const MAX_BODY = 1024 * 1024;

/** mulberry32: a small, fast, seedable generator. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]! };
}
type Rng = ReturnType<typeof prng>;

/** Ids that exist nowhere: traversal, SQL, control characters, unicode, overlong, numeric edge cases. */
const FUZZ_IDS = [
  '../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f%2e%2e%2fetc%2fshadow', '..\\..\\windows\\win.ini', '..', '.', '%2e%2e',
  "' OR '1'='1", "1; DROP TABLE dag; --", '"; DELETE FROM ab_user; --', "admin'--", '1 UNION SELECT password_hash FROM ab_user',
  '%00', 'a%00b', '%0d%0aSet-Cookie:%20x=1', 'ünïcødé-🔥', '${jndi:ldap://x/a}', '<script>alert(1)</script>', '{{7*7}}',
  'no_such_thing_zz', '-1', '99999999999999999999999', 'NaN', '%20', 'a/b/../../c', '%2F', 'x'.repeat(300), 'y'.repeat(5000),
];
const SQL = ["' OR 1=1 --", '1; DROP TABLE dag', '__proto__', 'constructor', '-', '--', "dag_id' --"];
const BAD_LIMITS = ['-1', '1001', '99999999999999999999', 'abc', '1e3', '10.5', "1' OR '1'='1", '0x10', ' ', '%00'];

const WRONG_VALUES: unknown[] = [{}, [], [1, 'two'], 12345678901234567890, -1, 1.5, 'x'.repeat(400), null, true, '2024-13-45T99:99:99Z', "'; DROP TABLE dag; --", { $gt: '' }, { __proto__: { admin: true } }];
const FIELDS = ['dag_run_id', 'logical_date', 'conf', 'note', 'is_paused', 'slots', 'name', 'key', 'value', 'description', 'connection_id', 'conn_type', 'port',
  'username', 'email', 'roles', 'password', 'state', 'new_state', 'dry_run', 'task_ids', 'include_upstream', 'dataset_uri', 'extra', 'include_deferred'];

interface FuzzRequest {
  what: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** A body that no route accepts, and its description. */
function badBody(r: Rng): { what: string; body: string; type: string | null } {
  switch (r.int(8)) {
    case 0:
      return { what: 'bad JSON', body: r.pick(['{"a": ', "{'single': 1}", '[1,2', '{"x":1}}', 'NaN', 'undefined', '{"a":1,}', '\u0000', '{"a":"\\x"}', '{"a" 1}']), type: 'application/json' };
    case 1:
      return { what: 'wrong top-level type', body: r.pick(['[]', '[{}]', '123', '"string"', 'null', 'true', '[[[[[]]]]]']), type: 'application/json' };
    case 2: {
      const body: Record<string, unknown> = {};
      for (let i = r.int(4); i >= 0; i--) body[r.pick(FIELDS)] = r.pick(WRONG_VALUES);
      body[r.pick(['unknown_field', 'isAdmin', 'password_hash', 'role', 'x'.repeat(60), 'slots ', 'Conf'])] = r.pick(WRONG_VALUES);
      return { what: 'wrong types and an unknown field', body: JSON.stringify(body), type: 'application/json' };
    }
    case 3:
      return { what: 'prototype pollution', body: r.pick(['{"__proto__": {"role": "Admin"}}', '{"constructor": {"prototype": {"isAdmin": true}}}', '{"__proto__": null}']), type: 'application/json' };
    case 4:
      return { what: 'wrong content type', body: '{}', type: r.pick(['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', null]) };
    case 5:
      return { what: 'empty body', body: r.pick(['', '   ', '\n']), type: 'application/json' };
    case 6:
      return { what: 'deep nesting', body: `${'['.repeat(3000)}${']'.repeat(3000)}`, type: 'application/json' };
    default:
      // Oversize bodies are costly: one in ten of this branch.
      return r.int(10) === 0
        ? { what: 'oversize body', body: JSON.stringify({ conf: 'z'.repeat(MAX_BODY + 100) }), type: 'application/json' }
        : { what: 'wrong types and an unknown field', body: JSON.stringify({ conf: r.pick(WRONG_VALUES), [`unknown_${r.int(1000)}`]: 1 }), type: 'application/json' };
  }
}

function badQuery(r: Rng, ordered = true): { what: string; query: string } {
  const enc = encodeURIComponent;
  switch (r.int(ordered ? 3 : 2)) {
    case 0:
      return { what: 'bad limit', query: `limit=${enc(r.pick(BAD_LIMITS))}` };
    case 1:
      return { what: 'bad offset', query: `limit=10&offset=${enc(r.pick(['-5', 'x', '1.5', '99999999999999999999', "0' OR 1=1"]))}` };
    default:
      return { what: 'bad order_by', query: `order_by=${enc(r.pick(SQL))}` };
  }
}

interface Plan {
  routes: RouteCase[];
  /** GET routes without parameters that page (answer 400 to limit=-1). */
  listRoutes: RouteCase[];
  /** Those of them that also sort (answer 400 to an unknown order_by); the others ignore order_by, as in Airflow. */
  ordered: Set<RouteCase>;
  /**
   * GET routes with parameters that list nothing (200) for well-formed unknown ids, as Airflow's
   * do (`/dags/{unknown}/dagRuns`): requests to them always carry a bad limit or offset too.
   */
  lenient: Set<string>;
  /** Routes with real ids that always read and validate a body. */
  bodyRoutes: Array<{ method: string; path: string }>;
}

function generate(r: Rng, plan: Plan, s: SecureApi): FuzzRequest {
  const roll = r.next();
  const role: Role = r.next() < 0.85 ? 'Admin' : r.pick(['Op', 'User', 'Viewer', 'Public'] as const);
  const auth: Record<string, string> = s.as(role);
  let req: FuzzRequest;
  if (roll < 0.4) {
    // Any route, with absurd ids (and a bad body or query on top).
    const route = r.pick(plan.routes.filter((x) => x.params.length > 0));
    const path = fillPath(route.pattern, () => r.pick(FUZZ_IDS));
    req = { what: `${route.method} ${route.pattern} with absurd ids`, method: route.method, path, headers: { ...auth } };
    if (plan.lenient.has(route.pattern)) {
      const q = badQuery(r, false);
      return { ...req, what: `${req.what}, ${q.what}`, path: `${path}?${q.query}` };
    }
  } else if (roll < 0.7) {
    // A mutation whose path is right (or has no ids) but whose body is wrong.
    const target = r.next() < 0.5 ? r.pick(plan.bodyRoutes) : (() => {
      const route = r.pick(plan.routes.filter((x) => x.params.length === 0 && x.method !== 'GET'));
      return { method: route.method, path: route.path };
    })();
    req = { what: `${target.method} ${target.path}`, method: target.method, path: target.path, headers: { ...auth } };
  } else if (roll < 0.85) {
    const route = r.pick(plan.listRoutes);
    const q = badQuery(r, plan.ordered.has(route));
    return { what: `GET ${route.path} ${q.what}`, method: 'GET', path: `${route.path}?${q.query}`, headers: { ...auth } };
  } else if (roll < 0.93) {
    // No or bad credentials.
    const route = r.pick(plan.routes);
    const headers = r.pick<Record<string, string>>([{}, { authorization: 'Bearer baton_forged' }, { authorization: `Basic ${Buffer.from('admin-user:guess').toString('base64')}` }, { authorization: 'Basic' }, { cookie: 'baton_session=a.b' }, { authorization: `Bearer ${s.tokens.Admin}x` }]);
    req = { what: `${route.method} ${route.path} without valid credentials`, method: route.method, path: route.path, headers: { ...headers } };
  } else {
    // A method the path does not have, or a path that does not exist.
    const route = r.pick(plan.routes);
    const have = new Set(plan.routes.filter((x) => x.pattern === route.pattern).map((x) => x.method));
    const method = r.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => !have.has(m)).concat(have.size === 5 ? ['GET'] : []));
    const path = fillPath(route.pattern, () => r.pick(FUZZ_IDS));
    req = r.next() < 0.5
      ? { what: `${method} on ${route.pattern}`, method, path, headers: { ...auth } }
      : { what: 'unknown path', method: r.pick(['GET', 'POST', 'DELETE']), path: r.pick(['/api/v1/', '/api/v3/dags', '/api/v1/dags/api_etl/nothing', '/api/v1/..%2f..%2fetc%2fpasswd', '/api/v1/admin', `/api/v1/${encodeURIComponent(r.pick(SQL))}`]), headers: { ...auth } };
  }
  if (req.method !== 'GET' && req.method !== 'DELETE') {
    const b = badBody(r);
    req.what += `, ${b.what}`;
    req.body = b.body;
    if (b.type) req.headers['content-type'] = b.type;
  } else if (req.method === 'GET' && r.next() < 0.5) {
    const q = badQuery(r, false);
    req.what += `, ${q.what}`;
    req.path += `?${q.query}`;
  }
  return req;
}

for (const dialect of eachDialect()) {
  describe(`API fuzzing on ${dialect.name} (seed ${SEED}, ${COUNT} requests)`, () => {
    let s: SecureApi;
    let plan: Plan;
    before(async () => {
      s = await openSecureApi(dialect);
      const store = secureStore(s.h.db, s.keys);
      await store.setVariable('existing_var', 'v1');
      await store.upsertConnection({ connId: 'existing_conn', connType: 'postgres', password: 'pw-existing' });
      const routes = protectedRoutes(s.app);
      const listRoutes: RouteCase[] = [];
      const ordered = new Set<RouteCase>();
      for (const r of routes.filter((x) => x.method === 'GET' && x.params.length === 0)) {
        if ((await s.app.request(`${r.path}?limit=-1`, { headers: s.as('Admin') })).status === 400) listRoutes.push(r);
        if ((await s.app.request(`${r.path}?order_by=no_such_field`, { headers: s.as('Admin') })).status === 400) ordered.add(r);
      }
      const lenient = new Set<string>();
      for (const r of routes.filter((x) => x.method === 'GET' && x.params.length > 0)) {
        const numeric = new Set(['map_index', 'task_try_number', 'event_log_id', 'import_error_id']);
        const unknown = fillPath(r.pattern, (name) => (numeric.has(name) ? '12345' : 'no_such_thing_zz'));
        const res = await s.app.request(unknown, { headers: s.as('Admin') });
        if (res.status < 400) {
          lenient.add(r.pattern);
          assert.equal((await s.app.request(`${unknown}?limit=-1`, { headers: s.as('Admin') })).status, 400, `${r.pattern} lists unknown ids but does not page`);
        }
      }
      plan = {
        routes,
        listRoutes,
        ordered,
        lenient,
        bodyRoutes: [
          { method: 'POST', path: '/api/v1/dags/api_etl/dagRuns' },
          { method: 'PATCH', path: '/api/v1/dags/api_etl' },
          { method: 'PATCH', path: '/api/v1/pools/default_pool' },
          { method: 'POST', path: '/api/v1/dags/api_etl/clearTaskInstances' },
          { method: 'POST', path: '/api/v1/dags/api_etl/updateTaskInstancesState' },
          { method: 'PATCH', path: '/api/v1/users/viewer-user' },
          { method: 'PATCH', path: '/api/v1/variables/existing_var' },
          { method: 'PATCH', path: '/api/v1/connections/existing_conn' },
        ],
      };
    });
    after(() => s?.close());

    test('every malformed request gets a 4xx problem document and changes nothing', async () => {
      assert.ok(plan.listRoutes.length >= 8, `only ${plan.listRoutes.length} paging routes found`);
      const before = await dumpDatabase(s.h);
      const r = prng(SEED);
      const failures: string[] = [];
      const statuses = new Map<number, number>();
      for (let i = 0; i < COUNT; i++) {
        const req = generate(r, plan, s);
        let problem: string | null = null;
        try {
          const res = await s.app.request(req.path, { method: req.method, headers: req.headers, body: req.body });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const text = await res.text();
          if (res.status < 400 || res.status > 499) problem = `status ${res.status}: ${text.slice(0, 300)}`;
          else if (res.headers.get('content-type') !== 'application/problem+json') problem = `content-type ${res.headers.get('content-type')}`;
          else {
            const body = JSON.parse(text) as Record<string, unknown>;
            if (body.status !== res.status || typeof body.title !== 'string' || typeof body.type !== 'string' || typeof body.detail !== 'string') problem = `not a problem document: ${text.slice(0, 300)}`;
            else if (/\.ts:\d+|node_modules|at async /.test(String(body.detail))) problem = `internals in the detail: ${String(body.detail).slice(0, 300)}`;
          }
        } catch (e) {
          problem = `threw ${(e as Error).stack}`;
        }
        if (problem) failures.push(`#${i} ${req.what}: ${req.method} ${req.path.slice(0, 200)} body=${(req.body ?? '').slice(0, 120)} -> ${problem}`);
      }
      assert.deepEqual(failures.slice(0, 15), [], `seed ${SEED}: ${failures.length} of ${COUNT} requests failed`);
      if (process.env.BATON_FUZZ_VERBOSE) process.stderr.write(`lenient: ${[...plan.lenient].join(', ')}\nstatuses: ${JSON.stringify([...statuses].sort())}\n`);
      const after = await dumpDatabase(s.h);
      assert.deepEqual(after, before, `seed ${SEED}: the database changed`);
      // The run reached past authentication: most answers come from validation and lookups.
      const reached = [...statuses].filter(([st]) => st !== 401 && st !== 403).reduce((n, [, c]) => n + c, 0);
      assert.ok(reached > COUNT * 0.6, `only ${reached} requests got past authentication: ${JSON.stringify([...statuses])}`);
    });
  });
}

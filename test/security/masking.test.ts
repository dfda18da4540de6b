/** Masking: sensitive names, the secrets masker, API helpers, and the services wrapper that registers fetched secrets. */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { isSensitiveName, maskConnectionExtra, maskVariable, redactSensitiveFields, SecretsMasker, setSensitiveNames } from '../../src/security/masking.ts';
import { maskFetchedSecrets } from '../../src/security/task-masking.ts';
import type { TaskServices } from '../../src/runner/task-services.ts';

describe('masking', () => {
  afterEach(() => setSensitiveNames([]));

  test("Airflow's sensitive names match as case-insensitive substrings; more come from BATON_SENSITIVE_VAR_CONN_NAMES", () => {
    for (const n of ['password', 'DB_PASSWORD', 'my_secret', 'passwd', 'Authorization', 'api_key', 'stripe_apikey', 'access_token', 'token', 'private_key', 'gcp_keyfile_dict']) assert.equal(isSensitiveName(n), true, n);
    for (const n of ['region', 'host', 'bucket', 'owner_email']) assert.equal(isSensitiveName(n), false, n);
    assert.equal(isSensitiveName('license_code'), false);
    setSensitiveNames(['License_Code', ' pin ']);
    assert.equal(isSensitiveName('vendor_license_code'), true);
    assert.equal(isSensitiveName('sim_pin'), true);
  });

  test('maskVariable hides values of sensitive keys only', () => {
    assert.equal(maskVariable('vendor_api_key', 'abc'), '***');
    assert.equal(maskVariable('region', 'eu-west-1'), 'eu-west-1');
    assert.equal(maskVariable('password', null), null);
  });

  test('connection extras and request bodies: sensitive fields masked at any depth, the rest kept', () => {
    assert.equal(maskConnectionExtra('{"timeout": 30, "auth": {"token": "t0k3n-value"}, "headers": [{"Authorization": "Bearer x"}]}'), '{"timeout":30,"auth":{"token":"***"},"headers":[{"Authorization":"***"}]}');
    assert.equal(maskConnectionExtra('not json secret'), '***');
    assert.equal(maskConnectionExtra(null), null);
    assert.deepEqual(redactSensitiveFields({ conf: { password: 'p', n: 1 }, list: [{ secret: 's' }] }), { conf: { password: '***', n: 1 }, list: [{ secret: '***' }] });
  });

  test('the masker replaces every registered secret (longest first), its JSON-escaped form, and skips very short ones', () => {
    const m = new SecretsMasker();
    m.add('hunter22');
    m.add('hunter22-long');
    m.add('ab');
    m.add('line one\nline "two"');
    m.add({ host: 'db.example.com', token: 'tok-12345', nested: { password: 'nested-pw' } });
    assert.equal(m.redact('pw=hunter22 and hunter22-long, ab'), 'pw=*** and ***, ab');
    assert.equal(m.redact(JSON.stringify({ v: 'line one\nline "two"' })), '{"v":"***"}');
    assert.equal(m.redact('tok-12345 at db.example.com with nested-pw'), '*** at db.example.com with ***');
    assert.equal(m.redact('regex chars .*+ are safe'), 'regex chars .*+ are safe');
    const special = new SecretsMasker();
    special.add('a.b*c(d)');
    assert.equal(special.redact('x a.b*c(d) axbbc(d)'), 'x *** axbbc(d)');
  });

  test('the masker forgets the oldest secrets beyond its limit', () => {
    const m = new SecretsMasker(2);
    m.add('first-secret');
    m.add('second-secret');
    m.add('third-secret');
    assert.equal(m.size, 2);
    assert.equal(m.redact('first-secret third-secret'), 'first-secret ***');
  });

  test('wrapped services register connection passwords, sensitive extras and sensitive variables as they are fetched', async () => {
    const m = new SecretsMasker();
    const services: TaskServices = {
      pullXComs: async () => [],
      getVariable: async (k) => ({ db_password: 'var-secret-1', region: 'eu-west-1' })[k],
      listVariables: async () => ({ api_token: 'var-secret-2', region: 'eu-west-1' }),
      getConnection: async (id) => ({ connId: id, connType: 'http', host: 'h', login: 'l', password: 'conn-secret-1', schema: null, port: null, extra: { api_key: 'extra-secret' } }),
      listConnections: async () => [{ connId: 'b', connType: 'http', host: null, login: null, password: 'conn-secret-2', schema: null, port: null, extra: {} }],
    };
    const wrapped = maskFetchedSecrets(services, m);
    assert.equal(await wrapped.getVariable('region'), 'eu-west-1');
    assert.equal(m.size, 0);
    assert.equal(await wrapped.getVariable('db_password'), 'var-secret-1');
    await wrapped.listVariables();
    assert.equal((await wrapped.getConnection('a'))?.password, 'conn-secret-1');
    await wrapped.listConnections();
    assert.equal(m.redact('var-secret-1 var-secret-2 conn-secret-1 conn-secret-2 extra-secret eu-west-1'), '*** *** *** *** *** eu-west-1');
  });
});

/**
 * The response checker the API tests rely on: it converts OpenAPI 3.0 schemas correctly and
 * rejects responses that break the document (so a passing API test means a conforming response).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toJsonSchema } from './support/openapi-validator.ts';
import { validator } from './support/api-harness.ts';

const problem = (status: number) => ({ type: 'about:blank', title: 'x', status, detail: 'd' });

describe('OpenAPI response checker', () => {
  test('nullable becomes a null type (also in enums), and $refs point into the definitions', () => {
    assert.deepEqual(toJsonSchema({ type: 'string', nullable: true, enum: ['a'] }), { type: ['string', 'null'], enum: ['a', null] });
    assert.deepEqual(toJsonSchema({ $ref: '#/components/schemas/TimeDelta', nullable: true }), { anyOf: [{ $ref: '#/definitions/TimeDelta' }, { type: 'null' }] });
    assert.deepEqual(toJsonSchema({ readOnly: true, type: 'integer', example: 3 }), { type: 'integer' });
  });

  test('a body that breaks its schema is rejected with the reason', () => {
    assert.throws(() => validator.check('GET', '/api/v1/dags/x', { status: 200, contentType: 'application/json', body: { dag_id: 5 } }), /dag_id.*must be string/);
    assert.throws(() => validator.check('GET', '/api/v1/pools', { status: 200, contentType: 'application/json', body: { pools: [{ slots: 'many' }] } }), /slots/);
    validator.check('GET', '/api/v1/dags/x', { status: 200, contentType: 'application/json', body: { dag_id: 'x', description: null, schedule_interval: null } });
  });

  test('errors must be problem documents whose status matches, with a declared or generic status', () => {
    assert.throws(() => validator.check('GET', '/api/v1/dags/x', { status: 404, contentType: 'application/json', body: problem(404) }), /problem\+json/);
    assert.throws(() => validator.check('GET', '/api/v1/dags/x', { status: 404, contentType: 'application/problem+json', body: { detail: 'no type' } }), /not a problem document/);
    assert.throws(() => validator.check('GET', '/api/v1/dags/x', { status: 404, contentType: 'application/problem+json', body: problem(400) }), /differs/);
    assert.throws(() => validator.check('GET', '/api/v1/dags/x', { status: 418, contentType: 'application/problem+json', body: problem(418) }), /declares no 418/);
    validator.check('GET', '/api/v1/dags/x', { status: 404, contentType: 'application/problem+json', body: problem(404) });
  });

  test('requests are matched to operations, literal paths first and path-format parameters across slashes', () => {
    assert.equal(validator.operationFor('POST', '/api/v1/dags/~/dagRuns/list')?.template, '/dags/~/dagRuns/list');
    assert.equal(validator.operationFor('GET', '/api/v1/dags/d/dagRuns/r/taskInstances/t/3')?.template, '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/{map_index}');
    assert.equal(validator.operationFor('GET', '/api/v1/dags/d/dagRuns/r/taskInstances/t/tries')?.template, '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/tries');
    assert.equal(validator.operationFor('GET', '/api/v1/variables/a/b')?.template, '/variables/{variable_key}');
    assert.equal(validator.operationFor('GET', '/api/v1/nothing'), undefined);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asFromChild, asToChild } from '../../src/processor/protocol.ts';

test('parse requests are validated', () => {
  assert.deepEqual(asToChild({ type: 'parse', id: 1, file: '/a.ts', extra: true }), { type: 'parse', id: 1, file: '/a.ts' });
  for (const bad of [null, 'parse', [], { type: 'parse', id: '1', file: '/a.ts' }, { type: 'parse', id: 1, file: '' }, { type: 'other', id: 1, file: '/a.ts' }]) {
    assert.equal(asToChild(bad), null, JSON.stringify(bad));
  }
});

test('child messages are validated down to each import error', () => {
  const result = { file: '/a.ts', dags: [{ dagId: 'x', tasks: [] }], errors: [{ file: '/a.ts', line: 3, message: 'm', stack: '' }], durationMs: 1 };
  assert.deepEqual(asFromChild({ type: 'ready', pid: 42 }), { type: 'ready', pid: 42 });
  assert.deepEqual(asFromChild({ type: 'result', id: 7, result }), { type: 'result', id: 7, result });
  const broken = [
    { type: 'ready' },
    { type: 'result', id: 7 },
    { type: 'result', id: 7, result: { ...result, dags: [{ tasks: [] }] } },
    { type: 'result', id: 7, result: { ...result, errors: [{ file: '/a.ts', line: '3', message: 'm', stack: '' }] } },
    { type: 'result', id: 7, result: { ...result, durationMs: undefined } },
  ];
  for (const bad of broken) assert.equal(asFromChild(bad), null, JSON.stringify(bad));
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = (project: string) =>
  spawnSync(`${root}node_modules/.bin/tsc`, ['--noEmit', '-p', `${root}test/fixtures/${project}`], { cwd: root, encoding: 'utf8' });

describe('typed wiring between tasks', () => {
  test('wiring a string output into a number input does not compile', () => {
    const r = tsc('typing-must-fail');
    const output = `${r.stdout}${r.stderr}`;
    assert.notEqual(r.status, 0, `tsc should fail; output:\n${output}`);
    const line = output.split('\n').find((l) => l.includes("not assignable to parameter of type 'Wire<number>'"));
    assert.ok(line, `expected a Wire<number> error; output:\n${output}`);
    assert.match(line, /string-into-number\.ts/);
  });

  test('correct wiring (objects, keys of outputs, mapping, optional and void inputs) compiles', () => {
    const r = tsc('typing-ok');
    assert.equal(r.status, 0, `tsc should succeed; output:\n${r.stdout}${r.stderr}`);
  });
});

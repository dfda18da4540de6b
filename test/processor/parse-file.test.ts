import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadDagsFromFile } from '../../src/processor/load-dag-module.ts';
import { parseDagFile } from '../../src/processor/parse-file.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/dags-processor/', import.meta.url));
const UNITS = fileURLToPath(new URL('../fixtures/dags-processor-units/', import.meta.url));

test('collects named and default exports once each and records the file', async () => {
  const dags = await loadDagsFromFile(`${FIXTURES}a_pair.ts`);
  assert.deepEqual(dags.map((d) => d.dagId).sort(), ['pair_extract', 'pair_report']);
  assert.ok(dags.every((d) => d.fileloc === `${FIXTURES}a_pair.ts`));
});

test('a file that defines no DAG parses to nothing, without errors', async () => {
  const r = await parseDagFile(`${UNITS}no_dags.ts`);
  assert.deepEqual([r.dags, r.errors], [[], []]);
});

test('an exception at import points at the throwing line of the TypeScript source', async () => {
  const r = await parseDagFile(`${FIXTURES}throws.ts`);
  assert.equal(r.dags.length, 0);
  assert.equal(r.errors.length, 1);
  const [e] = r.errors;
  assert.equal(e!.file, `${FIXTURES}throws.ts`);
  assert.equal(e!.line, 16);
  assert.equal(e!.message, 'settings for region eu are missing');
  assert.match(e!.stack, /throws\.ts:16:/);
  assert.doesNotMatch(e!.stack, /\?v=/);
});

test('a DAG definition error raised during import points at the dag() call', async () => {
  const r = await parseDagFile(`${UNITS}bad_schedule.ts`);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.line, 4);
  assert.match(r.errors[0]!.message, /^DagDefinitionError: DAG 'bad_schedule': invalid schedule/);
});

test('a DAG with a cycle is an import error while its sibling DAG loads', async () => {
  const r = await parseDagFile(`${FIXTURES}cycle.ts`);
  assert.deepEqual(r.dags.map((d) => d.dagId), ['cycle_sibling']);
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0]!.message, /DagDefinitionError: DAG 'cyclic': .*cycle.*a -> b -> a/);
});

test('two DAGs with the same id in one file: one import error, the first and the others load', async () => {
  const r = await parseDagFile(`${UNITS}duplicate_in_file.ts`);
  assert.deepEqual(r.dags.map((d) => d.dagId).sort(), ['once', 'twice']);
  assert.deepEqual(r.dags.find((d) => d.dagId === 'twice')!.tasks.map((t) => t.taskId), ['a']);
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0]!.message, /DAG id 'twice' is defined more than once in this file/);
});

test('a syntax error in a JavaScript file reports its line', async () => {
  const r = await parseDagFile(`${FIXTURES}syntax_error.js`);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.line, 6);
  assert.match(r.errors[0]!.message, /^SyntaxError: /);
});

test('a missing file is an import error, not an exception', async () => {
  const r = await parseDagFile(`${UNITS}does_not_exist.ts`);
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0]!.message, /ENOENT/);
});

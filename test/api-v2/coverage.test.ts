/**
 * Which v2 operations are served: every route names an operation of openapi-v2.yaml exactly
 * once, and docs/api.md lists exactly the operations that are not served (none now) and how many are.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { servedOperations } from '../../src/api/v2/app.ts';
import { specOperations } from '../../src/api/v2/spec.ts';

const served = servedOperations({} as never).map((r) => r.op);
const all = [...specOperations().keys()];

test('every served route is an operation of the document, served once', () => {
  assert.deepEqual(served.filter((op) => !all.includes(op)), []);
  assert.equal(new Set(served).size, served.length);
});

test('docs/api.md lists exactly the operations that are not served (none) and the count served', () => {
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const section = doc.split("### v2 operations with Baton's own answers")[1] ?? '';
  const listed = [...section.matchAll(/^- `([a-z_]+)`:/gm)].map((m) => m[1]).sort();
  assert.deepEqual(listed, all.filter((op) => !served.includes(op)).sort());
  assert.match(doc, new RegExp(`${served.length} of the document's ${all.length} operations are served`));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectExamples, projectText, readProjectsCsv } from './madewithml.ts';

const DATA = new URL('../../../../examples/data/madewithml/', import.meta.url);

test('readProjectsCsv parses dataset.csv, including descriptions spanning lines', () => {
  const rows = readProjectsCsv(new URL('dataset.csv', DATA));
  assert.equal(rows.length, 764);
  const row = rows.find((r) => r.id === 7);
  assert.ok(row);
  assert.equal(row.title, 'Show, Infer & Tell: Contextual Inference for Creative Captioning');
  assert.match(row.description, /^The beauty of the work lies .*\n$/s);
  assert.equal(row.tag, 'computer-vision');
  assert.equal(row.createdOn, '2020-02-20 06:47:21');
  assert.deepEqual(
    [...new Set(rows.map((r) => r.tag))].sort(),
    ['computer-vision', 'mlops', 'natural-language-processing', 'other'],
  );
});

test('holdout.csv has 191 rows and shares no id with dataset.csv', () => {
  const train = new Set(readProjectsCsv(new URL('dataset.csv', DATA)).map((r) => r.id));
  const holdout = readProjectsCsv(new URL('holdout.csv', DATA));
  assert.equal(holdout.length, 191);
  assert.ok(holdout.every((r) => !train.has(r.id)));
});

test('projects.csv rows have no tag and cannot become training examples', () => {
  const rows = readProjectsCsv(new URL('projects.csv', DATA));
  assert.equal(rows.length, 764);
  assert.equal(rows[0].tag, undefined);
  assert.throws(() => projectExamples(rows), /project \d+ has no tag to learn from/);
});

test('projectText is title, a space, then description', () => {
  assert.equal(projectText({ title: 'YOLO', description: 'Real-time detection.' }), 'YOLO Real-time detection.');
  const [example] = projectExamples([{ id: 1, createdOn: '', title: 'T', description: 'D', tag: 'mlops' }]);
  assert.deepEqual(example, { text: 'T D', label: 'mlops' });
});

test('readProjectsCsv reports missing columns and bad ids', () => {
  const dir = mkdtempSync(join(tmpdir(), 'projects-'));
  try {
    const noTitle = join(dir, 'no-title.csv');
    writeFileSync(noTitle, 'id,created_on,description\n1,2020-01-01,x\n');
    assert.throws(() => readProjectsCsv(noTitle), /no-title\.csv: missing column\(s\) title/);
    const badId = join(dir, 'bad-id.csv');
    writeFileSync(badId, 'id,created_on,title,description\nabc,2020-01-01,t,d\n');
    assert.throws(() => readProjectsCsv(badId), /row 1 has a non-integer id "abc"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fromFlag, fromJson, isIsoTimestamp, nowIso, toFlag, toIso, toJson } from '../../src/store/codec.ts';
import { parseDatabaseUrl, redactUrl } from '../../src/store/database-url.ts';
import { openDatabase } from '../../src/store/database.ts';

describe('stored encodings', () => {
  test('timestamps normalize to UTC with milliseconds', () => {
    assert.equal(toIso('2024-01-01T02:00:00+02:00'), '2024-01-01T00:00:00.000Z');
    assert.equal(toIso(new Date(Date.UTC(2024, 0, 1))), '2024-01-01T00:00:00.000Z');
    assert.equal(toIso(0), '1970-01-01T00:00:00.000Z');
    assert.ok(isIsoTimestamp(nowIso()));
    assert.throws(() => toIso('2024-01-01T00:00:00'), /no time zone/);
    assert.throws(() => toIso('yesterday'), /not a valid date/);
  });

  test('flags and JSON', () => {
    assert.equal(toFlag(true), 1);
    assert.equal(fromFlag(0), false);
    assert.deepEqual(fromJson(toJson({ a: [1, null] })), { a: [1, null] });
    assert.equal(fromJson(null), null);
    assert.throws(() => toJson(undefined), /JSON column/);
    assert.throws(() => fromJson('{oops', 'dag_run.conf'), /dag_run\.conf is not valid JSON/);
  });
});

describe('database URLs', () => {
  test('parses each supported form', () => {
    assert.deepEqual(parseDatabaseUrl('sqlite:/var/lib/baton/baton.db'), { dialect: 'sqlite', path: '/var/lib/baton/baton.db' });
    assert.deepEqual(parseDatabaseUrl('sqlite:///var/lib/baton.db'), { dialect: 'sqlite', path: '/var/lib/baton.db' });
    assert.deepEqual(parseDatabaseUrl('sqlite::memory:'), { dialect: 'sqlite', path: ':memory:' });
    assert.equal(parseDatabaseUrl('postgresql://u:p@h/db').dialect, 'postgres');
  });

  test('refuses what it cannot use, without leaking passwords', () => {
    assert.throws(() => parseDatabaseUrl('sqlite:baton.db'), /absolute file path/);
    assert.throws(() => parseDatabaseUrl('mysql://u:hunter2@h/db'), (err: Error) => /unsupported scheme/.test(err.message) && !err.message.includes('hunter2'));
    assert.equal(redactUrl('postgres://u:hunter2@h:5432/db'), 'postgres://u:***@h:5432/db');
  });

  test('an unreachable PostgreSQL is reported with the URL and what to check', async () => {
    await assert.rejects(openDatabase({ url: 'postgres://u:hunter2@127.0.0.1:1/baton' }), (err: Error) => {
      assert.match(err.message, /Could not connect to PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/baton/);
      assert.match(err.message, /Check that the server is running/);
      assert.ok(!err.message.includes('hunter2'));
      return true;
    });
  });
});

/**
 * The executor inbox on real PostgreSQL: events round-trip, a claim is exclusive while its lease
 * lasts, an expired lease lets another scheduler take the event, acknowledged events are gone,
 * and rows that hold no valid event are dropped rather than blocking the inbox.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { appendToInbox, claimFromInbox, decode, removeFromInbox, type InboxEvent } from '../../src/executors/bullmq/inbox.ts';
import type { TestDb } from '../support/databases.ts';
import { postgres } from './helpers.ts';

const key = { dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1 };
const finished: InboxEvent = {
  kind: 'finished', key, tryNumber: 1,
  result: { state: 'success', error: null, xcoms: [{ key: 'return_value', value: '1' }], skip: [], mapLengths: [], datasetEvents: [], triggerRequests: [], rescheduleAt: null, defer: null, renderedFields: { cmd: 'echo' }, startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:01.000Z' },
};
const lost: InboxEvent = { kind: 'lost', key: { ...key, taskId: 'u' }, tryNumber: 2, reason: 'worker died', at: '2026-01-01T00:00:02.000Z' };

describe('executor inbox on postgres', () => {
  let db: TestDb;
  before(async () => (db = await postgres.open()));
  after(async () => db.drop());

  test('appended events are claimed once, in order, with receipts; acknowledged ones are gone', async () => {
    await appendToInbox(db.db, [finished, lost]);
    const a = await claimFromInbox(db.db, 1, { limit: 10, leaseMs: 60_000 });
    assert.deepEqual(a.map(({ receipt: _r, ...e }) => e), [finished, lost]);
    assert.deepEqual(await claimFromInbox(db.db, 2, { limit: 10, leaseMs: 60_000 }), [], 'a claimed event is not handed to a second scheduler');
    await db.db.transaction().execute((trx) => removeFromInbox(trx, a.map((e) => e.receipt!)));
    assert.equal((await db.db.selectFrom('executor_event').select('id').execute()).length, 0);
  });

  test('an event whose lease ran out (its scheduler died) is claimed by another scheduler', async () => {
    await appendToInbox(db.db, [finished]);
    const first = await claimFromInbox(db.db, 1, { limit: 10, leaseMs: 1 });
    assert.equal(first.length, 1);
    await new Promise((r) => setTimeout(r, 10));
    const second = await claimFromInbox(db.db, 2, { limit: 10, leaseMs: 60_000 });
    assert.deepEqual(second.map((e) => e.receipt), first.map((e) => e.receipt));
    await db.db.transaction().execute((trx) => removeFromInbox(trx, second.map((e) => e.receipt!)));
  });

  test('a claim takes at most its limit', async () => {
    await appendToInbox(db.db, Array.from({ length: 5 }, (_, i) => ({ ...lost, tryNumber: i + 1 })));
    const some = await claimFromInbox(db.db, 1, { limit: 3, leaseMs: 60_000 });
    assert.deepEqual(some.map((e) => e.tryNumber), [1, 2, 3]);
    const rest = await claimFromInbox(db.db, 1, { limit: 10, leaseMs: 60_000 });
    assert.deepEqual(rest.map((e) => e.tryNumber), [4, 5]);
    await db.db.transaction().execute((trx) => removeFromInbox(trx, [...some, ...rest].map((e) => e.receipt!)));
  });

  test('rows without a valid event are dropped with a warning, and valid ones still come through', async () => {
    await db.db.insertInto('executor_event').values([
      { created_at: '2026-01-01T00:00:00.000Z', claimed_by: null, claimed_until: null, payload: 'not json' },
      { created_at: '2026-01-01T00:00:00.000Z', claimed_by: null, claimed_until: null, payload: JSON.stringify({ kind: 'finished', key, tryNumber: 1, result: { state: 'exploded' } }) },
    ]).execute();
    await appendToInbox(db.db, [lost]);
    const warnings: string[] = [];
    const got = await claimFromInbox(db.db, 1, { limit: 10, leaseMs: 60_000, warn: (m) => warnings.push(m) });
    assert.deepEqual(got.map(({ receipt: _r, ...e }) => e), [lost]);
    assert.match(warnings.join(), /dropped 2 executor inbox row/);
    assert.equal((await db.db.selectFrom('executor_event').select('id').execute()).length, 1);
  });

  for (const [what, payload] of [
    ['a lost event without a reason', JSON.stringify({ kind: 'lost', key, tryNumber: 1, at: 'x' })],
    ['a started event (workers record starts themselves)', JSON.stringify({ kind: 'started', key, tryNumber: 1, hostname: 'h', pid: 1, at: 'x' })],
    ['an event with a bad key', JSON.stringify({ ...lost, key: { dagId: 'd' } })],
  ] as const) {
    test(`decode refuses ${what}`, () => assert.equal(decode(payload), null));
  }
});

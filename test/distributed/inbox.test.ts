/**
 * The executor inbox on real PostgreSQL: events round-trip, a claim is exclusive while its lease
 * lasts, an expired lease lets another scheduler take the event, acknowledged events are gone,
 * and rows that hold no valid event are dropped rather than blocking the inbox. Each appended row
 * is announced with its event, and a row is taken (recorded) by one scheduler only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { appendToInbox, claimFromInbox, decode, parseNotification, removeFromInbox, takeFromInbox, type InboxEvent } from '../../src/executors/bullmq/inbox.ts';
import { CHANNELS } from '../../src/store/index.ts';
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

  test('each appended row is announced with its id and event; an event too large for a notification is announced by its id alone', async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(n.payload ?? ''));
    await listener.query(`listen ${CHANNELS.executorEvents}`);
    await db.db.deleteFrom('executor_event').execute();
    try {
      const big: InboxEvent = { ...finished, result: { ...finished.result, xcoms: [{ key: 'return_value', value: JSON.stringify('x'.repeat(9000)) }] } };
      await appendToInbox(db.db, [finished, lost, big]);
      const deadline = Date.now() + 5000;
      while (heard.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const ids = (await db.db.selectFrom('executor_event').select('id').orderBy('id').execute()).map((r) => Number(r.id));
      const parsed = heard.map(parseNotification).sort((a, b) => a!.receipt - b!.receipt);
      assert.deepEqual(parsed.map((n) => n?.receipt), ids);
      assert.deepEqual(parsed.map((n) => n?.event), [finished, lost, null]);
      assert.ok(heard.every((h) => h.length < 8000));
      assert.deepEqual((await takeFromInbox(db.db, 1, ids)).sort((a, b) => a - b), ids);
    } finally {
      await listener.end();
    }
  });

  test('a notification that names no row is told apart from one that does', () => {
    assert.equal(parseNotification(''), null);
    assert.equal(parseNotification('x 1'), null);
    assert.deepEqual(parseNotification('12'), { receipt: 12, event: null });
    assert.deepEqual(parseNotification(`7 ${JSON.stringify(lost)}`), { receipt: 7, event: lost });
    assert.deepEqual(parseNotification('7 {"kind":"started"}'), { receipt: 7, event: null });
  });

  test('a row is taken once: by a scheduler that holds no lease on it or holds the lease, never past another live lease or a transaction taking it', async () => {
    await db.db.deleteFrom('executor_event').execute();
    await appendToInbox(db.db, [finished, lost, { ...lost, tryNumber: 3 }, { ...lost, tryNumber: 4 }]);
    const [free, leasedByOther, expired, lockedByOther] = (await db.db.selectFrom('executor_event').select('id').orderBy('id').execute()).map((r) => Number(r.id)) as [number, number, number, number];
    await db.db.updateTable('executor_event').set({ claimed_by: 2, claimed_until: new Date(Date.now() + 60_000).toISOString() }).where('id', '=', leasedByOther).execute();
    await db.db.updateTable('executor_event').set({ claimed_by: 2, claimed_until: new Date(Date.now() - 1).toISOString() }).where('id', '=', expired).execute();
    // Another scheduler is recording the last row right now (its transaction holds the row).
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('begin');
      await other.query('select id from executor_event where id = $1 for update', [lockedByOther]);
      const all = [free, leasedByOther, expired, lockedByOther];
      const taken = await db.db.transaction().execute((trx) => takeFromInbox(trx, 1, all));
      assert.deepEqual(taken.sort((a, b) => a - b), [free, expired]);
      assert.deepEqual(await takeFromInbox(db.db, 1, [free, expired]), [], 'a row taken once is not taken again');
      assert.deepEqual(await takeFromInbox(db.db, 2, [leasedByOther]), [leasedByOther], 'the lease holder takes its row');
      await other.query('rollback');
      assert.deepEqual(await takeFromInbox(db.db, 1, [lockedByOther]), [lockedByOther], 'a row whose other taker rolled back is taken');
    } finally {
      await other.end();
    }
  });

  for (const [what, payload] of [
    ['a lost event without a reason', JSON.stringify({ kind: 'lost', key, tryNumber: 1, at: 'x' })],
    ['a started event (workers record starts themselves)', JSON.stringify({ kind: 'started', key, tryNumber: 1, hostname: 'h', pid: 1, at: 'x' })],
    ['an event with a bad key', JSON.stringify({ ...lost, key: { dagId: 'd' } })],
  ] as const) {
    test(`decode refuses ${what}`, () => assert.equal(decode(payload), null));
  }
});

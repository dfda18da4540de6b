import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FromWorker } from '../../src/executors/local/protocol.ts';
import { ServiceClient } from '../../src/executors/local/service-client.ts';

function client() {
  const sent: FromWorker[] = [];
  const c = new ServiceClient((m) => void sent.push(m));
  const lastId = () => (sent.at(-1) as Extract<FromWorker, { kind: 'service' }>).id;
  return { c, sent, lastId };
}

describe('worker service client', () => {
  test('a call is sent with the try sequence number and settles with the reply carrying its id', async () => {
    const { c, sent, lastId } = client();
    const pending = c.forTry(9).getVariable('greeting');
    assert.deepEqual(sent, [{ kind: 'service', seq: 9, id: lastId(), call: { method: 'getVariable', key: 'greeting' } }]);
    c.onReply({ kind: 'reply', id: lastId(), ok: true, value: 'hello' });
    assert.equal(await pending, 'hello');
  });

  test('a reply to an id nobody waits for is ignored, and the right reply still settles the call', async () => {
    const { c, lastId } = client();
    const pending = c.forTry(1).listVariables();
    c.onReply({ kind: 'reply', id: 12345, ok: true, value: { wrong: 'answer' } });
    c.onReply({ kind: 'reply', id: lastId(), ok: true, value: { a: '1' } });
    c.onReply({ kind: 'reply', id: lastId(), ok: true, value: { again: 'ignored' } });
    assert.deepEqual(await pending, { a: '1' });
  });

  test('an error reply rejects the call with its message', async () => {
    const { c, lastId } = client();
    const pending = c.forTry(1).getConnection('db');
    c.onReply({ kind: 'reply', id: lastId(), ok: false, error: 'getConnection failed in the executor: down' });
    await assert.rejects(pending, /getConnection failed in the executor: down/);
  });

  test('an answer of the wrong shape rejects the call instead of reaching the task', async () => {
    const { c, lastId } = client();
    const pending = c.forTry(1).pullXComs({ taskIds: ['a'], key: null });
    c.onReply({ kind: 'reply', id: lastId(), ok: true, value: 'not rows' });
    await assert.rejects(pending, /answered pullXComs with something that is not a list of XCom rows/);
  });

  test('a missing variable or connection (null or nothing) reads as undefined', async () => {
    const { c, lastId } = client();
    const v = c.forTry(1).getVariable('x');
    c.onReply({ kind: 'reply', id: lastId(), ok: true, value: null });
    assert.equal(await v, undefined);
    const conn = c.forTry(1).getConnection('x');
    c.onReply({ kind: 'reply', id: lastId(), ok: true, value: undefined });
    assert.equal(await conn, undefined);
  });
});

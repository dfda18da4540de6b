import { loadConfig } from '../../src/config.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { artifactStore, defaultArtifactsDir, getJson, InvalidObjectKeyError, LocalObjectStore, ObjectNotFoundError, putJson } from '../../src/providers/objectstore/index.ts';
import { tempDir } from './support.ts';

describe('LocalObjectStore', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let store: LocalObjectStore;
  before(async () => {
    dir = await tempDir();
    store = new LocalObjectStore(join(dir.path, 'store'));
  });
  after(() => dir.remove());

  test('put then get returns the same bytes and text', async () => {
    await store.put('a/b/c.bin', new Uint8Array([0, 1, 2, 255]));
    await store.put('a/hello.txt', 'héllo');
    assert.deepEqual([...(await store.get('a/b/c.bin'))], [0, 1, 2, 255]);
    assert.equal(new TextDecoder().decode(await store.get('a/hello.txt')), 'héllo');
  });

  test('a put replaces the object and leaves no temporary files behind', async () => {
    await store.put('x/report.json', 'old');
    await store.put('x/report.json', 'new');
    assert.equal(await readFile(join(store.root, 'x/report.json'), 'utf8'), 'new');
    assert.deepEqual(await readdir(join(store.root, 'x')), ['report.json']);
  });

  test('exists, list by prefix (sorted, recursive) and delete', async () => {
    await store.put('runs/r1/t1.json', '1');
    await store.put('runs/r1/t2.json', '2');
    await store.put('runs/r2/t1.json', '3');
    assert.equal(await store.exists('runs/r1/t1.json'), true);
    assert.equal(await store.exists('runs/r9/t1.json'), false);
    assert.deepEqual(await store.list('runs/r1/'), ['runs/r1/t1.json', 'runs/r1/t2.json']);
    assert.deepEqual(await store.list('runs/r'), ['runs/r1/t1.json', 'runs/r1/t2.json', 'runs/r2/t1.json']);
    assert.deepEqual(await store.list('nothing/here'), []);
    assert.equal(await store.delete('runs/r1/t1.json'), true);
    assert.equal(await store.delete('runs/r1/t1.json'), false);
    assert.deepEqual(await store.list('runs/r1/'), ['runs/r1/t2.json']);
  });

  test('get of a missing key throws ObjectNotFoundError naming the key', async () => {
    await assert.rejects(store.get('missing/key.json'), (e: Error) => e instanceof ObjectNotFoundError && /no object under key 'missing\/key.json'/.test(e.message));
  });

  test('url is a file:// URL of the object', () => {
    assert.equal(store.url('a/hello.txt'), `file://${join(store.root, 'a/hello.txt')}`);
  });

  test('JSON helpers round-trip a value', async () => {
    await putJson(store, 'j/v.json', { a: [1, 'two'] });
    assert.deepEqual(await getJson(store, 'j/v.json'), { a: [1, 'two'] });
  });

  const traversals: Array<[string, RegExp]> = [
    ['../escape.txt', /would leave the store's root/],
    ['a/../../escape.txt', /would leave the store's root/],
    ['/etc/passwd', /keys are relative to the store/],
    ['a\\..\\b', /use "\/" to separate segments/],
    ['a//b', /empty segment/],
    ['./a', /would leave the store's root/],
    ['', /non-empty string/],
    ['a/\u0000b', /control character/],
  ];
  for (const [key, message] of traversals) {
    test(`key ${JSON.stringify(key)} is rejected with a clear error, for every operation`, async () => {
      const check = (e: Error) => e instanceof InvalidObjectKeyError && message.test(e.message);
      await assert.rejects(store.put(key, 'x'), check);
      await assert.rejects(store.get(key), check);
      await assert.rejects(store.exists(key), check);
      await assert.rejects(store.delete(key), check);
      assert.throws(() => store.url(key), check);
    });
  }

  test('list rejects a prefix with ".." segments', async () => {
    await assert.rejects(store.list('../'), InvalidObjectKeyError);
  });
});

describe('artifacts directory', () => {
  test("defaults to the configured home's artifacts folder (BATON_HOME, else the package.json setting)", () => {
    assert.equal(defaultArtifactsDir({ BATON_HOME: '/srv/baton' }), '/srv/baton/artifacts');
    assert.equal(defaultArtifactsDir({}), loadConfig({}).home + '/artifacts');
  });

  test('artifactStore(dir) is a local store rooted at dir', () => {
    assert.equal(artifactStore('/tmp/some-artifacts').root, '/tmp/some-artifacts');
  });
});

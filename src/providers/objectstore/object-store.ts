/**
 * The object store: named blobs under string keys such as `validation/my_dag/run_1/check.json`.
 * Artifacts, validation reports and large values are written through this interface, so a
 * filesystem, S3 or GCS backend can be swapped in without touching the code that writes them.
 */

/** Bytes or text to store. Text is written as UTF-8. */
export type ObjectBody = Uint8Array | string;

export interface ObjectStore {
  /** Writes `body` under `key`, replacing any object already there. Readers never see a partial object. */
  put(key: string, body: ObjectBody): Promise<void>;
  /** The object's bytes. Throws `ObjectNotFoundError` when there is none. */
  get(key: string): Promise<Uint8Array>;
  exists(key: string): Promise<boolean>;
  /** Keys that start with `prefix` (every key when empty), sorted. */
  list(prefix?: string): Promise<string[]>;
  /** Removes the object; returns false when there was none. */
  delete(key: string): Promise<boolean>;
  /** Where the object lives, as a URL a person or another tool can open (e.g. `file:///…`). */
  url(key: string): string;
}

/** A key is malformed or tries to leave the store (`..`, an absolute path, …). */
export class InvalidObjectKeyError extends Error {
  override readonly name = 'InvalidObjectKeyError';
}

/** `get` found no object under the key. */
export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError';
  constructor(
    readonly key: string,
    where: string,
  ) {
    super(`no object under key '${key}' in ${where}: write it first, or check the key with list()`);
  }
}

const MAX_KEY_LENGTH = 1024;

/**
 * Checks a key and returns its `/`-separated segments. Keys are relative, use `/` as separator,
 * and have no empty, `.` or `..` segments, no backslashes and no control characters.
 */
export function validateObjectKey(key: unknown): string[] {
  const bad = (why: string) => new InvalidObjectKeyError(`object key ${JSON.stringify(key)} is not valid: ${why}`);
  if (typeof key !== 'string' || key.length === 0) throw bad('a key must be a non-empty string such as "reports/run_1.json"');
  if (key.length > MAX_KEY_LENGTH) throw bad(`it is longer than ${MAX_KEY_LENGTH} characters`);
  if (/[\u0000-\u001f\u007f]/.test(key)) throw bad('it contains a control character');
  if (key.includes('\\')) throw bad('use "/" to separate segments, not "\\"');
  if (key.startsWith('/') || /^[A-Za-z]:/.test(key)) throw bad('keys are relative to the store; remove the leading "/" or drive letter');
  const segments = key.split('/');
  for (const s of segments) {
    if (s === '') throw bad('it has an empty segment ("//" or a trailing "/")');
    if (s === '.' || s === '..') throw bad(`segment "${s}" would leave the store's root; name the object without "." or ".." segments`);
  }
  return segments;
}

/** Writes a value as pretty-printed JSON. */
export async function putJson(store: ObjectStore, key: string, value: unknown): Promise<void> {
  await store.put(key, `${JSON.stringify(value, null, 2)}\n`);
}

/** Reads an object written by `putJson`. */
export async function getJson<T = unknown>(store: ObjectStore, key: string): Promise<T> {
  const bytes = await store.get(key);
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`object '${key}' (${store.url(key)}) is not valid JSON: ${(e as Error).message}`);
  }
}

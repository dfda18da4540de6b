/** An object store in memory: artifacts of `dags test` runs, which keep nothing on disk. */
import { ObjectNotFoundError, validateObjectKey, type ObjectBody, type ObjectStore } from '../../objectstore/object-store.ts';

export class MemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, Uint8Array>();

  async put(key: string, body: ObjectBody): Promise<void> {
    validateObjectKey(key);
    this.objects.set(key, typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body));
  }

  async get(key: string): Promise<Uint8Array> {
    validateObjectKey(key);
    const body = this.objects.get(key);
    if (!body) throw new ObjectNotFoundError(key, 'the in-memory store');
    return new Uint8Array(body);
  }

  async exists(key: string): Promise<boolean> {
    validateObjectKey(key);
    return this.objects.has(key);
  }

  async list(prefix = ''): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<boolean> {
    validateObjectKey(key);
    return this.objects.delete(key);
  }

  url(key: string): string {
    validateObjectKey(key);
    return `memory:${key}`;
  }
}

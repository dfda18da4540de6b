/**
 * Models with their artifacts: a `ModelRegistry` for the versions and an `ObjectStore` for the
 * artifact bytes. Artifacts are written before the version is registered, under
 * `ml/models/<name>/<time>-<random>.<json|txt|bin>`, so a registered version always has one.
 */
import { randomBytes } from 'node:crypto';
import { ObjectNotFoundError, type ObjectStore } from '../../objectstore/object-store.ts';
import { decodeStored, EXTENSIONS, fromStored, toStored, type WireBody } from '../tracking/body.ts';
import type { JsonValue, ModelSelector, TryRef } from '../tracking/types.ts';
import { checkModelName } from '../tracking/validate.ts';
import type { ModelRegistry, ModelVersion } from './types.ts';

export interface RegisterModelInput {
  name: string;
  artifact: WireBody;
  metrics: Record<string, number>;
  params: Record<string, JsonValue>;
  description: string | null;
  /** The task try registering it, if any. */
  source: TryRef | null;
}

export class ModelStore {
  constructor(
    readonly registry: ModelRegistry,
    readonly objects: ObjectStore,
  ) {}

  /** Stores the artifact and registers it as the model's next version. */
  async register(input: RegisterModelInput): Promise<ModelVersion> {
    const name = checkModelName(input.name);
    const stored = toStored(input.artifact);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const key = `ml/models/${name}/${stamp}-${randomBytes(4).toString('hex')}.${EXTENSIONS[stored.encoding]}`;
    await this.objects.put(key, stored.bytes);
    try {
      return await this.registry.createVersion({
        name,
        artifact: { key, encoding: stored.encoding, contentType: stored.contentType, format: stored.format, sizeBytes: stored.bytes.byteLength },
        metrics: input.metrics,
        params: input.params,
        description: input.description,
        source: input.source,
      });
    } catch (e) {
      await this.objects.delete(key).catch(() => {});
      throw e;
    }
  }

  /** The selected version and its artifact as a wire body, or null when there is no such version. */
  async load(name: string, selector: ModelSelector): Promise<{ version: ModelVersion; body: WireBody } | null> {
    const version = await this.registry.getVersion(name, selector);
    if (!version) return null;
    return { version, body: fromStored(version.artifact.encoding, await this.readArtifact(version)) };
  }

  /** The version's artifact decoded: JSON as a value, text as a string, bytes as a Uint8Array. */
  async artifactValue(version: ModelVersion): Promise<unknown> {
    return decodeStored(version.artifact.encoding, await this.readArtifact(version));
  }

  private async readArtifact(version: ModelVersion): Promise<Uint8Array> {
    try {
      return await this.objects.get(version.artifact.key);
    } catch (e) {
      if (e instanceof ObjectNotFoundError) {
        throw new Error(`the artifact of model '${version.name}' version ${version.version} is missing from the artifact store (${this.objects.url(version.artifact.key)}); was the store moved, or BATON_HOME changed?`);
      }
      throw e;
    }
  }
}

/**
 * The answering side of `ctx.ml`: checks each request of a try and carries it out on a
 * tracking store, a model store and the artifact object store. Workers' requests are answered
 * here by the executor (from the metadata database); `dags test` answers them in memory.
 */
import type { Kysely } from 'kysely';
import { artifactStore } from '../../objectstore/artifacts.ts';
import type { ObjectStore } from '../../objectstore/object-store.ts';
import { isIsoTimestamp } from '../../../store/codec.ts';
import type { Schema } from '../../../store/schema.ts';
import { DbModelRegistry } from '../registry/db-registry.ts';
import { MemoryModelRegistry } from '../registry/memory-registry.ts';
import { ModelStore } from '../registry/model-store.ts';
import { toStored, type WireBody } from './body.ts';
import { DbTrackingStore } from './db-store.ts';
import { MemoryObjectStore } from './memory-objects.ts';
import { MemoryTrackingStore } from './memory-store.ts';
import type { MlHandler, MlRequest } from './requests.ts';
import type { TrackingStore } from './store.ts';
import type { LoadedModel, StoredArtifactRef, TryRef } from './types.ts';
import * as check from './validate.ts';

/** Where tracking and registry calls are carried out. */
export interface MlBackend {
  tracking: TrackingStore;
  models: ModelStore;
}

/** A backend on the metadata database, with artifacts in `objects` (default: `artifactStore()`, i.e. `$BATON_HOME/artifacts`). */
export function dbMlBackend(db: Kysely<Schema>, objects: ObjectStore = artifactStore()): MlBackend {
  return { tracking: new DbTrackingStore(db), models: new ModelStore(new DbModelRegistry(db), objects) };
}

/** A backend kept in memory, artifacts included (nothing outlives the process). */
export function memoryMlBackend(objects: ObjectStore = new MemoryObjectStore()): MlBackend {
  return { tracking: new MemoryTrackingStore(), models: new ModelStore(new MemoryModelRegistry(), objects) };
}

/** A model version as `getModel` sends it back: the artifact still as a wire body. */
export type GetModelReply = Omit<LoadedModel, 'artifact'> & { artifact: WireBody };

/** Answers the requests of task tries from `backend`. */
export function mlRequestHandler(backend: MlBackend): MlHandler {
  return async (ti: TryRef, request: MlRequest): Promise<unknown> => {
    switch (request.op) {
      case 'logParams':
        await backend.tracking.logParams(ti, check.checkParams(request.params), new Date().toISOString());
        return null;
      case 'logMetrics': {
        const at = isIsoTimestamp(request.timestamp) ? request.timestamp : new Date().toISOString();
        await backend.tracking.logMetrics(ti, check.checkMetrics(request.metrics), check.checkStep(request.step), at);
        return null;
      }
      case 'logArtifact':
        return logArtifact(backend, ti, request);
      case 'registerModel': {
        const v = await backend.models.register({
          name: check.checkModelName(request.name),
          artifact: request.artifact,
          metrics: check.checkMetrics(request.metrics),
          params: check.checkParams(request.params),
          description: check.checkDescription(request.description),
          source: ti,
        });
        return { name: v.name, version: v.version };
      }
      case 'getModel': {
        const found = await backend.models.load(check.checkModelName(request.name), check.checkSelector(request.selector));
        if (!found) return null;
        const v = found.version;
        const reply: GetModelReply = {
          name: v.name, version: v.version, stage: v.stage, metrics: v.metrics, params: v.params, description: v.description,
          format: v.artifact.format, createdAt: v.createdAt, artifact: found.body,
        };
        return reply;
      }
      case 'promote':
        return backend.models.registry.setStage(check.checkModelName(request.name), check.checkVersion(request.version), check.checkStage(request.stage));
      case 'rollback':
        return backend.models.registry.rollback(check.checkModelName(request.name));
    }
  };
}

async function logArtifact(backend: MlBackend, ti: TryRef, request: Extract<MlRequest, { op: 'logArtifact' }>): Promise<StoredArtifactRef> {
  const name = check.checkArtifactName(request.name);
  const contentType = check.checkContentType(request.contentType);
  const stored = toStored(request.body);
  const key = trackingArtifactKey(ti, name);
  const objects = backend.models.objects;
  await objects.put(key, stored.bytes);
  await backend.tracking.logArtifact(ti, {
    name, key, encoding: stored.encoding, contentType: contentType ?? stored.contentType, sizeBytes: stored.bytes.byteLength, loggedAt: new Date().toISOString(),
  });
  return { key, url: objects.url(key) };
}

/** `ml/runs/<dag>/<run>/<task>/<map index>/<try>/<name>`, each id escaped so it stays one segment. */
export function trackingArtifactKey(ti: TryRef, name: string): string {
  const seg = (s: string) => encodeURIComponent(s).replace(/^\.{1,2}$/, (dots) => '%2E'.repeat(dots.length));
  return ['ml', 'runs', seg(ti.dagId), seg(ti.runId), seg(ti.taskId), String(ti.mapIndex), String(ti.tryNumber), ...name.split('/').map(seg)].join('/');
}

/** Experiment tracking for tasks (`ctx.ml`): params, step-wise metrics and artifacts of each try. */
export type {
  ArtifactData, GetModelOptions, JsonValue, LoadedModel, LogArtifactOptions, LogMetricsOptions, ModelSelector, ModelStage,
  RegisterModelOptions, RollbackResult, StageChange, StoredArtifactRef, TaskMl, TryRef,
} from './types.ts';
export { MODEL_STAGES } from './types.ts';
export { createTaskMl, type MlSend } from './task-ml.ts';
export { parseMlRequest, type MlHandler, type MlRequest } from './requests.ts';
export { dbMlBackend, memoryMlBackend, mlRequestHandler, trackingArtifactKey, type GetModelReply, type MlBackend } from './service.ts';
export type { MetricHistoryPoint, MetricHistoryQuery, MetricPoint, TrackedArtifact, TrackedTry, TrackingStore, TriesQuery } from './store.ts';
export { DbTrackingStore } from './db-store.ts';
export { MemoryTrackingStore } from './memory-store.ts';
export { MemoryObjectStore } from './memory-objects.ts';
export { decodeStored, decodeWire, DEFAULT_CONTENT_TYPES, encodeArtifact, fromStored, toStored, type BodyEncoding, type StoredBody, type WireBody } from './body.ts';
export { MlInputError } from './validate.ts';

/** The model registry: versions and stages of named models, with their artifacts in an object store. */
export { ModelNotFoundError, RollbackError, type ModelArtifactRef, type ModelRegistry, type ModelVersion, type NewModelVersion } from './types.ts';
export { DbModelRegistry } from './db-registry.ts';
export { MemoryModelRegistry } from './memory-registry.ts';
export { ModelStore, type RegisterModelInput } from './model-store.ts';
export { planRollback, planStageChange, type StageChangeReason, type StageHistoryEntry, type StageUpdate } from './stage-rules.ts';

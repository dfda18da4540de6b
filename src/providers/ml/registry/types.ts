/**
 * The model registry: named models with numbered versions, each in a stage (none, staging,
 * production, archived). `DbModelRegistry` keeps it in the metadata database,
 * `MemoryModelRegistry` in memory (`dags test`); another backend plugs in by implementing
 * `ModelRegistry`. Artifact bytes are not the registry's business: it records where they are.
 */
import type { BodyEncoding } from '../tracking/body.ts';
import type { JsonValue, ModelSelector, ModelStage, RollbackResult, StageChange, TryRef } from '../tracking/types.ts';

/** Where a version's artifact is stored and how to read it. */
export interface ModelArtifactRef {
  /** Key in the artifact object store. */
  key: string;
  encoding: BodyEncoding;
  contentType: string;
  /** The artifact's `format` field (selects the serving loader), when it has one. */
  format: string | null;
  sizeBytes: number;
}

export interface ModelVersion {
  name: string;
  version: number;
  stage: ModelStage;
  description: string | null;
  metrics: Record<string, number>;
  params: Record<string, JsonValue>;
  artifact: ModelArtifactRef;
  /** The task try that registered it, when a task did. */
  source: TryRef | null;
  createdAt: string;
  /** When the version entered its current stage. */
  stageChangedAt: string;
}

export interface NewModelVersion {
  name: string;
  artifact: ModelArtifactRef;
  metrics: Record<string, number>;
  params: Record<string, JsonValue>;
  description: string | null;
  source: TryRef | null;
}

export interface ModelRegistry {
  /** Registers the next version of `name` (1 for a new model) in stage `none`. */
  createVersion(input: NewModelVersion): Promise<ModelVersion>;
  /** The selected version, or null when there is none (unknown model, version or empty stage). */
  getVersion(name: string, selector: ModelSelector): Promise<ModelVersion | null>;
  /** Versions by name, then version number. */
  listVersions(filter?: { name?: string }): Promise<ModelVersion[]>;
  /**
   * Moves a version to `stage`. Promoting to production archives the version that was in
   * production. Throws `ModelNotFoundError` for an unknown model or version.
   */
  setStage(name: string, version: number, stage: ModelStage): Promise<StageChange>;
  /**
   * Puts back in production the version that most recently left production (other than by a
   * rollback: a rolled-back version is never restored by a later rollback), and archives the
   * current production version. Throws `RollbackError` when there is no such version.
   */
  rollback(name: string): Promise<RollbackResult>;
}

/** The model, or the version of it, does not exist. */
export class ModelNotFoundError extends Error {
  override readonly name = 'ModelNotFoundError';
}

/** There is no earlier production version to roll back to. */
export class RollbackError extends Error {
  override readonly name = 'RollbackError';
}

/**
 * What a task sees as `ctx.ml`: experiment tracking (params, metrics, artifacts of this try)
 * and the model registry. Every call is tied to the task instance and try that makes it.
 */

/** A JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Data stored as an artifact: text (stored as UTF-8), bytes (a Uint8Array, Buffer, any typed
 * array or an ArrayBuffer; read back as a Uint8Array), or any JSON-serializable value (objects
 * with `toJSON`, such as a trained `TextClassifier`, are stored as their JSON).
 */
export type ArtifactData = string | Uint8Array | object | number | boolean | null;

/** Lifecycle stages of a model version. A new version starts at `none`. */
export type ModelStage = 'none' | 'staging' | 'production' | 'archived';

/** Every model stage, in lifecycle order. */
export const MODEL_STAGES: readonly ModelStage[] = ['none', 'staging', 'production', 'archived'];

/**
 * Which version to fetch: the one in `production`, the newest in `staging`, the newest of all
 * (`latest`), or a version number.
 */
export type ModelSelector = 'production' | 'staging' | 'latest' | number;

/** Identity of one task try. */
export interface TryRef {
  dagId: string;
  runId: string;
  taskId: string;
  /** -1 for a task that is not mapped. */
  mapIndex: number;
  tryNumber: number;
}

/** Where a logged artifact was stored. */
export interface StoredArtifactRef {
  /** Key in the artifact object store. */
  key: string;
  /** Where to open it (e.g. `file:///…`). */
  url: string;
}

/** A model version as a task gets it back, with its artifact loaded. */
export interface LoadedModel<T = unknown> {
  name: string;
  version: number;
  stage: ModelStage;
  metrics: Record<string, number>;
  params: Record<string, JsonValue>;
  description: string | null;
  /** The artifact's `format` field, when it is a JSON object that has one. */
  format: string | null;
  createdAt: string;
  /** JSON artifacts come back as values, text as a string, bytes as a Uint8Array. */
  artifact: T;
}

/** The outcome of a stage change. */
export interface StageChange {
  name: string;
  version: number;
  from: ModelStage;
  to: ModelStage;
  /** Versions archived because this one became the production version. */
  archived: number[];
}

/** The outcome of a rollback. */
export interface RollbackResult {
  name: string;
  /** The version that is production again. */
  restored: number;
  /** The version that was production and is now archived (null when there was none). */
  archived: number | null;
}

export interface LogMetricsOptions {
  /** Training step (a non-negative integer) for step-wise history. Default 0. */
  step?: number;
}

export interface LogArtifactOptions {
  /**
   * Stored with the artifact. Default: `application/json` for values, `text/plain; charset=utf-8`
   * for strings, `application/octet-stream` for bytes.
   */
  contentType?: string;
}

export interface RegisterModelOptions {
  params?: Record<string, unknown>;
  description?: string;
}

export interface GetModelOptions {
  /** Default `production`. */
  stage?: ModelSelector;
}

/** `ctx.ml`: tracking and the model registry, from inside a task. */
export interface TaskMl {
  /** Records parameters of this try (JSON values); logging a key again replaces its value. */
  logParams(params: Record<string, unknown>): Promise<void>;
  /** Records metric values (finite numbers), at `step` when given; call once per step for a history. */
  logMetrics(metrics: Record<string, number>, options?: LogMetricsOptions): Promise<void>;
  /** Stores `data` in the artifact store under this try; logging a name again replaces it. */
  logArtifact(name: string, data: ArtifactData, options?: LogArtifactOptions): Promise<StoredArtifactRef>;
  /** Stores the artifact and registers it as the next version of model `name` (stage `none`). */
  registerModel(name: string, artifact: ArtifactData, metrics?: Record<string, number>, options?: RegisterModelOptions): Promise<{ name: string; version: number }>;
  /** The selected version with its artifact loaded, or null when there is none. */
  getModel<T = unknown>(name: string, options?: GetModelOptions): Promise<LoadedModel<T> | null>;
  /** Moves a version to `stage`; promoting to production archives the previous production version. */
  promote(name: string, version: number, stage: ModelStage): Promise<StageChange>;
  /** Puts the previous production version back in production and archives the current one. */
  rollback(name: string): Promise<RollbackResult>;
}

/**
 * `ctx.ml` of one task try: checks arguments where the task can see the mistake, encodes
 * artifacts as plain JSON, sends each call to the try's task services and decodes the answers.
 */
import { decodeWire, encodeArtifact, isWireBody } from './body.ts';
import type { MlRequest } from './requests.ts';
import type { ArtifactData, GetModelOptions, LoadedModel, LogArtifactOptions, LogMetricsOptions, ModelStage, RegisterModelOptions, RollbackResult, StageChange, StoredArtifactRef, TaskMl, TryRef } from './types.ts';
import * as check from './validate.ts';

/** Sends one request of this try and resolves with the plain-JSON answer. */
export type MlSend = (request: MlRequest) => Promise<unknown>;

/** `ctx.ml` for the try `ti`; without `send`, every call fails saying the runner has no ML services. */
export function createTaskMl(ti: TryRef, send: MlSend | undefined): TaskMl {
  const ask = async (request: MlRequest): Promise<unknown> => {
    if (!send) throw new Error(`ctx.ml.${request.op} is not available in this runner: its task services do not answer ML calls (run the DAG with \`baton dags test\` or the scheduler)`);
    return send(request);
  };
  const expect = <T>(value: unknown, ok: (v: unknown) => boolean, op: string): T => {
    if (!ok(value)) throw new Error(`ctx.ml.${op} got an unexpected answer from the task services: ${JSON.stringify(value)?.slice(0, 200)}`);
    return value as T;
  };
  return {
    async logParams(params) {
      const checked = check.checkParams(params);
      if (Object.keys(checked).length > 0) await ask({ op: 'logParams', params: checked });
    },
    async logMetrics(metrics, options: LogMetricsOptions = {}) {
      const checked = check.checkMetrics(metrics);
      const step = check.checkStep(options.step ?? 0);
      if (Object.keys(checked).length > 0) await ask({ op: 'logMetrics', metrics: checked, step, timestamp: new Date().toISOString() });
    },
    async logArtifact(name: string, data: ArtifactData, options: LogArtifactOptions = {}) {
      const request: MlRequest = {
        op: 'logArtifact', name: check.checkArtifactName(name), body: encodeArtifact(data, `artifact '${name}'`), contentType: check.checkContentType(options.contentType),
      };
      return expect<StoredArtifactRef>(await ask(request), (v) => isRecord(v) && typeof v.key === 'string' && typeof v.url === 'string', 'logArtifact');
    },
    async registerModel(name: string, artifact: ArtifactData, metrics: Record<string, number> = {}, options: RegisterModelOptions = {}) {
      const request: MlRequest = {
        op: 'registerModel',
        name: check.checkModelName(name),
        artifact: encodeArtifact(artifact, `the artifact of model '${name}'`),
        metrics: check.checkMetrics(metrics),
        params: check.checkParams(options.params ?? {}),
        description: check.checkDescription(options.description),
      };
      return expect<{ name: string; version: number }>(await ask(request), (v) => isRecord(v) && typeof v.name === 'string' && typeof v.version === 'number', 'registerModel');
    },
    async getModel<T = unknown>(name: string, options: GetModelOptions = {}): Promise<LoadedModel<T> | null> {
      const selector = check.checkSelector(options.stage ?? 'production');
      const reply = await ask({ op: 'getModel', name: check.checkModelName(name), selector });
      if (reply === null || reply === undefined) return null;
      const r = expect<Record<string, unknown>>(reply, (v) => isRecord(v) && typeof v.version === 'number' && isWireBody(v.artifact), 'getModel');
      return { ...(r as unknown as LoadedModel<T>), artifact: decodeWire(r.artifact as never) as T };
    },
    async promote(name: string, version: number, stage: ModelStage) {
      const request: MlRequest = { op: 'promote', name: check.checkModelName(name), version: check.checkVersion(version), stage: check.checkStage(stage) };
      return expect<StageChange>(await ask(request), (v) => isRecord(v) && typeof v.version === 'number' && Array.isArray(v.archived), 'promote');
    },
    async rollback(name: string) {
      return expect<RollbackResult>(await ask({ op: 'rollback', name: check.checkModelName(name) }), (v) => isRecord(v) && typeof v.restored === 'number', 'rollback');
    },
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

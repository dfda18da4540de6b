/**
 * The production version of one model, loaded and kept current: at most every `refreshMs` the
 * registry is asked which version is in production, and a new one is loaded when it changed
 * (a promotion or rollback takes effect without restarting the server).
 */
import type { ModelStore } from '../registry/model-store.ts';
import type { ModelLoaders, Predictor } from './loaders.ts';

/** How often the registry is asked for the production version by default (milliseconds). */
export const DEFAULT_REFRESH_MS = 2000;

export type ServingState =
  | { kind: 'ready'; version: number; format: string; predictor: Predictor }
  | { kind: 'unavailable'; message: string; version: number | null };

export interface ProductionModelOptions {
  models: ModelStore;
  name: string;
  loaders: ModelLoaders;
  /** Default `DEFAULT_REFRESH_MS`; 0 asks on every request. */
  refreshMs?: number;
  log?: (line: string) => void;
}

export class ProductionModel {
  private state: ServingState | null = null;
  private checkedAt = 0;
  private refreshing: Promise<ServingState> | null = null;
  private readonly refreshMs: number;

  constructor(private readonly o: ProductionModelOptions) {
    this.refreshMs = o.refreshMs ?? DEFAULT_REFRESH_MS;
  }

  /** The model to answer with now (checking the registry when the last check is older than `refreshMs`). */
  current(): Promise<ServingState> {
    if (this.state && Date.now() - this.checkedAt < this.refreshMs) return Promise.resolve(this.state);
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refresh(): Promise<ServingState> {
    const { name } = this.o;
    let next: ServingState;
    try {
      next = await this.resolve();
    } catch (e) {
      // The registry could not be asked (database unreachable): keep answering with what is loaded.
      const message = `could not look up the production version of model '${name}': ${(e as Error).message}`;
      this.o.log?.(message);
      next = this.state?.kind === 'ready' ? this.state : { kind: 'unavailable', message, version: null };
    }
    if (next.kind === 'ready' && (this.state?.kind !== 'ready' || this.state.version !== next.version)) {
      this.o.log?.(`serving model '${name}' version ${next.version} (${next.format})`);
    } else if (next.kind === 'unavailable' && this.state?.kind !== 'unavailable') {
      this.o.log?.(next.message);
    }
    this.state = next;
    this.checkedAt = Date.now();
    return next;
  }

  private async resolve(): Promise<ServingState> {
    const { models, name, loaders } = this.o;
    const v = await models.registry.getVersion(name, 'production');
    if (!v) {
      const any = await models.registry.getVersion(name, 'latest');
      const hint = any ? `promote one: \`baton models promote ${name} <version>\` (latest is ${any.version})` : `no version of '${name}' is registered yet`;
      return { kind: 'unavailable', version: null, message: `model '${name}' has no production version: ${hint}` };
    }
    if (this.state && this.state.version === v.version) return this.state;
    const format = v.artifact.format;
    const loader = format === null ? undefined : loaders.get(format);
    if (!loader) {
      const what = format === null ? 'has no `format` field' : `has format '${format}', which no loader reads`;
      return { kind: 'unavailable', version: v.version, message: `model '${name}' version ${v.version} cannot be served: its artifact ${what} (loaders: ${loaders.formats().join(', ') || 'none'})` };
    }
    try {
      const predictor = await loader.load(await models.artifactValue(v));
      return { kind: 'ready', version: v.version, format: loader.format, predictor };
    } catch (e) {
      return { kind: 'unavailable', version: v.version, message: `model '${name}' version ${v.version} could not be loaded: ${(e as Error).message}` };
    }
  }
}

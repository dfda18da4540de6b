/** The model registry in memory, for `dags test` (no database) and tests. */
import type { ModelSelector, ModelStage, RollbackResult, StageChange } from '../tracking/types.ts';
import { planRollback, planStageChange, type StageHistoryEntry, type StageUpdate } from './stage-rules.ts';
import { ModelNotFoundError, type ModelRegistry, type ModelVersion, type NewModelVersion } from './types.ts';

export class MemoryModelRegistry implements ModelRegistry {
  private readonly models = new Map<string, { versions: ModelVersion[]; history: StageHistoryEntry[] }>();

  async createVersion(input: NewModelVersion): Promise<ModelVersion> {
    let model = this.models.get(input.name);
    if (!model) this.models.set(input.name, (model = { versions: [], history: [] }));
    const now = new Date().toISOString();
    const v: ModelVersion = { ...structuredClone(input), version: model.versions.length + 1, stage: 'none', createdAt: now, stageChangedAt: now };
    model.versions.push(v);
    model.history.push({ version: v.version, from: null, to: 'none', reason: 'register' });
    return structuredClone(v);
  }

  async getVersion(name: string, selector: ModelSelector): Promise<ModelVersion | null> {
    const versions = [...(this.models.get(name)?.versions ?? [])].reverse();
    const found = versions.find((v) => (typeof selector === 'number' ? v.version === selector : selector === 'latest' || v.stage === selector));
    return found ? structuredClone(found) : null;
  }

  async listVersions(filter: { name?: string } = {}): Promise<ModelVersion[]> {
    const names = [...this.models.keys()].filter((n) => filter.name === undefined || n === filter.name).sort();
    return names.flatMap((n) => this.models.get(n)!.versions.map((v) => structuredClone(v)));
  }

  async setStage(name: string, version: number, stage: ModelStage): Promise<StageChange> {
    const model = this.require(name);
    const plan = planStageChange(name, model.versions, version, stage);
    this.apply(model, plan.updates);
    return plan.result;
  }

  async rollback(name: string): Promise<RollbackResult> {
    const model = this.require(name);
    const plan = planRollback(name, model.versions, model.history);
    this.apply(model, plan.updates);
    return plan.result;
  }

  private require(name: string): { versions: ModelVersion[]; history: StageHistoryEntry[] } {
    const model = this.models.get(name);
    if (!model) throw new ModelNotFoundError(`model '${name}' is not registered (registered models: ${[...this.models.keys()].sort().join(', ') || 'none'})`);
    return model;
  }

  private apply(model: { versions: ModelVersion[]; history: StageHistoryEntry[] }, updates: StageUpdate[]): void {
    const now = new Date().toISOString();
    for (const u of updates) {
      const v = model.versions.find((x) => x.version === u.version)!;
      v.stage = u.to;
      v.stageChangedAt = now;
      model.history.push({ version: u.version, from: u.from, to: u.to, reason: u.reason });
    }
  }
}

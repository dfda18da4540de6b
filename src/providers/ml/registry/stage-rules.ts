/**
 * The stage rules every registry backend applies: which versions change stage, and why, when a
 * version is promoted or a model is rolled back. Backends load the versions and their history,
 * ask for a plan, and apply it in one transaction.
 */
import type { ModelStage, RollbackResult, StageChange } from '../tracking/types.ts';
import { ModelNotFoundError, RollbackError } from './types.ts';

/** Why a version changed stage. */
export type StageChangeReason = 'register' | 'promote' | 'replaced' | 'rollback' | 'restore';

/** One stage change, as recorded in the history. */
export interface StageUpdate {
  version: number;
  from: ModelStage;
  to: ModelStage;
  reason: StageChangeReason;
}

/** A past stage change, oldest first. */
export interface StageHistoryEntry {
  version: number;
  from: ModelStage | null;
  to: ModelStage;
  reason: string;
}

/** Versions of one model and their current stage. */
export type VersionStages = ReadonlyArray<{ version: number; stage: ModelStage }>;

/** What moving `version` to `stage` changes. Throws `ModelNotFoundError` for an unknown version. */
export function planStageChange(name: string, versions: VersionStages, version: number, stage: ModelStage): { updates: StageUpdate[]; result: StageChange } {
  const target = versions.find((v) => v.version === version);
  if (!target) {
    const known = versions.map((v) => v.version);
    throw new ModelNotFoundError(`model '${name}' has no version ${version}${known.length ? ` (its versions: ${describeVersions(known)})` : ''}; see \`baton models list --name ${name}\``);
  }
  const result: StageChange = { name, version, from: target.stage, to: stage, archived: [] };
  if (target.stage === stage) return { updates: [], result };
  const updates: StageUpdate[] = [];
  if (stage === 'production') {
    for (const v of versions) {
      if (v.version === version || v.stage !== 'production') continue;
      updates.push({ version: v.version, from: 'production', to: 'archived', reason: 'replaced' });
      result.archived.push(v.version);
    }
  }
  updates.push({ version, from: target.stage, to: stage, reason: 'promote' });
  return { updates, result };
}

/** What rolling back changes. Throws `RollbackError` when no earlier production version qualifies. */
export function planRollback(name: string, versions: VersionStages, history: readonly StageHistoryEntry[]): { updates: StageUpdate[]; result: RollbackResult } {
  const stageOf = new Map(versions.map((v) => [v.version, v.stage]));
  const current = versions.find((v) => v.stage === 'production')?.version ?? null;
  const seen = new Set<number>();
  let target: number | null = null;
  for (let i = history.length - 1; i >= 0 && target === null; i--) {
    const h = history[i]!;
    if (h.from !== 'production' || seen.has(h.version)) continue;
    seen.add(h.version);
    if (h.reason === 'rollback' || h.version === current || !stageOf.has(h.version) || stageOf.get(h.version) === 'production') continue;
    target = h.version;
  }
  if (target === null) {
    const now = current === null ? 'no version is in production' : `version ${current} is in production`;
    throw new RollbackError(`model '${name}' has no earlier production version to roll back to (${now}; a version that was rolled back is not restored again). Promote a version instead: \`baton models promote ${name} <version>\``);
  }
  const updates: StageUpdate[] = [];
  if (current !== null) updates.push({ version: current, from: 'production', to: 'archived', reason: 'rollback' });
  updates.push({ version: target, from: stageOf.get(target)!, to: 'production', reason: 'restore' });
  return { updates, result: { name, restored: target, archived: current } };
}

/** "1–3, 5" style list of version numbers. */
export function describeVersions(versions: readonly number[]): string {
  const sorted = [...versions].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j > i ? `${sorted[i]}–${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return parts.join(', ');
}

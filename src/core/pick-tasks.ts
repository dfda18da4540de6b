/**
 * Which scheduled task instances to queue now, as a pure function: highest priority first
 * (then oldest run), within the executor's open slots, each pool's free slots, each DAG's
 * maxActiveTasks and each task's maxActiveTisPerDag. Mirrors Airflow's critical section.
 */

export interface Candidate {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
  pool: string;
  poolSlots: number;
  priorityWeight: number;
  /** Logical date of the run (ISO), older first among equal priorities. */
  logicalDate: string;
}

export interface PickLimits {
  executorSlots: number;
  /** Total slots per pool; a pool missing here does not exist. */
  poolSlots: ReadonlyMap<string, number>;
  /** Slots already taken per pool (queued + running). */
  poolUsed: ReadonlyMap<string, number>;
  maxActiveTasks: ReadonlyMap<string, number>;
  /** Active (queued + running) TIs per DAG. */
  dagActive: ReadonlyMap<string, number>;
  /** maxActiveTisPerDag per `dagId\0taskId`, when set. */
  taskLimit: ReadonlyMap<string, number>;
  /** Active TIs per `dagId\0taskId`. */
  taskActive: ReadonlyMap<string, number>;
}

export interface PickResult<C extends Candidate> {
  picked: C[];
  /** Candidates left waiting because their pool does not exist. */
  unknownPool: C[];
}

export function pickTasksToQueue<C extends Candidate>(candidates: readonly C[], limits: PickLimits): PickResult<C> {
  const sorted = [...candidates].sort(
    (a, b) => b.priorityWeight - a.priorityWeight || a.logicalDate.localeCompare(b.logicalDate) || a.taskId.localeCompare(b.taskId) || a.mapIndex - b.mapIndex,
  );
  const poolUsed = new Map(limits.poolUsed);
  const dagActive = new Map(limits.dagActive);
  const taskActive = new Map(limits.taskActive);
  const picked: C[] = [];
  const unknownPool: C[] = [];
  for (const c of sorted) {
    if (picked.length >= limits.executorSlots) break;
    const total = limits.poolSlots.get(c.pool);
    if (total === undefined) {
      unknownPool.push(c);
      continue;
    }
    const used = poolUsed.get(c.pool) ?? 0;
    if (used + c.poolSlots > total) continue;
    const dagMax = limits.maxActiveTasks.get(c.dagId) ?? Infinity;
    const dagNow = dagActive.get(c.dagId) ?? 0;
    if (dagNow >= dagMax) continue;
    const tk = `${c.dagId}\u0000${c.taskId}`;
    const taskMax = limits.taskLimit.get(tk);
    const taskNow = taskActive.get(tk) ?? 0;
    if (taskMax !== undefined && taskNow >= taskMax) continue;
    picked.push(c);
    poolUsed.set(c.pool, used + c.poolSlots);
    dagActive.set(c.dagId, dagNow + 1);
    taskActive.set(tk, taskNow + 1);
  }
  return { picked, unknownPool };
}

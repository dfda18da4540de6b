/** A task instance's or run's state as a coloured square or badge (colours in styles.css). */
import type { MappedSummary } from '../types.ts';

export function stateClass(state: string | null | undefined): string {
  return `st st-${state ?? 'none'}`;
}

export function StateBadge({ state }: { state: string | null | undefined }) {
  return <span className={`badge ${stateClass(state)}`} data-state={state ?? 'none'}>{state ?? 'no status'}</span>;
}

/** The dominant state of a mapped task's copies: failures first, then activity, then success. */
const PRIORITY = ['failed', 'upstream_failed', 'up_for_retry', 'running', 'deferred', 'queued', 'scheduled', 'up_for_reschedule', 'restarting', 'success', 'skipped', 'removed'];
export function dominantState(states: Record<string, number>): string | null {
  for (const s of PRIORITY) if (states[s]) return s;
  const any = Object.keys(states)[0];
  return any ?? null;
}

export function mappedTitle(m: MappedSummary): string {
  return `${m.total} mapped: ` + Object.entries(m.states).map(([s, n]) => `${n} ${s}`).join(', ');
}

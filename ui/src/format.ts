/** Formatting of dates and durations for display. */
export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace('T', ' ').slice(0, 19);
}

export function fmtDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function durationBetween(start: string | null, end: string | null): number | null {
  if (!start) return null;
  return ((end ? Date.parse(end) : Date.now()) - Date.parse(start)) / 1000;
}

/** States that are not finished yet: pages showing them refresh by themselves. */
export const ACTIVE_STATES = new Set(['queued', 'running', 'scheduled', 'restarting', 'up_for_retry', 'up_for_reschedule', 'deferred']);

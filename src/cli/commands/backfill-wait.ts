/**
 * Runs a scheduler with local workers in this process until the given runs have finished,
 * reporting progress (run states and task counts) as it changes.
 */
import type { BatonConfig } from '../../config.ts';
import type { Engine } from '../../engine/engine.ts';
import { CliError } from '../cli-error.ts';
import { cliErr, cliOwnEnv } from '../cli-context.ts';

export interface RunOutcome {
  runId: string;
  /** The run's final state, or `missing` when it was deleted meanwhile. */
  state: string;
  startDate: string | null;
  endDate: string | null;
}

const POLL_MS = 400;

export async function waitForRuns(config: BatonConfig, dagId: string, runIds: string[], say: (line: string) => void): Promise<RunOutcome[]> {
  const { startEngine } = await import('../../engine/engine.ts');
  const log = {
    info: () => {},
    warn: (m: string) => cliErr(`WARN  ${m}\n`),
    error: (m: string) => cliErr(`ERROR ${m}\n`),
  };
  let engine: Engine;
  try {
    engine = await startEngine({ config, syncDagFolder: false, log, env: cliOwnEnv() });
  } catch (e) {
    throw new CliError(`could not start a scheduler for the backfill: ${(e as Error).message}`);
  }
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    cliErr('\nStopping the backfill: running tasks get 10 s to finish (Ctrl-C again to stop at once)…\n');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const states = new Map<string, string>();
    let lastLine = '';
    for (;;) {
      const runs = await readRuns(engine, dagId, runIds);
      for (const id of runIds) {
        const state = runs.get(id)?.state ?? 'missing';
        if (states.get(id) !== state) {
          if (states.has(id) || state !== 'queued') say(`Run ${id}: ${state}`);
          states.set(id, state);
        }
      }
      const finished = runIds.filter((id) => isDone(states.get(id)!)).length;
      const line = `[backfill progress] | finished run ${finished} of ${runIds.length} | ${await taskCounts(engine, dagId, runIds)}`;
      if (line !== lastLine) say(line);
      lastLine = line;
      if (finished === runIds.length) {
        return runIds.map((id) => ({ runId: id, state: states.get(id)!, startDate: runs.get(id)?.start_date ?? null, endDate: runs.get(id)?.end_date ?? null }));
      }
      if (interrupted) {
        throw new CliError(`backfill interrupted: ${runIds.length - finished} run(s) have not finished; they stay in the database and a scheduler (baton scheduler) finishes them`, 130);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await engine.stop(10_000);
  }
}

function isDone(state: string): boolean {
  return state === 'success' || state === 'failed' || state === 'missing';
}

async function readRuns(engine: Engine, dagId: string, runIds: string[]) {
  const out = new Map<string, { state: string; start_date: string | null; end_date: string | null }>();
  for (let i = 0; i < runIds.length; i += 500) {
    const rows = await engine.db.db
      .selectFrom('dag_run')
      .select(['run_id', 'state', 'start_date', 'end_date'])
      .where('dag_id', '=', dagId)
      .where('run_id', 'in', runIds.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.run_id, r);
  }
  return out;
}

async function taskCounts(engine: Engine, dagId: string, runIds: string[]): Promise<string> {
  const counts = { succeeded: 0, running: 0, failed: 0, skipped: 0, waiting: 0 };
  for (let i = 0; i < runIds.length; i += 500) {
    const rows = await engine.db.db
      .selectFrom('task_instance')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('dag_id', '=', dagId)
      .where('run_id', 'in', runIds.slice(i, i + 500))
      .groupBy('state')
      .execute();
    for (const r of rows) {
      const n = Number(r.n);
      if (r.state === 'success') counts.succeeded += n;
      else if (r.state === 'queued' || r.state === 'running' || r.state === 'deferred') counts.running += n;
      else if (r.state === 'failed' || r.state === 'upstream_failed') counts.failed += n;
      else if (r.state === 'skipped') counts.skipped += n;
      else if (r.state !== 'removed') counts.waiting += n;
    }
  }
  return Object.entries(counts).map(([k, v]) => `tasks ${k}: ${v}`).join(' | ');
}

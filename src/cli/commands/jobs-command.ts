/**
 * `baton jobs check`: exits 0 when a live job (scheduler, triggerer, worker) heartbeats, 1 when
 * none does, as Airflow's `airflow jobs check`. Made for liveness probes (Kubernetes, compose).
 */
import type { Command } from 'commander';
import { hostname as osHostname } from 'node:os';
import { listAliveJobs, openDatabase, type JobType } from '../../store/index.ts';
import { CliError } from '../cli-error.ts';
import { cliOut, loadCliConfig } from '../cli-context.ts';

const TYPES: readonly JobType[] = ['scheduler', 'triggerer', 'worker', 'webserver'];

export function registerJobsCommand(program: Command): void {
  const jobs = program.command('jobs').description('Inspect the jobs (long-running Baton processes) recorded in the database');
  jobs
    .command('check')
    .description('Exit 0 when a matching job heartbeats, 1 when none does (for health probes)')
    .option('--job-type <type>', `scheduler, triggerer, worker or webserver (default: any)`)
    .option('--hostname <name>', 'only jobs on this host')
    .option('--local', 'only jobs on this machine (its host name)')
    .option('--limit <n>', 'how many live jobs are needed (default 1)')
    .action(async (o: { jobType?: string; hostname?: string; local?: boolean; limit?: string }) => {
      if (o.jobType !== undefined && !TYPES.includes(o.jobType as JobType)) throw new CliError(`--job-type must be one of ${TYPES.join(', ')} (got ${JSON.stringify(o.jobType)})`, 2);
      const needed = o.limit === undefined ? 1 : Number(o.limit);
      if (!Number.isInteger(needed) || needed < 1) throw new CliError(`--limit must be a whole number of at least 1 (got ${JSON.stringify(o.limit)})`, 2);
      const config = loadCliConfig();
      const handle = await openDatabase({ url: config.databaseUrl }).catch((e: Error) => {
        throw new CliError(e.message);
      });
      try {
        const host = o.local ? osHostname() : o.hostname;
        const alive = (await listAliveJobs(handle.db, { jobType: o.jobType as JobType | undefined, timeoutSeconds: Math.max(30, config.heartbeatInterval * 3) })).filter((j) => host === undefined || j.hostname === host);
        const what = `${o.jobType ?? 'job'}${host ? ` on ${host}` : ''}`;
        if (alive.length < needed) throw new CliError(`No alive ${what}: found ${alive.length}, need ${needed}`, 1);
        cliOut(`Found ${alive.length} alive ${what}${alive.length === 1 ? '' : 's'}\n`);
      } finally {
        await handle.close();
      }
    });
}

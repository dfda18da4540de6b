/**
 * Runs a shell command for a task: output lines go to the task log, the last stdout line is
 * the result, exit code 99 (by default) skips the task, any other non-zero code fails it.
 */
import { spawn } from 'node:child_process';
import type { TaskContext } from '../context.ts';
import { SkipTask } from '../errors.ts';

export interface BashRunOptions {
  command: string;
  ctx: TaskContext;
  env?: Record<string, string>;
  /** Add `env` to the inherited environment instead of replacing it (Airflow's append_env). Default false. */
  appendEnv?: boolean;
  cwd?: string;
  skipOnExitCode?: number | number[];
}

export function runBashCommand(o: BashRunOptions): Promise<string | null> {
  const { ctx } = o;
  const env = o.env ? (o.appendEnv ? { ...process.env, ...o.env } : { PATH: process.env.PATH ?? '/usr/bin:/bin', ...o.env }) : process.env;
  const skipCodes = o.skipOnExitCode === undefined ? [99] : Array.isArray(o.skipOnExitCode) ? o.skipOnExitCode : [o.skipOnExitCode];
  ctx.log.info(`Running command: ${o.command}`);
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', o.command], { env, cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let last: string | null = null;
    let pendingOut = '';
    let pendingErr = '';
    const onAbort = () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pendingOut + chunk).split('\n');
      pendingOut = lines.pop()!;
      for (const l of lines) {
        ctx.log.info(l);
        last = l;
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pendingErr + chunk).split('\n');
      pendingErr = lines.pop()!;
      for (const l of lines) ctx.log.warn(l);
    });
    child.on('error', (e) => {
      ctx.signal.removeEventListener('abort', onAbort);
      reject(new Error(`could not start bash: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      ctx.signal.removeEventListener('abort', onAbort);
      if (pendingOut) {
        ctx.log.info(pendingOut);
        last = pendingOut;
      }
      if (pendingErr) ctx.log.warn(pendingErr);
      ctx.log.info(`Command exited with return code ${code ?? signal}`);
      if (code === 0) resolve(last);
      else if (code !== null && skipCodes.includes(code)) reject(new SkipTask(`Bash command returned exit code ${code}. Skipping.`));
      else reject(new Error(`Bash command failed. The command returned a non-zero exit code ${code ?? `(killed by ${signal})`}.`));
    });
  });
}

/**
 * Where a CLI command writes, which environment it reads and the exit code it ends with.
 *
 * `baton` run as a program uses the process's own (stdout, stderr, process.env, cwd). `runCli`
 * runs a command inside an existing process with its own writers and environment: commands
 * reach them through `cliOut`, `cliErr`, `cliEnv` and `loadCliConfig` instead of `process.*`,
 * so one call never changes the process or another call running beside it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { loadConfig, type BatonConfig } from '../config.ts';

export interface CliContext {
  stdout: (chunk: string | Uint8Array) => void;
  stderr: (chunk: string | Uint8Array) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The exit code the command asked for (like process.exitCode); undefined means 0. */
  exitCode?: number;
}

const storage = new AsyncLocalStorage<CliContext>();

const processContext: CliContext = {
  stdout: (chunk) => void process.stdout.write(chunk),
  stderr: (chunk) => void process.stderr.write(chunk),
  get env() {
    return process.env;
  },
  get cwd() {
    return process.cwd();
  },
  get exitCode() {
    return typeof process.exitCode === 'number' ? process.exitCode : undefined;
  },
  set exitCode(code) {
    process.exitCode = code;
  },
};

/** Runs `fn` with `ctx` as the context of every command it (and what it starts) runs. */
export function withCliContext<T>(ctx: CliContext, fn: () => Promise<T>): Promise<T> {
  return storage.run(ctx, fn);
}

/** The process's own context: its stdout, stderr, environment, working folder and exit code. */
export function processCliContext(): CliContext {
  return processContext;
}

/** The context of the running command: the one `withCliContext` set, else the process's. */
export function cliContext(): CliContext {
  return storage.getStore() ?? processContext;
}

export function cliOut(chunk: string | Uint8Array): void {
  cliContext().stdout(chunk);
}

export function cliErr(chunk: string | Uint8Array): void {
  cliContext().stderr(chunk);
}

export function cliEnv(): NodeJS.ProcessEnv {
  return cliContext().env;
}

/** The command's environment when it is not the process's (the command runs in-process), else undefined. */
export function cliOwnEnv(): NodeJS.ProcessEnv | undefined {
  const ctx = cliContext();
  return ctx === processContext ? undefined : ctx.env;
}

/** Sets the command's exit code without ending anything (what `process.exitCode = n` does for a program). */
export function setCliExitCode(code: number): void {
  cliContext().exitCode = code;
}

/** The configuration from the command's environment and working folder. */
export function loadCliConfig(): BatonConfig {
  const ctx = cliContext();
  return loadConfig(ctx.env, ctx.cwd);
}

/** Warnings of the command (e.g. `warnUnencrypted`'s): on its stderr, once per command. */
export function cliWarnings(): { warn: (message: string) => void; warnScope?: object } {
  const ctx = cliContext();
  return { warn: (m) => ctx.stderr(`${m}\n`), warnScope: ctx === processContext ? undefined : ctx };
}

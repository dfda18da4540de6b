/** The local executor: tries run in a pool of worker processes on this machine. */
export { LocalExecutor, type LocalExecutorOptions } from './local-executor.ts';

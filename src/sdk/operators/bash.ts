/** BashOperator: runs a templated shell command; the last line of stdout is the XCom. */
import { BaseOperator, type BaseOperatorOptions } from '../base-operator.ts';
import type { TaskContext } from '../context.ts';
import { runBashCommand } from './bash-runner.ts';

export interface BashOperatorOptions extends BaseOperatorOptions {
  bashCommand: string;
  /** Environment for the command; replaces the inherited one unless appendEnv. */
  env?: Record<string, string>;
  /** Default false. */
  appendEnv?: boolean;
  cwd?: string;
  /** Exit codes that mark the task skipped. Default 99. */
  skipOnExitCode?: number | number[];
}

export class BashOperator extends BaseOperator<string | null> {
  static override templateFields = ['bashCommand', 'env', 'cwd'] as const;
  static override uiColor = '#f0ede4';
  bashCommand: string;
  env: Record<string, string> | undefined;
  cwd: string | undefined;
  readonly appendEnv: boolean;
  readonly skipOnExitCode: number | number[] | undefined;

  constructor(o: BashOperatorOptions) {
    super(o);
    if (typeof o.bashCommand !== 'string' || o.bashCommand.trim() === '') throw new TypeError(`BashOperator '${o.taskId}': bashCommand must be a non-empty string`);
    this.bashCommand = o.bashCommand;
    this.env = o.env;
    this.cwd = o.cwd;
    this.appendEnv = o.appendEnv ?? false;
    this.skipOnExitCode = o.skipOnExitCode;
  }

  execute(ctx: TaskContext): Promise<string | null> {
    return runBashCommand({ command: this.bashCommand, ctx, env: this.env, appendEnv: this.appendEnv, cwd: this.cwd, skipOnExitCode: this.skipOnExitCode });
  }
}

/**
 * Keeps a long-running command (`standalone`, `scheduler`, `worker`) up until SIGINT or SIGTERM,
 * then stops it gracefully; a second signal stops the process at once (exit 130).
 */
import { cliErr, cliOut } from './cli-context.ts';
export interface UntilSignalOptions {
  /** What to print when the first signal arrives (after a blank line). */
  stopping: (signal: string) => string;
  /** The graceful stop. Errors are printed, never thrown. */
  stop: () => Promise<void>;
  /** What to print once stopped. */
  stopped: string;
}

export function untilSignal(o: UntilSignalOptions): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) {
        cliOut('Stopping now.\n');
        process.exit(130);
      }
      stopping = true;
      cliOut(`\n${o.stopping(signal)}\n`);
      void o
        .stop()
        .catch((e: Error) => cliErr(`error while stopping: ${e.message}\n`))
        .finally(() => {
          cliOut(`${o.stopped}\n`);
          resolve();
        });
    };
    process.on('SIGINT', () => onSignal('SIGINT'));
    process.on('SIGTERM', () => onSignal('SIGTERM'));
  });
}

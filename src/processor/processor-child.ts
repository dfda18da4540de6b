/**
 * Entry point of a DAG parsing child process, forked by the DAG processor (with
 * `--import register-loaders.js` when run from the TypeScript sources; see CHILD_EXEC_ARGV). Parses the files it is sent, one at a time, and answers
 * each request over IPC. Exits when the processor disconnects.
 */
import { importErrorFromThrown } from './import-error.ts';
import { parseDagFile, type ParseResult } from './parse-file.ts';
import { asToChild, type FromChild } from './protocol.ts';
import { watchParent } from '../runtime/parent-watchdog.ts';

function send(message: FromChild): void {
  process.send?.(message);
}

async function handle(raw: unknown): Promise<void> {
  const request = asToChild(raw);
  if (!request) return;
  let result: ParseResult;
  try {
    result = await parseDagFile(request.file);
  } catch (e) {
    result = { file: request.file, dags: [], errors: [importErrorFromThrown(request.file, e)], durationMs: 0 };
  }
  send({ type: 'result', id: request.id, result });
}

if (!process.send) {
  console.error('processor-child.ts is started by the DAG processor (child_process.fork with an IPC channel); it cannot run on its own');
  process.exit(2);
}
process.on('message', (raw) => void handle(raw));
process.on('disconnect', () => process.exit(0));
// A DAG file or task stuck in a loop never sees the disconnect: a watchdog thread ends this
// process when its parent is gone.
watchParent();
send({ type: 'ready', pid: process.pid });

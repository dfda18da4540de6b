/**
 * The log file of one try, written by the worker that runs it: one line per logger call
 * (`[ISO timestamp] LEVEL - message`), plus whatever the task writes to process.stdout and
 * process.stderr while the try runs (`[timestamp] STDOUT - line` / `STDERR - line`). Writes are
 * synchronous so that every line written before a crash is in the file.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { format } from 'node:util';
import type { TaskLogger } from '../../sdk/context.ts';
import { redactSecrets } from '../../security/masking.ts';

type Level = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
type Stream = 'STDOUT' | 'STDERR';

/** An open try log. Close it with `close()`, which also ends stdout/stderr capture. */
export class TryLog implements TaskLogger {
  private fd: number | null;
  private restore: Array<() => void> = [];
  private readonly partial: Record<Stream, string> = { STDOUT: '', STDERR: '' };

  private constructor(readonly path: string, fd: number) {
    this.fd = fd;
  }

  /** Opens (appends to) the log at `path`, creating its folders. Throws when the file cannot be opened. */
  static open(path: string): TryLog {
    try {
      return new TryLog(path, openSync(path, 'a'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      mkdirSync(dirname(path), { recursive: true });
      return new TryLog(path, openSync(path, 'a'));
    }
  }

  debug(message: string, ...args: unknown[]): void {
    this.write('DEBUG', args.length ? format(message, ...args) : message);
  }
  info(message: string, ...args: unknown[]): void {
    this.write('INFO', args.length ? format(message, ...args) : message);
  }
  warn(message: string, ...args: unknown[]): void {
    this.write('WARNING', args.length ? format(message, ...args) : message);
  }
  error(message: string, ...args: unknown[]): void {
    this.write('ERROR', args.length ? format(message, ...args) : message);
  }

  /** Sends process.stdout and process.stderr writes into this log until `close()`. */
  captureStdio(): void {
    this.restore.push(this.capture(process.stdout, 'STDOUT'), this.capture(process.stderr, 'STDERR'));
  }

  /** Ends capture (writing any unterminated output line) and closes the file. Safe to call twice. */
  close(): void {
    for (const undo of this.restore.splice(0)) undo();
    for (const s of ['STDOUT', 'STDERR'] as const) {
      if (this.partial[s] !== '') this.write(s, this.partial[s]);
      this.partial[s] = '';
    }
    if (this.fd !== null) {
      const fd = this.fd;
      this.fd = null;
      try {
        closeSync(fd);
      } catch {
        /* already closed: nothing left to flush */
      }
    }
  }

  private write(level: Level | Stream, message: string): void {
    if (this.fd === null) return;
    try {
      // Secrets the try fetched (connection passwords, sensitive variables) never reach the file.
      writeSync(this.fd, `[${new Date().toISOString()}] ${level} - ${redactSecrets(message)}\n`);
    } catch {
      // A log that cannot be written (disk full, file removed) must not fail the task itself.
    }
  }

  private capture(stream: NodeJS.WriteStream, name: Stream): () => void {
    const own = Object.prototype.hasOwnProperty.call(stream, 'write');
    const original = stream.write;
    const replacement = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk);
      const lines = (this.partial[name] + text).split('\n');
      this.partial[name] = lines.pop()!;
      for (const line of lines) this.write(name, line);
      const done = typeof encoding === 'function' ? encoding : typeof callback === 'function' ? callback : null;
      if (done) process.nextTick(done as () => void);
      return true;
    };
    stream.write = replacement as typeof stream.write;
    return () => {
      if (own) stream.write = original;
      else delete (stream as { write?: unknown }).write;
    };
  }
}

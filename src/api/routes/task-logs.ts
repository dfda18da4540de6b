/**
 * A try's log: JSON `{content, continuation_token}` or, with `Accept: text/plain`, the raw text.
 * Without `full_content` one fragment is returned; the continuation token (opaque: it encodes
 * the byte offset reached) fetches the next one, so a client can follow a running task's log.
 */
import { open, stat } from 'node:fs/promises';
import { Hono } from 'hono';
import { FINISHED_TI_STATES } from '../../core/states.ts';
import { tryLogPath } from '../../scheduler/log-path.ts';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import type { ApiDeps } from '../deps.ts';
import { negotiate } from '../http/accept.ts';
import { dagIdParam, intParam, runIdParam, taskIdParam } from '../http/ids.ts';
import { queryBool, queryInt, queryString } from '../http/query.ts';
import { requireTi } from '../lookups.ts';
import { badRequest, notFound } from '../problem.ts';

/** The largest fragment returned without `full_content`. */
export const LOG_FRAGMENT_BYTES = 512 * 1024;

interface LogPosition {
  log_pos: number;
  end_of_log: boolean;
}

/** Encodes a log position as an opaque continuation token. */
export function encodeLogToken(pos: LogPosition): string {
  return Buffer.from(JSON.stringify(pos), 'utf8').toString('base64url');
}

/** The byte offset a continuation token stands for; 400 when it is not a token. */
export function decodeLogToken(token: string): number {
  try {
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(token)) throw new Error('shape');
    const pos = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<LogPosition>;
    if (typeof pos.log_pos === 'number' && Number.isSafeInteger(pos.log_pos) && pos.log_pos >= 0) return pos.log_pos;
  } catch {
    /* reported below */
  }
  throw badRequest("The continuation token is not valid: pass back the 'continuation_token' of an earlier response, unchanged.");
}

/** Log routes. */
export function taskLogRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.get('/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id/logs/:task_try_number', requirePermission('read', 'Task Logs'), async (c) => {
    const key = { dagId: dagIdParam(c), runId: runIdParam(c), taskId: taskIdParam(c), mapIndex: queryInt(c, 'map_index', -1) ?? -1 };
    const tryNumber = intParam(c, 'task_try_number');
    const fullContent = queryBool(c, 'full_content') ?? false;
    const token = queryString(c, 'token');
    const from = token ? decodeLogToken(token) : 0;
    const type = negotiate(c, ['application/json', 'text/plain'] as const);
    const ti = await requireTi(deps.db, key);
    if (tryNumber > ti.try_number) throw notFound(`Task instance '${key.taskId}' of run '${key.runId}' has no try ${tryNumber} yet (it is on try ${ti.try_number}).`);
    const path = tryLogPath(deps.config.logsFolder, { ...key, tryNumber });
    const size = await stat(path).then((s) => s.size, () => undefined);
    if (size === undefined) throw notFound(`There is no log for try ${tryNumber} of task instance '${key.taskId}' of run '${key.runId}' on this server.`);
    const start = Math.min(from, size);
    const { text, end } = await readFragment(path, start, fullContent ? size : Math.min(size, start + LOG_FRAGMENT_BYTES), size);
    const finished = FINISHED_TI_STATES.has(ti.state) || tryNumber < ti.try_number;
    const continuation = encodeLogToken({ log_pos: end, end_of_log: end >= size && finished });
    if (type === 'text/plain') return c.text(text);
    return c.json({ content: text, continuation_token: continuation });
  });

  return app;
}

/** Reads bytes [start, end) of a file, cutting before a split UTF-8 character (shared with API v2). */
export async function readFragment(path: string, start: number, end: number, size: number): Promise<{ text: string; end: number }> {
  if (end <= start) return { text: '', end: start };
  const fh = await open(path, 'r');
  try {
    // One byte more than asked, to see whether the fragment would end inside a character.
    const buf = Buffer.alloc(end - start + (end < size ? 1 : 0));
    const { bytesRead } = await fh.read(buf, 0, buf.length, start);
    let n = Math.min(bytesRead, end - start);
    while (n > 0 && n < bytesRead && (buf[n]! & 0xc0) === 0x80) n--;
    return { text: buf.subarray(0, n).toString('utf8'), end: start + n };
  } finally {
    await fh.close();
  }
}

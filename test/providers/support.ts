/**
 * Helpers for provider tests: temp dirs, running a DAG in-process and reading its outcome,
 * and real local servers (HTTP and SMTP) bound to 127.0.0.1 on a free port.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { runDagLocally, type LocalRunResult } from '../../src/runner/local-dag-run.ts';
import type { Dag } from '../../src/sdk/dag.ts';
import { serializeDag } from '../../src/sdk/serialize.ts';

export const DATA_DIR = new URL('../../examples/data/madewithml/', import.meta.url).pathname;
export const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

export async function tempDir(prefix = 'baton-providers-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface DagOutcome extends LocalRunResult {
  lines: string[];
  stateOf(taskId: string): string | undefined;
  xcom(taskId: string, key?: string): unknown;
}

/** Runs a whole DAG in this process and keeps its log lines. */
export async function runDag(d: Dag): Promise<DagOutcome> {
  const lines: string[] = [];
  const result = await runDagLocally({ dag: d, serialized: serializeDag(d), print: (l) => lines.push(l), fastRetries: true, logicalDate: new Date('2024-03-01T00:00:00Z') });
  return {
    ...result,
    lines,
    stateOf: (taskId) => result.tis.find((t) => t.taskId === taskId)?.state,
    xcom: (taskId, key = 'return_value') => result.xcoms.find((x) => x.taskId === taskId && x.key === key)?.value,
  };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local HTTP server that records requests and answers with `handler`. */
export async function startHttpServer(handler: (req: RecordedRequest, res: ServerResponse) => void): Promise<{ url: string; port: number; requests: RecordedRequest[]; close(): Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      handler(recorded, res);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/** A local SMTP server (no TLS, no auth) that keeps every message it receives. */
export async function startSmtpServer(): Promise<{ port: number; messages: ReceivedMail[]; close(): Promise<void> }> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;
  return { port, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Sets environment variables for the duration of a test; returns the function that restores them. */
export function withEnv(vars: Record<string, string>): () => void {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

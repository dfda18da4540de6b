/**
 * An HTTP server for the production version of one registered model:
 *
 * - `POST /predict` with `{ "inputs": [...] }`, `{ "text": "..." }` or
 *   `{ "title": "...", "description": "..." }` → `{ model, version, predictions: [{ label, probabilities }] }`;
 * - `GET /health` → `{ status: "ok", model, version }`, or 503 when nothing can be served.
 *
 * Errors are JSON `{ error }`: 400 for a bad body, 404/405 for other routes, 413 for a body
 * over `maxBodyBytes`, 503 when the model has no production version (or it cannot be loaded).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ModelStore } from '../registry/model-store.ts';
import { InputError, modelLoaders as defaultLoaders, type ModelLoaders } from './loaders.ts';
import { ProductionModel } from './production.ts';

/** Address the server listens on by default (this machine only). */
export const DEFAULT_SERVE_HOST = '127.0.0.1';
/** Port the server listens on by default. */
export const DEFAULT_SERVE_PORT = 8000;
/** Largest request body accepted by default (1 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** A body over the limit is still read (and dropped) up to this many times the limit before the connection is closed. */
const DRAIN_FACTOR = 8;
/** Most inputs one request may carry. */
export const MAX_INPUTS = 1000;

export interface ModelServerOptions {
  models: ModelStore;
  /** The registered model to serve. */
  name: string;
  /** Default `DEFAULT_SERVE_PORT`; 0 picks a free port. */
  port?: number;
  /** Default `DEFAULT_SERVE_HOST`. */
  host?: string;
  /** How often to check for a new production version (ms). Default `DEFAULT_REFRESH_MS` (2 s). */
  refreshMs?: number;
  /** Default: `modelLoaders` (the text classifier plus any registered). */
  loaders?: ModelLoaders;
  /** Default `DEFAULT_MAX_BODY_BYTES`. */
  maxBodyBytes?: number;
  /** Receives a line when the served version changes or cannot be served. */
  log?: (line: string) => void;
}

export interface RunningModelServer {
  url: string;
  host: string;
  port: number;
  stop(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Starts serving; resolves once listening (rejects when the port is taken). */
export async function startModelServer(o: ModelServerOptions): Promise<RunningModelServer> {
  const model = new ProductionModel({ models: o.models, name: o.name, loaders: o.loaders ?? defaultLoaders, refreshMs: o.refreshMs, log: o.log });
  const maxBody = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'use GET /health');
      const s = await model.current();
      if (s.kind === 'ready') return send(res, 200, { status: 'ok', model: o.name, version: s.version, format: s.format });
      return send(res, 503, { status: 'unavailable', model: o.name, version: s.version, error: s.message });
    }
    if (path !== '/predict') throw new HttpError(404, `no route ${req.method} ${path}: use POST /predict or GET /health`);
    if (req.method !== 'POST') throw new HttpError(405, 'use POST /predict with a JSON body');
    const inputs = predictInputs(await readJson(req, maxBody));
    const s = await model.current();
    if (s.kind !== 'ready') return send(res, 503, { error: s.message, model: o.name });
    let predictions;
    try {
      predictions = await s.predictor.predict(inputs);
    } catch (e) {
      if (e instanceof InputError) throw new HttpError(400, e.message);
      throw e;
    }
    send(res, 200, { model: o.name, version: s.version, predictions });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (status === 405) res.setHeader('Allow', new URL(req.url ?? '/', 'http://localhost').pathname === '/health' ? 'GET, HEAD' : 'POST');
      if (status === 413) res.setHeader('Connection', 'close');
      if (status === 500) o.log?.(`prediction failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      send(res, status, { error: e instanceof Error ? e.message : String(e) });
    });
  });
  const host = o.host ?? DEFAULT_SERVE_HOST;
  const wanted = o.port ?? DEFAULT_SERVE_PORT;
  server.listen(wanted, host);
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e as Error))]);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(err.code === 'EADDRINUSE' ? `port ${wanted} on ${host} is already in use: stop what listens there or choose another --port` : `could not listen on ${host}:${wanted}: ${err.message}`);
  }
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    host,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

/** The inputs of a `/predict` body. Throws a 400 `HttpError` saying what is wrong. */
export function predictInputs(body: unknown): unknown[] {
  const usage = 'send { "inputs": [...] }, { "text": "..." } or { "title": "...", "description": "..." }';
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, `the body must be a JSON object: ${usage}`);
  const b = body as Record<string, unknown>;
  if ('inputs' in b) {
    if (!Array.isArray(b.inputs) || b.inputs.length === 0) throw new HttpError(400, '"inputs" must be a non-empty array');
    if (b.inputs.length > MAX_INPUTS) throw new HttpError(400, `"inputs" has ${b.inputs.length} items; send at most ${MAX_INPUTS} per request`);
    return b.inputs;
  }
  if ('text' in b) {
    if (typeof b.text !== 'string') throw new HttpError(400, '"text" must be a string');
    return [b.text];
  }
  if ('title' in b) {
    if (typeof b.title !== 'string') throw new HttpError(400, '"title" must be a string');
    if (b.description !== undefined && b.description !== null && typeof b.description !== 'string') throw new HttpError(400, '"description" must be a string');
    return [{ title: b.title, description: b.description ?? '' }];
  }
  throw new HttpError(400, `the body has no "inputs", "text" or "title": ${usage}`);
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // Past the limit the rest is read and dropped (so the client gets the answer), up to a point.
    if (size > maxBytes * DRAIN_FACTOR) throw new HttpError(413, `the body is larger than ${maxBytes} bytes`);
    if (size <= maxBytes) chunks.push(chunk as Buffer);
  }
  if (size > maxBytes) throw new HttpError(413, `the body is larger than ${maxBytes} bytes`);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'the body is empty: send a JSON object such as { "text": "..." }');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `the body is not valid JSON: ${(e as Error).message}`);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

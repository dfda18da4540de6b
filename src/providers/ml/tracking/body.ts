/**
 * Artifacts on their way between a task and the artifact store. `WireBody` is plain JSON, so it
 * crosses the IPC channel between a worker and its executor unchanged; `StoredBody` is what is
 * written to the object store.
 */
import type { ArtifactData } from './types.ts';

/** How stored bytes decode: a JSON value, UTF-8 text, or raw bytes. */
export type BodyEncoding = 'json' | 'text' | 'bytes';

/** An artifact as plain JSON. */
export type WireBody = { kind: 'json'; value: unknown } | { kind: 'text'; text: string } | { kind: 'bytes'; base64: string };

/** An artifact ready for the object store. */
export interface StoredBody {
  encoding: BodyEncoding;
  bytes: Uint8Array;
  /** The default content type of the encoding. */
  contentType: string;
  /** The `format` field of a JSON object artifact (also found in JSON text and bytes), else null. */
  format: string | null;
}

/** Content type stored when the caller gives none. */
export const DEFAULT_CONTENT_TYPES: Readonly<Record<BodyEncoding, string>> = {
  json: 'application/json',
  text: 'text/plain; charset=utf-8',
  bytes: 'application/octet-stream',
};

/** File extension of the object key for each encoding. */
export const EXTENSIONS: Readonly<Record<BodyEncoding, string>> = { json: 'json', text: 'txt', bytes: 'bin' };

/** The task-side value as a wire body. Throws a TypeError for values JSON cannot hold. */
export function encodeArtifact(data: ArtifactData, what = 'the artifact'): WireBody {
  if (typeof data === 'string') return { kind: 'text', text: data };
  if (ArrayBuffer.isView(data)) return { kind: 'bytes', base64: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') };
  if (data instanceof ArrayBuffer) return { kind: 'bytes', base64: Buffer.from(data).toString('base64') };
  let text: string | undefined;
  try {
    text = JSON.stringify(data);
  } catch (e) {
    throw new TypeError(`${what} cannot be stored: it is not JSON-serializable (${(e as Error).message}); pass a string, a Uint8Array or a plain value`);
  }
  if (text === undefined) throw new TypeError(`${what} cannot be stored: a ${typeof data} has no JSON form; pass a string, a Uint8Array or a plain value`);
  return { kind: 'json', value: JSON.parse(text) };
}

/** The wire body as the value a task gets back: JSON as a value, text as a string, bytes as a Uint8Array. */
export function decodeWire(body: WireBody): unknown {
  if (body.kind === 'json') return body.value;
  if (body.kind === 'text') return body.text;
  return new Uint8Array(Buffer.from(body.base64, 'base64'));
}

/** Is `v` a wire body? */
export function isWireBody(v: unknown): v is WireBody {
  if (typeof v !== 'object' || v === null) return false;
  const b = v as Record<string, unknown>;
  if (b.kind === 'json') return 'value' in b;
  if (b.kind === 'text') return typeof b.text === 'string';
  return b.kind === 'bytes' && typeof b.base64 === 'string';
}

/** The wire body as bytes to store, with its encoding, default content type and format. */
export function toStored(body: WireBody): StoredBody {
  if (body.kind === 'json') {
    return { encoding: 'json', bytes: Buffer.from(JSON.stringify(body.value), 'utf8'), contentType: DEFAULT_CONTENT_TYPES.json, format: formatOf(body.value) };
  }
  if (body.kind === 'text') return { encoding: 'text', bytes: Buffer.from(body.text, 'utf8'), contentType: DEFAULT_CONTENT_TYPES.text, format: formatOfText(body.text) };
  const bytes = new Uint8Array(Buffer.from(body.base64, 'base64'));
  return { encoding: 'bytes', bytes, contentType: DEFAULT_CONTENT_TYPES.bytes, format: bytes.length > 0 && bytes[0] === 0x7b ? formatOfText(Buffer.from(bytes).toString('utf8')) : null };
}

/** Stored bytes back as a wire body. */
export function fromStored(encoding: string, bytes: Uint8Array): WireBody {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (encoding === 'json') return { kind: 'json', value: JSON.parse(buf.toString('utf8')) };
  if (encoding === 'text') return { kind: 'text', text: buf.toString('utf8') };
  if (encoding === 'bytes') return { kind: 'bytes', base64: buf.toString('base64') };
  throw new Error(`unknown artifact encoding '${encoding}' (expected json, text or bytes)`);
}

/** Stored bytes decoded straight to the value a task or a model loader gets. */
export function decodeStored(encoding: string, bytes: Uint8Array): unknown {
  return decodeWire(fromStored(encoding, bytes));
}

function formatOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const f = (value as Record<string, unknown>).format;
  return typeof f === 'string' && f !== '' ? f : null;
}

function formatOfText(text: string): string | null {
  if (!text.trimStart().startsWith('{')) return null;
  try {
    return formatOf(JSON.parse(text));
  } catch {
    return null;
  }
}

/**
 * The UI's one way to talk to the server: same-origin fetches with the session cookie. Errors
 * (problem+json documents, network failures) become `ApiError`s whose message is the server's
 * `detail`, shown to the user as is. A 401 anywhere sends the user to the login page.
 */

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly title = '') {
    super(message);
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();
/** Called when the session has ended (any 401). */
export function onUnauthorized(l: Listener): () => void {
  unauthorizedListeners.add(l);
  return () => unauthorizedListeners.delete(l);
}

async function errorFrom(res: Response): Promise<ApiError> {
  let detail = `${res.status} ${res.statusText}`;
  let title = res.statusText;
  try {
    const text = await res.text();
    try {
      const body = JSON.parse(text) as { detail?: string; title?: string };
      if (body.detail) detail = body.detail;
      if (body.title) title = body.title;
    } catch {
      if (text) detail = text.slice(0, 500);
    }
  } catch {
    /* keep the status line */
  }
  return new ApiError(res.status, detail, title);
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Answer as text (logs, DAG source). */
  text?: boolean;
  /** Do not treat a 401 as the end of the session (the login form). */
  quiet401?: boolean;
}

/** Answers requested before the app started, each for the first GET of its path (within 10 s). */
const early = new Map<string, { at: number; answer: Promise<unknown> }>();

/** Starts a GET of `path` now; the app's first `api(path)` gets its answer. */
export function prefetch(path: string, o: RequestOptions = {}): void {
  const answer = api(path, o);
  answer.catch(() => undefined); // seen by whoever takes it; never an unhandled rejection
  early.set(path, { at: Date.now(), answer });
}

/** Fetches `path` (e.g. `/api/v1/dags`), returning parsed JSON (or text). */
export async function api<T>(path: string, o: RequestOptions = {}): Promise<T> {
  const ready = early.get(path);
  if (ready && (o.method ?? 'GET') === 'GET') {
    early.delete(path);
    if (Date.now() - ready.at < 10_000) return ready.answer as Promise<T>;
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method: o.method ?? 'GET',
      credentials: 'same-origin',
      headers: {
        accept: o.text ? 'text/plain' : 'application/json',
        // Tells the server not to ask the browser for a password dialog on a 401.
        'x-baton-ui': '1',
        ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: o.body !== undefined ? JSON.stringify(o.body) : undefined,
    });
  } catch (e) {
    throw new ApiError(0, `The server cannot be reached (${(e as Error).message}). Is Baton running?`);
  }
  if (!res.ok) {
    const err = await errorFrom(res);
    if (res.status === 401 && !o.quiet401) unauthorizedListeners.forEach((l) => l());
    throw err;
  }
  if (res.status === 204) return undefined as T;
  return (o.text ? await res.text() : await res.json()) as T;
}

/** `/api/v1` + path, with path segments encoded. */
export function v1(strings: TemplateStringsArray, ...values: Array<string | number>): string {
  let out = '/api/v1';
  strings.forEach((s, i) => {
    out += s;
    if (i < values.length) out += encodeURIComponent(String(values[i]));
  });
  return out;
}

/** A query string from the defined entries (arrays repeat the key). */
export function qs(params: Record<string, string | number | boolean | undefined | null | Array<string>>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => u.append(k, x));
    else u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** Shared by the ML tests: two small text classifiers trained once per process, and JSON over HTTP. */
import { projectExamples, readProjectsCsv, trainTextClassifier, type TextClassifier } from '../../src/providers/ml/text-classifier/index.ts';

const DATASET = new URL('../../examples/data/madewithml/dataset.csv', import.meta.url).pathname;

let trained: { first: TextClassifier; second: TextClassifier } | undefined;

/** Two classifiers trained on different 150-row slices of the Made With ML projects (fast). */
export function smallClassifiers(): { first: TextClassifier; second: TextClassifier } {
  if (!trained) {
    const examples = projectExamples(readProjectsCsv(DATASET));
    trained = { first: trainTextClassifier(examples.slice(0, 150)), second: trainTextClassifier(examples.slice(150, 300)) };
  }
  return trained;
}

export interface JsonResponse {
  status: number;
  body: any;
  headers: Headers;
}

/** Sends a request (a string body is sent as is, anything else as JSON) and parses the JSON answer. */
export async function call(url: string, init: { method?: string; body?: unknown } = {}): Promise<JsonResponse> {
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const res = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), body, headers: body === undefined ? undefined : { 'content-type': 'application/json' } });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${init.method ?? 'GET'} ${url} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Polls `probe` every 25 ms until it returns something truthy (fails after `timeoutMs`). */
export async function eventually<T>(what: string, probe: () => Promise<T | false | null | undefined>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

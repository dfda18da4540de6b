/**
 * Where task artifacts go by default: `$BATON_HOME/artifacts`, or `~/baton/artifacts` when
 * BATON_HOME is not set.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { LocalObjectStore } from './local.ts';

/** The default artifacts directory for this environment. */
export function defaultArtifactsDir(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env.BATON_HOME;
  const home = raw && raw.trim() !== '' ? raw.replace(/^~(?=\/|$)/, homedir()) : join(homedir(), 'baton');
  return join(isAbsolute(home) ? home : resolve(home), 'artifacts');
}

/** A local object store on `dir` (default: `defaultArtifactsDir()`). */
export function artifactStore(dir?: string): LocalObjectStore {
  return new LocalObjectStore(dir ?? defaultArtifactsDir());
}

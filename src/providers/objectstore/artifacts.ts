/**
 * Where task artifacts go by default: `<home>/artifacts`, with Baton's home from the
 * configuration (BATON_HOME, the package.json "baton" settings, or ~/baton).
 */
import { join } from 'node:path';
import { loadConfig } from '../../config.ts';
import { LocalObjectStore } from './local.ts';

/** The default artifacts directory for this environment. */
export function defaultArtifactsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(loadConfig(env).home, 'artifacts');
}

/** A local object store on `dir` (default: `defaultArtifactsDir()`). */
export function artifactStore(dir?: string): LocalObjectStore {
  return new LocalObjectStore(dir ?? defaultArtifactsDir());
}

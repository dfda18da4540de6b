// Preloaded (`node --import`) by local executor workers: registers Baton's loaders
// (TypeScript, the "baton" resolver, ES-module DAG files anywhere), the same module rules the
// DAG processor parses files with.
import { registerLoaders } from '../../../bin/loaders.js';

registerLoaders();

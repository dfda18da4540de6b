// Preloaded (`node --import`) by local executor workers: registers Baton's loaders
// (TypeScript, the "baton" resolver, ES-module DAG files anywhere), the same module rules the
// DAG processor parses files with, for the copy of Baton (src/ or dist/) this file belongs to.
import { registerLoaders } from '../../../bin/loaders.js';

registerLoaders(new URL('../../', import.meta.url));

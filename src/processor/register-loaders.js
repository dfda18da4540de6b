// Preloaded (`node --import`) by DAG parsing child processes: registers Baton's loaders
// (TypeScript, the "baton" resolver, ES-module DAG files anywhere) for the copy of Baton
// (src/ or dist/) this file belongs to.
import { registerLoaders } from '../../bin/loaders.js';

registerLoaders(new URL('../', import.meta.url));

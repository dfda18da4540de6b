// Preloaded (`node --import`) by DAG parsing child processes: registers Baton's loaders
// (TypeScript, the "baton" resolver, ES-module DAG files anywhere).
import { registerLoaders } from '../../bin/loaders.js';

registerLoaders();

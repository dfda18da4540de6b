// Preloaded (`node --import`) by local executor workers: registers the TypeScript loader and the
// "baton" resolver, and loads ES-module DAG files as ES modules wherever they live (the same
// module rules the DAG processor parses files with).
import { register } from 'node:module';
import { registerLoaders } from '../../../bin/loaders.js';

registerLoaders();
register('../../processor/module-format-hook.js', import.meta.url);

// Preloaded (`node --import`) by DAG parsing child processes: registers the TypeScript loader
// and the "baton" resolver, then a hook that loads ES-module DAG files as ES modules even in
// folders whose package.json (or lack of one) would make them CommonJS.
import { register } from 'node:module';
import { registerLoaders } from '../../bin/loaders.js';

registerLoaders();
register('./module-format-hook.js', import.meta.url);

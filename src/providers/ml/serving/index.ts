/** Serving registered models over HTTP (`baton models serve`), with pluggable model loaders. */
export { InputError, inputText, ModelLoaders, modelLoaders, textClassifierLoader, type ModelLoader, type Prediction, type Predictor } from './loaders.ts';
export { DEFAULT_REFRESH_MS, ProductionModel, type ProductionModelOptions, type ServingState } from './production.ts';
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_SERVE_HOST, DEFAULT_SERVE_PORT, MAX_INPUTS, predictInputs, startModelServer, type ModelServerOptions, type RunningModelServer } from './server.ts';

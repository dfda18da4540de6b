/**
 * Machine learning: experiment tracking for tasks (`ctx.ml`), the model registry, serving
 * registered models over HTTP, and the in-process text classifier.
 */
export * from './tracking/index.ts';
export * from './registry/index.ts';
export * from './serving/index.ts';
export * from './text-classifier/index.ts';

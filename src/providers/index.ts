/**
 * Baton's providers: DuckDB (hook, operator, loadFile/transform/dataframe tasks), data
 * validation with expectation suites, notifications (Slack, email), HTTP, and object stores.
 * Each provider is also importable on its own from its folder.
 */
export * from './duckdb/index.ts';
export * from './validation/index.ts';
export * from './notify/index.ts';
export * from './http/index.ts';
export * from './objectstore/index.ts';
export { renderTaskTemplate, type RenderTaskTemplateOptions } from './render-template.ts';

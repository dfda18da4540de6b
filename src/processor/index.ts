/**
 * The DAG processor: finds DAG files, imports them in child processes and turns them into
 * serialized DAGs and import errors.
 */
export { processDagFolder, DEFAULT_CONCURRENCY, DEFAULT_FILE_TIMEOUT_MS } from './dag-processor.ts';
export type { FolderResult, ParseCache, ParsedFile, ProcessDagFolderOptions } from './dag-processor.ts';
export { findDagFiles, IGNORE_FILE } from './find-dag-files.ts';
export { isIgnored, parseIgnoreFile } from './ignore-rules.ts';
export type { IgnoreRule } from './ignore-rules.ts';
export { loadDagsFromFile } from './load-dag-module.ts';
export { parseDagFile } from './parse-file.ts';
export type { ParseResult } from './parse-file.ts';
export { importErrorFromThrown, lineInFile, mergeImportErrors } from './import-error.ts';
export type { ImportErrorInfo } from './import-error.ts';
export { ParserChild, CHILD_EXEC_ARGV } from './parser-child.ts';
export type { ParseOutcome } from './parser-child.ts';

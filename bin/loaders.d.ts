/** Registers the loaders DAG files need (see loaders.js), once per process. */
export declare function registerLoaders(sourcesRoot: URL): void;

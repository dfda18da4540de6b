/** Object stores: where artifacts, reports and large values are kept. */
export { InvalidObjectKeyError, ObjectNotFoundError, validateObjectKey, putJson, getJson, type ObjectBody, type ObjectStore } from './object-store.ts';
export { LocalObjectStore } from './local.ts';
export { artifactStore, defaultArtifactsDir } from './artifacts.ts';

/** Config API: the schema, its types, and loading. */
export * from './schema/index.js';
export { loadConfig, validateConfig, applySet } from './load.js';
export { ConfigError } from '../util/errors.js';

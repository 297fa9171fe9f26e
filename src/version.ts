/** seqnet's version, read from package.json once. */
import fs from 'node:fs';

export const SEQNET_VERSION: string = (
  JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

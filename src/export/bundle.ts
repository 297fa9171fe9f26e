/**
 * Browser bundles built with esbuild at export time from seqnet's own web sources (src/web when
 * run from source, dist/web when installed): one classic script with TensorFlow.js inside, so a
 * page needs no bundler, CDN or module loader.
 *   runtime → seqnet.js: global `seqnet` = { tf, load, registerLayers } (seqnet/layers + seqnet/infer)
 *   demo    → demo.js: the runtime plus the demo page's UI
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SeqnetError } from '../util/errors.js';
import { makeDirs } from '../util/fs.js';

export type BundleKind = 'runtime' | 'demo';

const here = fileURLToPath(import.meta.url);
const ext = path.extname(here); // .ts from source (tests), .js when built

/** The entry file of a bundle: src/web/<kind>.ts or dist/web/<kind>.js. */
export function bundleEntry(kind: BundleKind): string {
  return path.join(path.dirname(here), '..', 'web', `${kind}${ext}`);
}

/** Bundles `kind` into `file` (minified, with TensorFlow.js); returns the file. */
export async function buildBundle(kind: BundleKind, file: string): Promise<string> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new SeqnetError('the browser bundle needs the esbuild package (a seqnet dependency); reinstall seqnet (npm install).', 5);
  }
  makeDirs(path.dirname(file));
  await esbuild.build({
    entryPoints: [bundleEntry(kind)],
    outfile: file,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return file;
}

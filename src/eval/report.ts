/**
 * What `seqnet eval` reports for scripts and CI: one JSON object (`--json`, `--out`) and a JUnit
 * XML file (`--junit`) with one test case per assertion and the metrics as properties.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import * as junitPkg from 'junit-report-builder';
import type { Builder } from 'junit-report-builder';
import { UsageError } from '../util/errors.js';
import { makeDirs, writeFileAtomic } from '../util/fs.js';
import { SEQNET_VERSION } from '../version.js';
import { describeResult, type AssertionResult } from './assert.js';
import type { EvalResult } from './evaluate.js';

export interface EvalReport {
  seqnet_version: string;
  run: string;
  task: string;
  /** test or valid, or null when --data FILE was scored */
  split: string | null;
  /** what was scored: `test split`, `valid split` or the file */
  on: string;
  checkpoint: string;
  metrics: Record<string, number>;
  baseline: Record<string, number> | null;
  assertions: AssertionResult[];
  /** every assertion passed (true when there are none) */
  passed: boolean;
  warnings: string[];
}

export function evalReport(r: EvalResult, split: string | null, assertions: AssertionResult[]): EvalReport {
  return {
    seqnet_version: SEQNET_VERSION,
    run: r.run,
    task: r.task,
    split,
    on: r.on,
    checkpoint: r.checkpoint,
    metrics: r.metrics,
    baseline: r.baseline,
    assertions,
    passed: assertions.every((a) => a.passed),
    warnings: r.warnings,
  };
}

// its types declare an ES default export; its CommonJS entry exports the builder itself, which Node gives as `default`
const junit = (junitPkg as unknown as { default: Builder }).default;

const clean = (s: string) => stripVTControlCharacters(s);

/** JUnit XML: a suite per eval with the metrics (and baseline) as properties, a test case per assertion. */
export function junitXml(r: EvalReport): string {
  const b = junit.newBuilder();
  const suite = b.testSuite().name(clean(`seqnet eval ${r.run} (${r.task}, ${r.on}, ${r.checkpoint})`));
  for (const [k, v] of Object.entries(r.metrics)) suite.property(clean(k), String(v));
  for (const [k, v] of Object.entries(r.baseline ?? {})) suite.property(clean(`baseline.${k}`), String(v));
  suite.property('seqnet_version', r.seqnet_version);
  for (const a of r.assertions) {
    const tc = suite.testCase().className(clean(`seqnet.eval.${r.task}`)).name(clean(a.assertion));
    if (!a.passed) tc.failure(clean(describeResult(a).replace(/^FAIL /, '')), 'AssertionFailed');
  }
  return b.build();
}

/**
 * Fails early, before any evaluation, when `file` (given with `flag`) cannot be written: missing
 * folders are created; a folder in the way, or a file where a folder should be, is a usage error.
 */
export function checkWritable(file: string, flag: string): void {
  try {
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new Error('it is a folder');
    makeDirs(path.dirname(path.resolve(file)));
    fs.accessSync(path.dirname(path.resolve(file)), fs.constants.W_OK);
  } catch (e) {
    throw new UsageError(`${flag} ${file}: cannot write there (${e instanceof Error ? e.message : String(e)}); give a writable file path.`);
  }
}

/** Writes a report atomically; into a device or pipe (`--out /dev/stdout`) directly, never renaming a file over it. */
export function writeReport(file: string, text: string, flag: string): void {
  try {
    if (fs.existsSync(file) && !fs.statSync(file).isFile()) fs.writeFileSync(file, text);
    else writeFileAtomic(file, text);
  } catch (e) {
    throw new UsageError(`${flag} ${file}: cannot write the report (${e instanceof Error ? e.message : String(e)}).`);
  }
}

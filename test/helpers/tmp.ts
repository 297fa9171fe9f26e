/** Temporary folders and tiny fixtures for tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function tmpDir(prefix = 'seqnet-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes files (name → content) into a fresh temp folder; returns its path. */
export function fixture(files: Record<string, string | Uint8Array>): string {
  const dir = tmpDir();
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/** A small repetitive corpus a tiny model learns in a few steps. */
export const TINY_CORPUS = Array.from({ length: 60 }, (_, i) => `the cat sat on the mat ${i % 3 === 0 ? 'and the dog ran' : 'so the bird sang'}.`).join('\n');

export const TINY_LM_YAML = `
name: tiny
seed: 3
task: language_model
data:
  train: corpus.txt
  valid: 0.1
  test: 0.1
  tokenizer: { type: char }
  seq_len: 16
model:
  type: lstm
  embedding_dim: 8
  units: 16
  layers: 1
train:
  epochs: 2
  batch_size: 8
  learning_rate: 0.01
  log_every: 1000
`;

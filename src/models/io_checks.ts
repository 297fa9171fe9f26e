/**
 * Checks on a checkpoint's model.json made before anything is allocated: every declared tensor
 * has a sane shape and dtype, no layer asks for an absurd size, and the embedding matches the
 * run's tokenizer.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { tf } from '../backend/index.js';
import { RunError } from '../util/errors.js';
import { readRunJson } from '../util/fs.js';

/** No tensor, and no size-like layer setting, may exceed this many elements (2^28 float32 = 1 GiB). */
export const MAX_ELEMENTS = 2 ** 28;
const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** Total bytes the weight specs describe; a RunError for any shape or dtype that is not sane. */
export function weightBytes(specs: tf.io.WeightsManifestEntry[], file: string): number {
  let total = 0;
  for (const s of specs) {
    const bytes = BYTES[s.dtype];
    if (!bytes) throw new RunError(`${file}: weight ${s.name} has dtype ${String(s.dtype)}, expected float32, int32 or bool.`);
    if (s.quantization) throw new RunError(`${file}: weight ${s.name} is quantized, which seqnet does not read.`);
    if (!Array.isArray(s.shape) || !s.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new RunError(`${file}: weight ${s.name} has shape ${JSON.stringify(s.shape)}, not a list of non-negative integers.`);
    }
    const n = s.shape.reduce((a, d) => a * d, 1);
    if (n > MAX_ELEMENTS) throw new RunError(`${file}: weight ${s.name} declares shape [${s.shape.join(', ')}] (${n.toExponential(2)} elements), an absurd size; refusing to allocate it.`);
    total += n * bytes;
  }
  return total;
}

const SIZE_KEY = /units|dim|filters|size|shape|heads|length|vocab/i;
/** Input shapes size activations, not weights: only the absolute bound applies to them. */
const INPUT_KEY = /shape|input_length/i;
/**
 * Settings that size weights (units, dims, filters…) of a real checkpoint appear in, or are
 * below, some dimension of its saved weights (units ≤ 4 × units of an LSTM kernel); this much
 * slack lets anything a trained seqnet model uses through. Beyond it tfjs would allocate the
 * layers (minutes and gigabytes) before noticing they do not match the weights.
 */
const SIZE_SLACK = 4096;

/**
 * Rejects a topology whose layer settings ask for an absurd size, before tfjs builds (and
 * allocates) the layers: no size over MAX_ELEMENTS, and no weight-sizing setting over the
 * largest dimension of the weights it is saved with (`specs`, already checked against
 * weights.bin) or SIZE_SLACK.
 */
export function checkTopology(topology: unknown, file: string, specs: tf.io.WeightsManifestEntry[] = []): void {
  const limit = specs.reduce((m, s) => s.shape.reduce((a, d) => Math.max(a, d), m), SIZE_SLACK);
  const walk = (v: unknown, key: string, where: string): void => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, key, where));
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const name = typeof o.name === 'string' ? o.name : where;
      for (const [k, x] of Object.entries(o)) walk(x, k, name);
      return;
    }
    if (typeof v === 'number' && SIZE_KEY.test(key) && (!Number.isFinite(v) || v > MAX_ELEMENTS)) {
      throw new RunError(`${file}: layer ${where} sets ${key} to ${v}, an absurd size; refusing to build it.`);
    }
    if (typeof v === 'number' && SIZE_KEY.test(key) && !INPUT_KEY.test(key) && v > limit) {
      throw new RunError(`${file}: layer ${where} sets ${key} to ${v}, larger than any dimension of its saved weights (at most ${limit}); the file is damaged or from another model, refusing to build it.`);
    }
  };
  walk(topology, '', 'model');
}

/** input_dim of every Embedding layer in a topology. */
function embeddingSizes(topology: unknown): number[] {
  const out: number[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    const cfg = o.config as Record<string, unknown> | undefined;
    if (o.class_name === 'Embedding' && typeof cfg?.input_dim === 'number') out.push(cfg.input_dim);
    Object.values(o).forEach(walk);
  };
  walk(topology);
  return out;
}

const TOKENIZER_FILES = ['tokenizer.json', 'target_tokenizer.json'];

/** A fingerprint of a tokenizer's vocabulary (its size and a hash of its tokens). */
function fingerprint(file: string): string {
  const j = readRunJson<{ vocab?: unknown }>(file);
  if (!Array.isArray(j.vocab)) throw new RunError(`${file}: no vocab list; the file is damaged.`);
  return `${j.vocab.length}:${crypto.createHash('sha256').update(j.vocab.join('\u0000')).digest('hex').slice(0, 16)}`;
}

/** Fingerprints of the run's tokenizers, recorded in each checkpoint when it is written. */
export function tokenizerPrints(runDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of TOKENIZER_FILES) if (fs.existsSync(path.join(runDir, name))) out[name] = fingerprint(path.join(runDir, name));
  return out;
}

/**
 * A tokenizer.json from another run gives other token ids. Checkpoints record their run's
 * tokenizers; older ones are checked by size: an embedding must have the vocabulary's size (or
 * one more, for masked_lm's [MASK]).
 */
export function checkVocab(topology: unknown, runDir: string, file: string, recorded?: Record<string, string>): void {
  const sizes = embeddingSizes(topology);
  for (const name of TOKENIZER_FILES) {
    const f = path.join(runDir, name);
    if (!fs.existsSync(f)) continue;
    const now = fingerprint(f);
    const n = Number(now.split(':')[0]);
    const foreign = recorded?.[name] !== undefined ? recorded[name] !== now : sizes.length > 0 && !sizes.includes(n) && !sizes.includes(n + 1);
    if (foreign) {
      throw new RunError(
        `${f} (${n} tokens) is not the tokenizer the checkpoint ${file} was trained with` +
          (sizes.length ? ` (its embedding has ${sizes.join(' / ')} rows)` : '') +
          ': the tokenizer is from another run. Put back the tokenizer.json this run was trained with.',
      );
    }
  }
}

/**
 * `generate(runDir)`: continues a prime text with a language model. The output starts with the
 * prime; the same seed gives the same text. Stops at <eos> or after `length` tokens.
 */
import { tf } from '../backend/index.js';
import { BOS, EOS, PAD, UNK, loadTokenizer, type TokenizerJSON } from '../data/tokenizers/index.js';
import { loadPredictor } from '../models/predictor.js';
import { makeStepper } from '../models/stepper.js';
import { checkpointDir, openRun, type CheckpointChoice } from '../train/rundir.js';
import { SeqnetError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { sampleFromLogits, type SampleOptions } from './sample.js';

export interface GenerateOptions extends SampleOptions {
  prime: string;
  /** new tokens per sample */
  length: number;
  num: number;
  seed: number;
  checkpoint?: CheckpointChoice;
}

export interface GenerateResult {
  samples: string[];
  warnings: string[];
  tokens: number;
  tokensPerSecond: number;
}

export async function generate(dir: string, o: GenerateOptions): Promise<GenerateResult> {
  const opened = openRun(dir);
  const { cfg, artifacts } = opened;
  if (cfg.task !== 'language_model') {
    throw new SeqnetError(`${dir} is a ${cfg.task} run; \`generate\` needs a language_model run (use \`seqnet predict\`).`, 2);
  }
  const tok = loadTokenizer(artifacts.tokenizer as TokenizerJSON, `${dir}/tokenizer.json`);
  const warnings: string[] = [];
  const unknown = tok.unknownPieces(o.prime);
  if (unknown.length) {
    warnings.push(`prime: not in the vocabulary, mapped to <unk>: ${unknown.map((c) => JSON.stringify(c)).join(' ')}`);
  }
  const ckptDir = checkpointDir(opened, o.checkpoint ?? 'best');
  const model = await loadPredictor(ckptDir, cfg.model);
  const rng = new Rng(o.seed);
  const primeIds = tok.encode(o.prime);
  const start = primeIds.length ? primeIds : [BOS];
  const samples: string[] = [];
  let tokens = 0;
  const t0 = Date.now();
  try {
    for (let s = 0; s < o.num; s++) {
      const stepper = makeStepper(model, cfg.data.seq_len);
      const out: number[] = [];
      let input = tf.tensor2d([start], [1, start.length], 'int32');
      for (let i = 0; i < o.length; i++) {
        const logits = stepper.feed(input);
        input.dispose();
        const row = logits.dataSync() as Float32Array;
        logits.dispose();
        const id = sampleFromLogits(row, o, rng, [PAD, UNK, BOS]);
        tokens++;
        if (id === EOS) break;
        out.push(id);
        input = tf.tensor2d([[id]], [1, 1], 'int32');
      }
      input.dispose();
      stepper.dispose();
      samples.push(o.prime + tok.decode(out));
    }
  } finally {
    model.dispose();
  }
  return { samples, warnings, tokens, tokensPerSecond: tokens / Math.max(1e-3, (Date.now() - t0) / 1000) };
}

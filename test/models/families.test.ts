/**
 * One test per registry key × supported task, generated from MODEL_REGISTRY and SUPPORTED_TASKS:
 * output shape, gradients reaching every trainable weight, and save → load → identical outputs.
 * seq2seq has its own input contract and its own tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import type { ModelType } from '../../src/config/schema/index.js';
import { SUPPORTED_TASKS } from '../../src/config/support.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/models/io.js';
import { buildModel, MODEL_REGISTRY } from '../../src/models/registry.js';
import { tmpDir } from '../helpers/tmp.js';
import { INFO, outShape, tinyInput, tinyModel } from './helpers.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

/** variants beyond the defaults that change the graph */
const VARIANTS: Partial<Record<ModelType, Record<string, unknown>[]>> = {
  lstm: [{ bidirectional: true, merge: 'concat', norm: 'layer', dropout: 0.2 }, { recurrent_dropout: 0.3, norm: 'batch' }],
  gru: [{ bidirectional: true, merge: 'ave' }],
  rnn: [{ bidirectional: true, merge: 'mul' }],
  textcnn: [{ pool: 'avg', padding: 'valid', stride: 2, hidden: [] }],
  transformer: [{ pooling: 'cls', positional: 'sinusoidal', dropout: 0 }],
};

const cases = (Object.keys(MODEL_REGISTRY) as ModelType[]).flatMap((type) =>
  SUPPORTED_TASKS[type]
    .filter((task) => task !== 'seq2seq')
    .flatMap((task) =>
      [{}, ...(VARIANTS[type] ?? [])]
        .filter((v) => !(task === 'language_model' && v.bidirectional))
        .filter((v) => !(task === 'tagging' && (v.padding === 'valid' || (v.stride as number) > 1)))
        .map((v) => ({ type, task, v })),
    ),
);

describe('every family × task', () => {
  it.each(cases)('$type $task $v', async ({ type, task, v }) => {
    const cfg = tinyModel(type, v);
    const model = buildModel(cfg, { task, info: INFO, seed: 5 });
    const x = tinyInput(task);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual(outShape(task));
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);

    // every trainable weight gets a gradient from a training-mode forward pass
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => (model.apply(x, { training: true }) as tf.Tensor).square().mean() as tf.Scalar, vars);
    for (const w of vars) {
      const g = grads[w.name];
      expect(g, w.name).toBeDefined();
      expect(Array.from(g.dataSync()).every(Number.isFinite), w.name).toBe(true);
    }
    const nonzero = vars.filter((w) => grads[w.name].abs().max().dataSync()[0] > 0).length;
    expect(nonzero).toBeGreaterThan(vars.length / 2);
    tf.dispose([value, ...Object.values(grads)]);

    // save → load → identical outputs (custom layers are registered for deserialisation)
    const dir = path.join(tmpDir(), 'ckpt');
    await saveCheckpoint(model, dir);
    expect(fs.existsSync(path.join(dir, 'model.json'))).toBe(true);
    const back = await loadCheckpoint(dir);
    const y1 = model.predict(x) as tf.Tensor; // after the training pass (batch norm moved its statistics)
    const y2 = back.predict(x) as tf.Tensor;
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y1.dataSync()));
    expect(back.countParams()).toBe(model.countParams());
    tf.dispose([x, y, y1, y2]);
    model.dispose();
    back.dispose();
  });
});

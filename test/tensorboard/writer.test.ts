import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { combineHooks, EventFileWriter, tensorboardHooks } from '../../src/tensorboard/index.js';
import { tmpDir } from '../helpers/tmp.js';
import { readEvents } from './reader.js';

const step = (step: number, loss: number) => ({
  epoch: 1, epochs: 1, step, totalSteps: 4, epochStep: step, stepsPerEpoch: 4, loss, learningRate: 0.01 / step,
  throughput: 100 * step, throughputUnit: 'tokens/s', etaSeconds: 1,
});

describe('TensorBoard event files', () => {
  it('round trip: file_version first, both CRCs of every record valid, every logged value found', () => {
    const dir = tmpDir();
    const h = tensorboardHooks(dir);
    h.onStep!(step(1, 2.5));
    h.onStep!(step(2, 1.25));
    h.onEval!({ epoch: 1, step: 2, trainLoss: 1.75, validLoss: 1.5, validMetrics: { loss: 1.5, accuracy: 0.625, 'confusion/a/b': 3 }, learningRate: 0.002, improved: true, seconds: 1 });
    h.close();
    const [file, ...rest] = fs.readdirSync(path.join(dir, 'tb'));
    expect(rest).toEqual([]);
    expect(file).toMatch(/^events\.out\.tfevents\.\d+\..+/);
    const ev = readEvents(path.join(dir, 'tb', file));
    expect(ev[0].fileVersion).toBe('brain.Event:2');
    expect(ev).toHaveLength(4);
    expect(ev[1]).toMatchObject({ step: 1, values: { 'train/loss': 2.5, 'train/learning_rate': expect.closeTo(0.01, 6), 'train/tokens_per_second': 100 } });
    expect(ev[2].values['train/loss']).toBe(1.25);
    expect(ev[3].step).toBe(2);
    expect(ev[3].values).toEqual({ 'train/epoch_loss': 1.75, 'valid/loss': 1.5, 'valid/accuracy': 0.625, 'valid/learning_rate': expect.closeTo(0.002, 6), epoch: 1 });
    expect(Math.abs(ev[3].wallTime - Date.now() / 1000)).toBeLessThan(60);
  });

  it('the reader rejects a corrupted record (so the CRC checks can fail)', () => {
    const dir = tmpDir();
    const w = new EventFileWriter(dir);
    w.scalars(7, { x: 1 });
    w.close();
    const f = path.join(dir, fs.readdirSync(dir)[0]);
    const b = fs.readFileSync(f);
    b[b.length - 6] ^= 0xff; // inside the last record's data
    fs.writeFileSync(f, b);
    expect(() => readEvents(f)).toThrow(/bad data CRC/);
  });

  it('combineHooks calls each consumer in turn', () => {
    const seen: string[] = [];
    const h = combineHooks({ onStep: (e) => seen.push(`a${e.step}`) }, {}, { onStep: (e) => seen.push(`b${e.step}`), onWarning: (m) => seen.push(m) });
    h.onStep!(step(3, 1));
    h.onWarning!('w');
    expect(seen).toEqual(['a3', 'b3', 'w']);
    expect(h.onEpoch).toBeUndefined();
  });
});

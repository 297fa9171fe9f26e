/**
 * TensorBoard logs of a training run: `<run>/tb/events.out.tfevents.<time>.<host>` with scalars per
 * logged step (train/loss, train/learning_rate, train/tokens_per_second or examples_per_second) and per evaluation (train/epoch_loss,
 * valid/<metric> for every metric the task reports). `tensorboard --logdir runs/` reads them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TrainHooks } from '../train/events.js';
import { encodeEvent, frameRecord, type TbEvent } from './records.js';
import { makeDirs } from '../util/fs.js';

export class EventFileWriter {
  private fd: number | undefined;
  readonly file: string;

  constructor(readonly dir: string, now = Date.now()) {
    this.file = path.join(dir, `events.out.tfevents.${Math.floor(now / 1000)}.${os.hostname()}`);
  }

  /** writes one event; the first call creates the file and writes file_version first */
  write(e: Omit<TbEvent, 'wallTime'> & { wallTime?: number }): void {
    const wallTime = e.wallTime ?? Date.now() / 1000;
    if (this.fd === undefined) {
      makeDirs(this.dir);
      this.fd = fs.openSync(this.file, 'a');
      fs.writeSync(this.fd, frameRecord(encodeEvent({ wallTime, step: 0, fileVersion: 'brain.Event:2' })));
    }
    // written through at once: TensorBoard shows a run while it trains, and a crash loses nothing
    fs.writeSync(this.fd, frameRecord(encodeEvent({ ...e, wallTime })));
  }

  scalars(step: number, values: Record<string, number>): void {
    const finite = Object.fromEntries(Object.entries(values).filter(([, v]) => Number.isFinite(v)));
    if (Object.keys(finite).length) this.write({ step, scalars: finite });
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Hooks that log the training events of the run in `runDir` to `runDir/tb`. */
export function tensorboardHooks(runDir: string): TrainHooks & { close(): void } {
  const w = new EventFileWriter(path.join(runDir, 'tb'));
  return {
    onStep(e) {
      w.scalars(e.step, {
        'train/loss': e.loss,
        'train/learning_rate': e.learningRate,
        // `tokens/s` → train/tokens_per_second: one tag level, as TensorBoard groups tags by their first `/`
        [`train/${e.throughputUnit.replace('/s', '_per_second')}`]: e.throughput,
      });
    },
    onEval(e) {
      // one point per evaluation (per epoch, or every train.eval_every_steps); confusion-matrix cells are counts, not curves; they stay in metrics.json and confusion.svg
      const metrics = Object.entries(e.validMetrics ?? {}).filter(([k]) => !k.startsWith('confusion/'));
      const valid = Object.fromEntries(metrics.map(([k, v]) => [`valid/${k}`, v]));
      w.scalars(e.step, { 'train/epoch_loss': e.trainLoss, ...(e.validLoss === null ? {} : { 'valid/loss': e.validLoss }), ...valid, 'valid/learning_rate': e.learningRate, epoch: e.epoch });
    },
    close: () => w.close(),
  };
}


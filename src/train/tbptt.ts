/**
 * Truncated backpropagation through time that carries the state (train.tbptt on a recurrent
 * language model): batch c holds chunk c of every stream (data/streams.ts); each recurrent layer
 * starts chunk c+1 from the state it ended chunk c with, detached (a constant: gradients stop at
 * the chunk boundary). The state resets at the start of each epoch and, per stream, where a
 * document starts. `last` checkpoints hold the carried state, so a run resumed mid-epoch continues
 * exactly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tf } from '../backend/index.js';
import type { Batch, Split } from '../data/batch.js';
import { StreamSplit } from '../data/streams.js';
import { carriedModel, detach, forwardCarried, type CarriedModel, type CarriedState } from '../models/carry.js';
import { RunError } from '../util/errors.js';
import { readRunJson } from '../util/fs.js';

/** The file in a checkpoint that holds the carried state. */
export const CARRIED_STATE_FILE = 'tbptt_state.json';

interface SavedState {
  /** per recurrent layer (chain order), per state tensor: [B, U] as nested arrays */
  states: number[][][][];
}

export class StateCarrier {
  private readonly m: CarriedModel;
  private states: CarriedState | undefined;
  private next: CarriedState | undefined;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly split: StreamSplit,
  ) {
    this.m = carriedModel(model, 'train.tbptt');
  }

  /** Zero state: the start of an epoch. */
  reset(): void {
    this.dispose();
  }

  /**
   * The forward pass on batch `indices` (chunk c of each stream, xs[0]: [streams, K] int32) from the
   * carried state, inside the caller's gradient tape; returns the logits. The state it ends with is
   * kept aside, detached, until `advance()` (after the gradients: the backward pass still reads the
   * state the chunk started from).
   */
  forward(b: Batch, indices: readonly number[]): tf.Tensor {
    const carry = tf.tensor2d(this.split.carryMask(indices), [indices.length, 1]);
    const r = forwardCarried(this.m, b.xs[0] as tf.Tensor2D, this.states, true, carry);
    if (this.next) tf.dispose(this.next.flat());
    this.next = detach(r.states).map((s) => s.map((t) => tf.keep(t)));
    return r.logits;
  }

  /** The state the last forward pass ended with becomes the carried state. */
  advance(): void {
    if (!this.next) return;
    const next = this.next;
    this.next = undefined;
    this.dispose();
    this.states = next;
  }

  /** The checkpoint files that hold the carried state (none before the first chunk). */
  files(): Record<string, unknown> {
    if (!this.states) return {};
    const saved: SavedState = { states: this.states.map((s) => s.map((t) => t.arraySync())) };
    return { [CARRIED_STATE_FILE]: saved };
  }

  /** Restores the state a `last` checkpoint was saved with (a run resumed mid-epoch). */
  restore(dir: string): void {
    this.dispose();
    const file = path.join(dir, CARRIED_STATE_FILE);
    if (!fs.existsSync(file)) return; // interrupted before its first chunk: zero state is right
    const saved = readRunJson<SavedState>(file);
    const wellFormed = Array.isArray(saved.states) && saved.states.every((l) => Array.isArray(l) && l.every((t) => Array.isArray(t) && t.every((r) => Array.isArray(r) && r.every((x) => typeof x === 'number'))));
    if (!wellFormed) throw new RunError(`${file}: \`states\` is not a list of [streams, units] number arrays per recurrent layer; the checkpoint is damaged.`);
    if (saved.states.length !== this.m.recurrent.length) {
      throw new RunError(`${file}: holds state for ${saved.states.length} recurrent layers, the model has ${this.m.recurrent.length}.`);
    }
    const rows = saved.states[0]?.[0]?.length;
    if (rows !== this.split.streams) {
      throw new RunError(`${file}: holds state for ${rows} streams, but train.batch_size is ${this.split.streams}; resume with the batch_size the run was saved with.`);
    }
    this.states = saved.states.map((s) => s.map((r) => tf.tensor2d(r)));
  }

  dispose(): void {
    if (this.states) tf.dispose(this.states.flat());
    this.states = undefined;
  }

  /** Frees the carried state and any state kept aside. */
  close(): void {
    this.dispose();
    if (this.next) tf.dispose(this.next.flat());
    this.next = undefined;
  }
}

/** A carrier when the training split is laid out as streams, otherwise undefined (ordinary batches). */
export function stateCarrier(model: tf.LayersModel, train: Split): StateCarrier | undefined {
  return train instanceof StreamSplit ? new StateCarrier(model, train) : undefined;
}

/** What the training loop reports; the CLI renders these, library code never prints. */
import type { CorpusProgress } from '../data/corpus.js';
import type { RunStatus } from './rundir.js';

export interface StartEvent {
  params: number;
  stepsPerEpoch: number;
  totalSteps: number;
  resumedFrom: number;
  /** sha256 of the resolved config (JSON), so runs of the same config can be matched */
  configHash?: string;
  /** the run directory */
  dir?: string;
}

export interface StepEvent {
  epoch: number;
  epochs: number;
  /** optimizer steps done in total */
  step: number;
  totalSteps: number;
  /** step within the epoch */
  epochStep: number;
  stepsPerEpoch: number;
  loss: number;
  learningRate: number;
  /** target tokens (or examples) per second over recent steps */
  throughput: number;
  throughputUnit: string;
  etaSeconds: number;
}

/** One validation pass (each epoch, or every eval_every_steps steps). */
export interface EvalEvent {
  epoch: number;
  step: number;
  /** mean training loss since the previous evaluation */
  trainLoss: number;
  validLoss: number | null;
  validMetrics: Record<string, number> | null;
  learningRate: number;
  /** the best checkpoint was updated */
  improved: boolean;
  seconds: number;
}

export interface EpochEvent {
  epoch: number;
  epochs: number;
  step: number;
  trainLoss: number;
  validLoss: number | null;
  validMetrics: Record<string, number> | null;
  improved: boolean;
  seconds: number;
}

export interface EndEvent {
  status: RunStatus;
  step: number;
  epoch: number;
  seconds: number;
  /** metrics.json: final metrics per split, with the baselines */
  metrics: Record<string, unknown>;
  /** why training stopped, for statuses other than finished */
  message?: string;
}

export interface TrainHooks {
  onStart?(e: StartEvent): void;
  onStep?(e: StepEvent): void;
  onEval?(e: EvalEvent): void;
  onEpoch?(e: EpochEvent): void;
  onCheckpoint?(e: { kind: 'last' | 'best' | 'step'; dir: string; step?: number }): void;
  onWarning?(message: string): void;
  onEnd?(e: EndEvent): void;
  /** reading a big corpus: three passes over its bytes */
  onData?(e: CorpusProgress): void;
}

/** Calls every hook set's handler for each event, in order. */
export function combineHooks(...all: TrainHooks[]): TrainHooks {
  const names = ['onStart', 'onStep', 'onEval', 'onEpoch', 'onCheckpoint', 'onWarning', 'onEnd', 'onData'] as const;
  const out: TrainHooks = {};
  for (const n of names) {
    const fns = all.map((h) => h[n]).filter((f) => f !== undefined) as ((e: never) => void)[];
    if (fns.length) (out as Record<string, (e: never) => void>)[n] = (e: never) => fns.forEach((f) => f(e));
  }
  return out;
}

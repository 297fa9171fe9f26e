/** What the training loop reports; the CLI renders these, library code never prints. */
import type { CorpusProgress } from '../data/corpus.js';

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

export interface TrainHooks {
  onStart?(e: { params: number; stepsPerEpoch: number; totalSteps: number; resumedFrom: number }): void;
  onStep?(e: StepEvent): void;
  onEpoch?(e: EpochEvent): void;
  onCheckpoint?(e: { kind: 'last' | 'best'; dir: string }): void;
  onWarning?(message: string): void;
  /** reading a big corpus: three passes over its bytes */
  onData?(e: CorpusProgress): void;
}

/** Which model families can learn which tasks; checked when the config is parsed. */
import type { ModelType, Task } from './schema/index.js';

export const SUPPORTED_TASKS: Record<ModelType, readonly Task[]> = {
  rnn: ['classification', 'tagging', 'language_model', 'forecasting'],
  lstm: ['classification', 'tagging', 'language_model', 'forecasting'],
  gru: ['classification', 'tagging', 'language_model', 'forecasting'],
  textcnn: ['classification', 'tagging', 'forecasting'],
  transformer: ['classification', 'tagging', 'language_model', 'forecasting', 'masked_lm'],
  seq2seq: ['seq2seq'],
  ngram: ['language_model'],
  bow: ['classification'],
  naive: ['forecasting'],
  seasonal_naive: ['forecasting'],
  ar: ['forecasting'],
};

/**
 * bow: bag-of-n-grams features of the token ids with a softmax (multinomial logistic regression)
 * classifier: logits = features · W + b, [B, F] → [B, C]. The feature vocabulary is fitted on the
 * training split as the model sees it (cut to data.seq_len); W and b are trained by the ordinary
 * loop with the `train:` settings, so the run has epochs, history, early stopping and resume.
 */
import { tf } from '../backend/index.js';
import type { BowConfig } from '../config/schema/index.js';
import { ClassifySplit } from '../data/examples.js';
import { truncated } from '../data/sequence.js';
import { denseLayer } from '../models/head.js';
import type { ModelFamily } from '../models/types.js';
import { DataError, SeqnetError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { fitBow } from './bow_features.js';
import { bowFeaturesLayer } from './bow_layer.js';

export const bowFamily: ModelFamily<BowConfig> = {
  build(cfg, ctx) {
    const train = ctx.train;
    if (ctx.task !== 'classification' || !(train instanceof ClassifySplit)) {
      throw new SeqnetError(`model type bow needs the training split of a classification task to choose its n-grams (task: ${ctx.task})`, 2);
    }
    const vocab = fitBow(
      train.ids.map((ids) => truncated(ids, train.seqLen, train.truncate)),
      cfg,
    );
    if (vocab.features.length === 0) throw new DataError('bow: the training split has no tokens, so there are no n-gram features.');
    const rng = new Rng(ctx.seed);
    const input = tf.input({ shape: [null], dtype: 'int32', name: 'tokens' });
    const features = bowFeaturesLayer(vocab, 'bag_of_ngrams').apply(input) as tf.SymbolicTensor; // [B, F]
    const logits = denseLayer(ctx.info.numClasses!, 'logits', rng).apply(features) as tf.SymbolicTensor; // [B, C]
    return tf.model({ inputs: input, outputs: logits, name: 'bow_classification' });
  },
};

/**
 * The classic-script bundle (seqnet.js in every export folder): TensorFlow.js, seqnet/layers and
 * seqnet/infer as the global `seqnet`, for pages without a bundler:
 *   <script src="seqnet.js"></script>
 *   <script> seqnet.load('.').then((m) => console.log(m.classify('a fine film'))) </script>
 */
import * as tf from '@tensorflow/tfjs';
import { registerLayers } from './layers/index.js';
import { load, SeqnetModel } from './infer.js';

(globalThis as Record<string, unknown>).seqnet = { tf, load, SeqnetModel, registerLayers };

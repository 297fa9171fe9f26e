/** The single import of TensorFlow.js; backend/index.ts re-exports it for the rest of seqnet. */
import * as tf from '@tensorflow/tfjs';

export { tf };

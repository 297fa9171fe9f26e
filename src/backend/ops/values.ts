/** The plain-op twins of the ops that work on arrays (generation) get their results through here. */
import { tf } from '../tf.js';

/** The values of the tensors `fn` makes, every tensor it made disposed. */
export function tidyValues(fn: () => tf.Tensor[]): Float32Array[] {
  let out: Float32Array[] = [];
  tf.tidy(() => {
    out = fn().map((t) => t.dataSync() as Float32Array);
  }); // returns nothing: tidy would walk returned typed arrays element by element
  return out;
}

// The feed-forward half of a pre-norm transformer block on R rows of x [R, D], in place (the
// inference block loop and the cached-decoding block share it; not an export of the library):
//   x += GELU(LN₂(x)·W₁ + b₁)·W₂ + b₂
// W₁, W₂ packed by packB; n [R, D], mean and rstd [R] and ff [R, F] are scratch; ws the workspace.

import { geluN } from './elementwise';
import { layerNormRows } from './norm';
import { addBias, sgemmPacked } from './sgemm';

export function feedForwardRows(
  R: i32, D: i32, F: i32, eps: f32, x: usize, n: usize, mean: usize, rstd: usize, ff: usize,
  g: usize, be: usize, W1: usize, b1: usize, W2: usize, b2: usize, ws: usize,
): void {
  layerNormRows(R, D, x, g, be, eps, n, mean, rstd);
  sgemmPacked(R, F, D, 1, n, D, false, W1, F, 0, 0, ff, F, ws);
  addBias(R, F, ff, F, b1);
  geluN(R * F, ff, ff);
  sgemmPacked(R, D, F, 1, ff, F, false, W2, D, 0, 1, x, D, ws);
  addBias(R, D, x, D, b2);
}

/** The bias, scale and linear ops the layers use, from the backend's ops (kept here for the layers' imports). */
export { addBias, scaleShift } from '../../backend/ops/affine.js';
export { linear } from '../../backend/ops/dense.js';

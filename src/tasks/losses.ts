/** Losses shared by the tasks: the cross-entropy op of the backend (backend/ops/cross_entropy.ts). */
export { sparseCrossEntropy } from '../backend/ops/cross_entropy.js';

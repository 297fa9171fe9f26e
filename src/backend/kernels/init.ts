/**
 * Fast weight initialisers in plain JS (tfjs' Orthogonal runs its QR through tf ops and takes
 * minutes for a 256 x 1024 recurrent kernel on the cpu backend).
 */

/** Standard normal from a uniform [0,1) source (Box–Muller; one value per call keeps it simple). */
function normal(rng: () => number): number {
  let u = 0;
  while (u <= Number.MIN_VALUE) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * Keras' Orthogonal: QR of a normal (max(r,c) x min(r,c)) matrix with the sign of diag(R) folded
 * into Q (modified Gram–Schmidt gives diag(R) > 0, i.e. the same Q), transposed when rows < cols.
 * Returns gain·Q as a row-major [rows, cols] Float32Array: orthonormal columns if rows >= cols,
 * orthonormal rows otherwise.
 */
export function orthogonal(shape: [number, number], gain: number, rng: () => number): Float32Array {
  const [rows, cols] = shape;
  const n = Math.max(rows, cols); // vector length
  const m = Math.min(rows, cols); // number of vectors to orthonormalise
  // q[j*n + i]: vector j stored contiguously (column j of the n x m matrix), float64 for accuracy
  const q = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) q[j * n + i] = normal(rng);
  for (let j = 0; j < m; j++) {
    const vj = j * n;
    // two passes of MGS ("twice is enough") keep Q orthonormal to float64 precision
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        const vp = p * n;
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[vp + i] * q[vj + i];
        for (let i = 0; i < n; i++) q[vj + i] -= dot * q[vp + i];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[vj + i] * q[vj + i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) q[vj + i] /= norm;
  }
  const out = new Float32Array(rows * cols);
  if (rows >= cols) {
    // out[i, j] = Q[i, j] = vector j, element i
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = gain * q[j * n + i];
  } else {
    // out = Q^T: row i is vector i
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = gain * q[i * n + j];
  }
  return out;
}

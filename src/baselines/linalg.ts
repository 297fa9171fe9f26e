/** Dense least squares in plain JS (float64): the normal equations solved by Cholesky. */

/**
 * Solves A X = B for a symmetric positive definite A [p, p] and B [p, q], both row-major.
 * Returns X [p, q], or null when A is not (numerically) positive definite.
 */
export function solveSpd(A: Float64Array, B: Float64Array, p: number, q: number): Float64Array | null {
  // A = L Lᵀ, L lower triangular
  const L = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * p + j];
      for (let k = 0; k < j; k++) s -= L[i * p + k] * L[j * p + k];
      if (i === j) {
        if (!(s > 1e-12 * Math.max(1, Math.abs(A[i * p + i])))) return null;
        L[i * p + i] = Math.sqrt(s);
      } else {
        L[i * p + j] = s / L[j * p + j];
      }
    }
  }
  const X = Float64Array.from(B);
  for (let c = 0; c < q; c++) {
    // L z = b, then Lᵀ x = z, in place in column c
    for (let i = 0; i < p; i++) {
      let s = X[i * q + c];
      for (let k = 0; k < i; k++) s -= L[i * p + k] * X[k * q + c];
      X[i * q + c] = s / L[i * p + i];
    }
    for (let i = p - 1; i >= 0; i--) {
      let s = X[i * q + c];
      for (let k = i + 1; k < p; k++) s -= L[k * p + i] * X[k * q + c];
      X[i * q + c] = s / L[i * p + i];
    }
  }
  return X;
}

/**
 * Least squares with a ridge penalty: argmin_W (1/n)‖X W - Y‖² + λ‖W‖² over every column but the
 * last of X (the intercept, not penalised), via (XᵀX/n + λI) W = XᵀY/n.
 * rows: n design rows of length p (the last entry 1); targets: n rows of length q.
 */
export function ridgeFit(rows: readonly Float64Array[], targets: readonly Float64Array[], p: number, q: number, lambda: number): Float64Array | null {
  const n = rows.length;
  const A = new Float64Array(p * p);
  const B = new Float64Array(p * q);
  for (let r = 0; r < n; r++) {
    const x = rows[r];
    const y = targets[r];
    for (let i = 0; i < p; i++) {
      const xi = x[i];
      if (xi === 0) continue;
      for (let j = 0; j <= i; j++) A[i * p + j] += xi * x[j];
      for (let c = 0; c < q; c++) B[i * q + c] += xi * y[c];
    }
  }
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) A[j * p + i] = A[i * p + j] /= n;
    for (let c = 0; c < q; c++) B[i * q + c] /= n;
    if (i < p - 1) A[i * p + i] += lambda;
  }
  return solveSpd(A, B, p, q);
}

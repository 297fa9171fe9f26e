/** Whether the fast kernels are installed; its own module so rnn.ts and index.ts share it without a cycle. */
let active = false;

/** True between installFastKernels() and uninstallFastKernels(). */
export function fastKernelsActive(): boolean {
  return active;
}

export function setFastKernelsActive(on: boolean): void {
  active = on;
}

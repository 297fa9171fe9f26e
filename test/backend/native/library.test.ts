/**
 * How the library merges the addon's kernels with wasm's: the packed-layout group comes from one
 * side only, and the workspace fits both twins.
 */
import { describe, expect, it } from 'vitest';
import type { KernelExports } from '../../../src/backend/wasm/interface.js';
import { loadLibrary, samePackedLayout } from '../../../src/backend/wasm/library.js';
import { canBuildNative } from './harness.js';

const fn = (): void => undefined;

describe('samePackedLayout', () => {
  it('keeps a complete packed-layout group', () => {
    const all = { packedFloats: fn, packB: fn, sgemmPacked: fn, seqForwardRows: fn, seqBackwardRows: fn, decodeBlockRows: fn, blockRows: fn, blockGradRows: fn, sgemm: fn };
    expect(Object.keys(samePackedLayout(all as unknown as Partial<KernelExports>)).sort()).toEqual(Object.keys(all).sort());
  });

  it('drops a partial one, keeping the rest', () => {
    const part = { packedFloats: fn, packB: fn, sgemmPacked: fn, sgemm: fn, geluN: fn };
    expect(Object.keys(samePackedLayout(part as unknown as Partial<KernelExports>)).sort()).toEqual(['geluN', 'sgemm']);
  });
});

describe.skipIf(!canBuildNative())('the merged library', () => {
  it('calls the native kernels it uses, and sizes the workspace for both twins', () => {
    const lib = loadLibrary();
    expect(lib.native).not.toBeNull();
    const native = lib.native as NonNullable<typeof lib.native>;
    expect(native.names).toContain('sgemm');
    expect(lib.exports.sgemm).toBe(native.exports.sgemm);
    expect(lib.exports.heapBase).toBe(lib.wasm.heapBase);
    expect(lib.exports.workspaceBytes()).toBeGreaterThanOrEqual(lib.wasm.workspaceBytes());
    expect(lib.exports.workspaceBytes()).toBeGreaterThanOrEqual(native.exports.workspaceBytes?.() ?? 0);
    const packed = native.names.includes('packB');
    expect(lib.exports.packedFloats(1, 1)).toBe(packed ? native.exports.packedFloats?.(1, 1) : lib.wasm.packedFloats(1, 1));
  });

  it('stays on wasm with SEQNET_NATIVE=0', () => {
    process.env.SEQNET_NATIVE = '0';
    try {
      const lib = loadLibrary();
      expect(lib.native).toBeNull();
      expect(lib.nativeOff).toBe('SEQNET_NATIVE=0');
      expect(lib.exports).toBe(lib.wasm);
    } finally {
      delete process.env.SEQNET_NATIVE;
    }
  });
});

describe.skipIf(!canBuildNative())('a damaged addon', () => {
  it('is refused before it is loaded, with the reason and the fix, and seqnet stays on wasm', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { NATIVE_PATH, bindNative } = await import('../../../src/backend/wasm/native.js');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seqnet-native-'));
    const copy = path.join(dir, 'seqnet-kernels.node');
    fs.copyFileSync(NATIVE_PATH, copy);
    fs.copyFileSync(`${NATIVE_PATH}.json`, `${copy}.json`);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
    expect(typeof bindNative(memory, copy)).toBe('object'); // the intact copy loads
    fs.writeFileSync(copy, fs.readFileSync(NATIVE_PATH).subarray(0, 1000)); // truncated: dlopen would crash
    expect(bindNative(memory, copy)).toMatch(/not the library its build recorded.*npm run build:native/);
    fs.rmSync(`${copy}.json`);
    expect(bindNative(memory, copy)).toMatch(/build record\) is missing/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

/**
 * The one interface table (src/backend/wasm/interface.ts) against the built kernel library: every
 * function the module exports is in the table and the other way round, with the same number of
 * parameters, f32 exactly where the table says, and an i32 result exactly where it says. Read
 * from the binary itself (type, import, function and export sections), for both builds.
 */
import { describe, expect, it } from 'vitest';
import { EXPORTS, JOB_ARITY, JOB_FLOATS, JOB_KINDS, KIND, MAX_JOB_ARGS } from '../../../src/backend/wasm/interface.js';
import { libraryBytes, type Variant } from '../../../src/backend/wasm/library.js';

const VALTYPE: Record<number, string> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128' };

/** name → { params, results } of every exported function, from the module's sections. */
function exportedSignatures(bytes: Uint8Array): Map<string, { params: string[]; results: string[] }> {
  let at = 8; // magic and version
  const u32 = (): number => {
    let result = 0, shift = 0, b: number;
    do {
      b = bytes[at++];
      result |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    return result >>> 0;
  };
  const name = (): string => {
    const n = u32();
    const s = new TextDecoder().decode(bytes.subarray(at, at + n));
    at += n;
    return s;
  };
  const types: { params: string[]; results: string[] }[] = [];
  const funcTypes: number[] = []; // type index of every function, imported ones first
  const exported: [string, number][] = [];
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = u32();
    const end = at + size;
    if (id === 1) {
      for (let i = 0, n = u32(); i < n; i++) {
        expect(bytes[at++]).toBe(0x60);
        const params = Array.from({ length: u32() }, () => VALTYPE[bytes[at++]]);
        const results = Array.from({ length: u32() }, () => VALTYPE[bytes[at++]]);
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let i = 0, n = u32(); i < n; i++) {
        name();
        name();
        const kind = bytes[at++];
        if (kind === 0) funcTypes.push(u32());
        else if (kind === 2) {
          const flags = bytes[at++];
          u32();
          if (flags & 1) u32();
        } else throw new Error(`unexpected import kind ${kind}`);
      }
    } else if (id === 3) {
      for (let i = 0, n = u32(); i < n; i++) funcTypes.push(u32());
    } else if (id === 7) {
      for (let i = 0, n = u32(); i < n; i++) {
        const nm = name();
        const kind = bytes[at++];
        const index = u32();
        if (kind === 0) exported.push([nm, index]);
      }
    }
    at = end;
  }
  return new Map(exported.map(([nm, index]) => [nm, types[funcTypes[index]]]));
}

describe.each(['simd', 'relaxed'] as Variant[])('the %s build', (variant) => {
  const actual = exportedSignatures(libraryBytes(variant));

  it('exports exactly the functions of the table', () => {
    expect([...actual.keys()].sort()).toEqual(EXPORTS.map((e) => e.name).sort());
  });

  it.each(EXPORTS.map((e) => [e.name, e] as const))('%s: arity, f32 slots and result as the table says', (nm, spec) => {
    const sig = actual.get(nm);
    expect(sig, `${nm} is not exported`).toBeDefined();
    expect(sig!.params.length).toBe(spec.arity);
    expect(sig!.params.flatMap((t, i) => (t === 'f32' ? [i] : []))).toEqual(spec.floats);
    expect(sig!.params.every((t) => t === 'i32' || t === 'f32')).toBe(true);
    expect(sig!.results).toEqual(spec.returns === 'i32' ? ['i32'] : []);
  });
});

describe('the job tables the worker pool is built from', () => {
  it('derive from the table: kinds in order, arity before the workspace, float slots', () => {
    expect(JOB_KINDS.map((k) => KIND[k])).toEqual(JOB_KINDS.map((_, i) => i));
    expect(KIND.sgemm).toBe(0);
    expect(JOB_ARITY[KIND.sgemm]).toBe(13); // sgemm's 14 parameters end with its workspace
    expect(JOB_ARITY[KIND.geluN]).toBe(3); // no workspace
    expect(JOB_FLOATS[KIND.sgemm]).toEqual([3, 10]); // alpha, beta
    expect(JOB_FLOATS[KIND.layerNormRows]).toEqual([5]); // eps
    expect(MAX_JOB_ARGS).toBe(Math.max(...JOB_ARITY));
  });
});

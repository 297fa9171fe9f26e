// seqnet's WebAssembly kernel library: one module holding every kernel the fast path calls
// (products, recurrent gates and timestep loops, element-wise transcendentals, softmax and
// attention rows, layer norm, the conv-pool gradient), sharing one imported memory.
// Built by `npm run build:wasm` twice from this source: wasm/kernels.wasm (SIMD) and
// wasm/kernels-relaxed.wasm (relaxed SIMD: the multiply-adds become FMA instructions), both
// committed. Its exports are listed once, with their arity and f32 slots, in
// src/backend/wasm/interface.ts; a test checks that list against this module.
export * from './sgemm';
export * from './gates';
export * from './seq';
export * from './elementwise';
export * from './attention';
export * from './norm';
export * from './attn_loop';
export * from './convpool';
export * from './seq_loop';
export * from './attn_decode';
export * from './decode_loop';
export * from './block_loop';

// Reading a kernel's block of i32 arguments (the timestep loops', the decoding block's): slot i of
// the block at p, as an i32 or as a byte pointer.

// @ts-ignore: decorator
@inline
export function arg(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline
export function ptr(p: usize, i: i32): usize {
  return <usize>load<i32>(p + (<usize>i << 2));
}

// The kernels' reads of their memory (both kernels import them): every argument is a byte address and an index.

// f[n]: an entry of a table of doubles (n·log2 n and its kin).
@inline export function F(f: usize, n: i32): f64 {
  return load<f64>(f + (<usize>n << 3));
}

// An int32 of an array.
@inline export function I(p: usize, k: i32): i32 {
  return load<i32>(p + (<usize>k << 2));
}

// A double of an array.
@inline export function D(p: usize, k: i32): f64 {
  return load<f64>(p + (<usize>k << 3));
}

// A count cell of a table of 16- or 32-bit cells.
@inline export function C<T>(cells: usize, k: usize): i32 {
  return <i32>load<T>(cells + (k << alignof<T>()));
}

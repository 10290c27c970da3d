// The uniform parameters of the matmul kernels (matmul.wgsl, matmul_subgroup.wgsl).
struct Params {
  m: u32,
  n: u32,
  k: u32,
  stride_a: u32, // elements between batches (0 broadcasts)
  stride_b: u32,
  stride_c: u32,
}

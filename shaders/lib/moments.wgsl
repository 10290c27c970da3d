// Normalisation statistics shared by norm.wgsl and lconv.wgsl. The including shader defines
//   fn moment_load(key: u32, l: u32) -> f32   // value l (of n) of the row or column `key`

// (mean, sum of squared deviations from it) of the n values of `key`: two passes in f32, so no
// cancellation from E[x²] − E[x]².
fn moments(key: u32, n: u32) -> vec2f {
  var s = 0.0;
  for (var l = 0u; l < n; l++) {
    s += moment_load(key, l);
  }
  let mean = s / f32(n);
  var sq = 0.0;
  for (var l = 0u; l < n; l++) {
    let d = moment_load(key, l) - mean;
    sq = fma(d, d, sq);
  }
  return vec2f(mean, sq);
}

// 1 / standard deviation from the sum of squared deviations of n values: the variance divides
// by n, or by n − 1 when `unbiased` (torch.std); eps goes inside the square root, or is added to
// the standard deviation when `eps_on_std` (SCLN).
fn inv_std(sq: f32, n: u32, eps: f32, unbiased: bool, eps_on_std: bool) -> f32 {
  let v = sq / select(f32(n), f32(max(n, 2u) - 1u), unbiased);
  if (eps_on_std) {
    return 1.0 / (sqrt(v) + eps);
  }
  return inverseSqrt(v + eps);
}

// Normalisation over one axis of a tensor viewed as [outer, L, inner]: for every (o, i) the L
// values x[o, l, i] are shifted by their mean and divided by their standard deviation, then
// optionally scaled and shifted per channel.
//   layer norm, channels-first [B, C, T]: outer B, L = C, inner T  (gamma/beta indexed by l)
//   layer norm, last dim [..., C]:        outer …, L = C, inner 1  (gamma/beta indexed by l)
//   instance norm [B, C, T]:              outer B·C, L = T, inner 1 (gamma/beta indexed by o mod C)
// Two passes over the data (mean, then the sum of squared deviations) in f32: no cancellation
// from E[x²] − E[x]².
//
// Entry points:
//   cols: one invocation per (o, i) walks its L values serially (no barriers; best when inner > 1
//         or when there are many short rows).
//   rows: one workgroup per row (inner must be 1), WG invocations stride over L and combine
//         their partial sums in workgroup memory (long rows: instance norm over time).

#include "lib/index.wgsl"
#include "lib/moments.wgsl"
#include "lib/wg_reduce.wgsl"

override WG: u32 = 64;          // power of two, ≤ 256
override GAMMA: bool = false;   // multiply by gamma
override BETA: bool = false;    // add beta
override AFFINE_BY_ROW: bool = false; // gamma/beta indexed by (o mod channels) instead of l
override UNBIASED: bool = false;      // variance divides by L − 1 (torch.std) instead of L
override EPS_ON_STD: bool = false;    // (x − μ) / (σ + eps) instead of (x − μ) / sqrt(σ² + eps)

struct Params {
  outer: u32,
  len: u32,
  inner: u32,
  channels: u32, // for AFFINE_BY_ROW
  eps: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

fn inv_scale(sq: f32) -> f32 {
  return inv_std(sq, p.len, p.eps, UNBIASED, EPS_ON_STD);
}

// For lib/moments.wgsl: value l of the column starting at `base` (stride inner).
fn moment_load(base: u32, l: u32) -> f32 {
  return x[base + l * p.inner];
}

fn affine(v: f32, o: u32, l: u32) -> f32 {
  let k = select(l, o % p.channels, AFFINE_BY_ROW);
  var r = v;
  if (GAMMA) { r *= gamma[k]; }
  if (BETA) { r += beta[k]; }
  return r;
}

@compute @workgroup_size(WG)
fn cols(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = flat(gid, nwg);
  if (idx >= p.outer * p.inner) { return; }
  let ob = axis_column(idx, p.len, p.inner);
  let o = ob.x;
  let base = ob.y;
  let ms = moments(base, p.len);
  let mean = ms.x;
  let r = inv_scale(ms.y);
  for (var l = 0u; l < p.len; l++) {
    let at = base + l * p.inner;
    y[at] = affine((x[at] - mean) * r, o, l);
  }
}

@compute @workgroup_size(WG)
fn rows(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let o = wg.x + wg.y * nwg.x;   // uniform across the workgroup
  let lid = lid3.x;
  let valid = o < p.outer;
  let base = min(o, p.outer - 1u) * p.len;
  var s = 0.0;
  for (var l = lid; l < p.len; l += WG) {
    s += x[base + l];
  }
  let mean = wg_sum(s, lid) / f32(p.len);
  var sq = 0.0;
  for (var l = lid; l < p.len; l += WG) {
    let d = x[base + l] - mean;
    sq = fma(d, d, sq);
  }
  let r = inv_scale(wg_sum(sq, lid));
  if (!valid) { return; }
  for (var l = lid; l < p.len; l += WG) {
    y[base + l] = affine((x[base + l] - mean) * r, o, l);
  }
}

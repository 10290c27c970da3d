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
  let n = select(f32(p.len), f32(max(p.len, 2u) - 1u), UNBIASED);
  let v = sq / n;
  if (EPS_ON_STD) {
    return 1.0 / (sqrt(v) + p.eps);
  }
  return inverseSqrt(v + p.eps);
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
  let idx = gid.x + gid.y * nwg.x * WG;
  if (idx >= p.outer * p.inner) { return; }
  let o = idx / p.inner;
  let i = idx - o * p.inner;
  let base = o * p.len * p.inner + i;
  var s = 0.0;
  for (var l = 0u; l < p.len; l++) {
    s += x[base + l * p.inner];
  }
  let mean = s / f32(p.len);
  var sq = 0.0;
  for (var l = 0u; l < p.len; l++) {
    let d = x[base + l * p.inner] - mean;
    sq = fma(d, d, sq);
  }
  let r = inv_scale(sq);
  for (var l = 0u; l < p.len; l++) {
    let at = base + l * p.inner;
    y[at] = affine((x[at] - mean) * r, o, l);
  }
}

var<workgroup> red: array<f32, 256>;

fn wg_sum(v: f32, lid: u32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half >>= 1u) {
    if (lid < half) {
      red[lid] += red[lid + half];
    }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier(); // everyone has read red[0] before the next reduction overwrites it
  return total;
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

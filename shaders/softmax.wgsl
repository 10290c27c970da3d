// Softmax over the last dim of [R, L]: y[r, :] = softmax(scale · x[r, :]) with masked positions
// (mask value 0, read as raw bits so f32, i32 and u32 masks all work; -0.0 counts as 0) replaced by
// `mask_value` after scaling, or, with EXCLUDE, left out of the sum entirely (−∞ semantics: they get
// probability 0, and a row with no unmasked position is all zeros rather than NaN).
// The mask has `mask_rows` rows (1 broadcasts one [L] mask over all rows); row r uses r mod mask_rows.
// Numerically stable: one pass for the running max and rescaled sum (online softmax), one to write.
//
// Entry points: `serial` one invocation per row (no barriers; many rows); `wg` one workgroup per
// row with a workgroup reduction (few long rows).

#include "lib/index.wgsl"

override WG: u32 = 64;       // power of two, ≤ 256
override MASK: bool = false;
override EXCLUDE: bool = false; // masked positions count as −∞ (else as mask_value)

struct Params {
  rows: u32,
  len: u32,
  mask_rows: u32,
  scale: f32,
  mask_value: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<u32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

const NEG_BIG: f32 = -3.0e38;

fn masked(r: u32, l: u32) -> bool {
  if (!MASK) { return false; }
  return (mask[(r % p.mask_rows) * p.len + l] & 0x7fffffffu) == 0u;
}

// The score of position l, or NEG_BIG for an excluded position.
fn score(r: u32, l: u32) -> f32 {
  if (masked(r, l)) {
    return select(p.mask_value, NEG_BIG, EXCLUDE);
  }
  return x[r * p.len + l] * p.scale;
}

// Running (max, sum of exp(v − max)) merged with one more value.
fn push(ms: vec2f, v: f32) -> vec2f {
  if (v <= NEG_BIG) { return ms; }
  if (v <= ms.x) {
    return vec2f(ms.x, ms.y + exp(v - ms.x));
  }
  return vec2f(v, ms.y * exp(ms.x - v) + 1.0);
}

fn merge(a: vec2f, b: vec2f) -> vec2f {
  if (b.y == 0.0) { return a; }
  if (a.y == 0.0) { return b; }
  let m = max(a.x, b.x);
  return vec2f(m, a.y * exp(a.x - m) + b.y * exp(b.x - m));
}

fn write_row(r: u32, l: u32, ms: vec2f) {
  let v = score(r, l);
  var out = 0.0;
  if (v > NEG_BIG && ms.y > 0.0) {
    out = exp(v - ms.x) / ms.y;
  }
  y[r * p.len + l] = out;
}

@compute @workgroup_size(WG)
fn serial(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = flat(gid, nwg);
  if (r >= p.rows) { return; }
  var ms = vec2f(NEG_BIG, 0.0);
  for (var l = 0u; l < p.len; l++) {
    ms = push(ms, score(r, l));
  }
  for (var l = 0u; l < p.len; l++) {
    write_row(r, l, ms);
  }
}

var<workgroup> red: array<vec2f, 256>;

@compute @workgroup_size(WG)
fn wg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let r0 = wid.x + wid.y * nwg.x; // uniform across the workgroup
  let lid = lid3.x;
  let r = min(r0, p.rows - 1u);
  var ms = vec2f(NEG_BIG, 0.0);
  for (var l = lid; l < p.len; l += WG) {
    ms = push(ms, score(r, l));
  }
  red[lid] = ms;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half >>= 1u) {
    if (lid < half) {
      red[lid] = merge(red[lid], red[lid + half]);
    }
    workgroupBarrier();
  }
  let total = red[0];
  if (r0 >= p.rows) { return; }
  for (var l = lid; l < p.len; l += WG) {
    write_row(r, l, total);
  }
}

// Reduction over one axis of x viewed as [outer, n, inner] → y [outer, inner]: sum, mean or max.
// Entry points: `cols` one invocation per output walks its n values serially (strided by inner;
// no barriers), `rows` one workgroup per output when inner = 1 and n is long.

#include "lib/index.wgsl"
#include "lib/wg_reduce.wgsl"

override WG: u32 = 64;  // power of two, ≤ 256
override OP: u32 = 0;   // 0 sum, 1 mean, 2 max

struct Params {
  outer: u32,
  len: u32,
  inner: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

fn combine(a: f32, b: f32) -> f32 {
  if (OP == 2u) { return max(a, b); }
  return a + b;
}

fn identity() -> f32 {
  return select(0.0, -3.4028234e38, OP == 2u);
}

fn finish(s: f32) -> f32 {
  if (OP == 1u) { return s / f32(p.len); }
  return s;
}

@compute @workgroup_size(WG)
fn cols(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = flat(gid, nwg);
  if (idx >= p.outer * p.inner) { return; }
  let base = axis_column(idx, p.len, p.inner).y;
  var s = identity();
  for (var l = 0u; l < p.len; l++) {
    s = combine(s, x[base + l * p.inner]);
  }
  y[idx] = finish(s);
}

@compute @workgroup_size(WG)
fn rows(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let o = wg.x + wg.y * nwg.x; // uniform across the workgroup
  let lid = lid3.x;
  let base = min(o, p.outer - 1u) * p.len;
  var s = identity();
  for (var l = lid; l < p.len; l += WG) {
    s = combine(s, x[base + l]);
  }
  var total: f32;
  if (OP == 2u) { total = wg_max(s, lid); } else { total = wg_sum(s, lid); }
  if (lid == 0u && o < p.outer) {
    y[o] = finish(total);
  }
}

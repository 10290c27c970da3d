// Strided copy of a rank-4 region: for every coordinate c of the region (shape r0×r1×r2×r3),
//   dst[dst_base + Σ c_k·ds_k] = src[src_base + Σ c_k·ss_k]
// with signed source strides (flip) and an optional window on one axis outside which the
// destination gets a constant instead (pad). Values are moved as raw 32-bit words, so every
// dtype works. concat, slice, permute, flip and pad are all one or a few dispatches of it.

#include "lib/index.wgsl"

override WG: u32 = 256;
override PAD: bool = false;

struct Params {
  count: u32,          // r0·r1·r2·r3
  r1: u32, r2: u32, r3: u32,
  src_base: i32,
  ss0: i32, ss1: i32, ss2: i32, ss3: i32,
  dst_base: u32,
  ds0: u32, ds1: u32, ds2: u32, ds3: u32,
  pad_axis: u32,       // 0..3
  pad_lo: u32,         // source valid for pad_lo ≤ c[pad_axis] < pad_hi
  pad_hi: u32,
  pad_value: u32,      // bits of the constant
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(WG)
fn copy(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.count) { return; }
  let c3 = i % p.r3;
  let q3 = i / p.r3;
  let c2 = q3 % p.r2;
  let q2 = q3 / p.r2;
  let c1 = q2 % p.r1;
  let c0 = q2 / p.r1;
  let c = vec4u(c0, c1, c2, c3);
  let at = p.dst_base + c0 * p.ds0 + c1 * p.ds1 + c2 * p.ds2 + c3 * p.ds3;
  if (PAD) {
    let k = c[min(p.pad_axis, 3u)];
    if (k < p.pad_lo || k >= p.pad_hi) {
      dst[at] = p.pad_value;
      return;
    }
  }
  let s = p.src_base + i32(c0) * p.ss0 + i32(c1) * p.ss1 + i32(c2) * p.ss2 + i32(c3) * p.ss3;
  dst[at] = src[u32(s)];
}

// Embedding lookup: y[n, d] = table[ids[n], d] · scale, or channels-first y[d, n] (TRANSPOSE).
// Rows of y may be wider than D: the embedding goes to columns [col_off, col_off + D) of rows
// `row_stride` wide (Flowtron's speaker vector beside the text encoding).
// One invocation per output element. An id outside [0, V) yields zeros (the op checks host ids
// before upload and names the bad one; this keeps a bad device-side id from reading out of bounds).

#include "lib/index.wgsl"

override WG: u32 = 256;
override TRANSPOSE: bool = false;

struct Params {
  count: u32, // N ids
  dim: u32,   // D
  vocab: u32, // V
  scale: f32,
  row_stride: u32, // elements per row of y (D unless writing into columns of a wider tensor)
  col_off: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> ids: array<i32>;
@group(0) @binding(2) var<storage, read> table: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG)
fn embedding(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.count * p.dim) { return; }
  var n: u32;
  var d: u32;
  var at: u32;
  if (TRANSPOSE) {
    d = i / p.count;
    n = i - d * p.count;
    at = i;
  } else {
    n = i / p.dim;
    d = i - n * p.dim;
    at = n * p.row_stride + p.col_off + d;
  }
  let id = ids[n];
  var v = 0.0;
  if (id >= 0 && u32(id) < p.vocab) {
    v = table[u32(id) * p.dim + d] * p.scale;
  }
  y[at] = v;
}

// Scaled dot-product multi-head attention, one invocation per (head, query):
//   p = softmax(scale · q·kᵀ) over keys j < kv_len (keys at or past kv_len are masked, as a key
//   padding mask with −inf does), out = p · v; optionally the probabilities are written too.
// q, k, v and out are addressed through (offset, channel stride, time stride), so channels-first
// [H·D, T] and time-major [T, H·D] tensors (or q/k/v slices of one fused projection) all work;
// channel h·D + i is element i of head h.
// Two passes over the keys (max, then exp-sum with the weighted values accumulated in registers),
// no shared memory and no barriers (cheap on CPU drivers).

#include "lib/index.wgsl"

override WG: u32 = 64;
override PROBS: bool = false;
const MAX_DV: u32 = 128u;

struct Params {
  heads: u32,
  tq: u32,
  tk: u32,
  dk: u32,
  dv: u32,
  kv_len: u32,
  scale: f32,
  q_off: u32, q_cs: u32, q_ts: u32,
  k_off: u32, k_cs: u32, k_ts: u32,
  v_off: u32, v_cs: u32, v_ts: u32,
  o_cs: u32, o_ts: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read_write> o: array<f32>;
@group(0) @binding(5) var<storage, read_write> probs: array<f32>; // [H, Tq, Tk]

fn score(h: u32, t: u32, j: u32) -> f32 {
  var s = 0.0;
  let qb = p.q_off + h * p.dk * p.q_cs + t * p.q_ts;
  let kb = p.k_off + h * p.dk * p.k_cs + j * p.k_ts;
  for (var i = 0u; i < p.dk; i++) {
    s = fma(q[qb + i * p.q_cs], k[kb + i * p.k_cs], s);
  }
  return s * p.scale;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = flat(gid, nwg);
  if (idx >= p.heads * p.tq) { return; }
  let h = idx / p.tq;
  let t = idx % p.tq;
  let n = min(p.kv_len, p.tk);
  var m = -3.4e38;
  for (var j = 0u; j < n; j++) { m = max(m, score(h, t, j)); }
  var acc: array<f32, MAX_DV>;
  for (var d = 0u; d < p.dv; d++) { acc[d] = 0.0; }
  var sum = 0.0;
  let vb = p.v_off + h * p.dv * p.v_cs;
  for (var j = 0u; j < n; j++) {
    let w = exp(score(h, t, j) - m);
    sum += w;
    let vj = vb + j * p.v_ts;
    for (var d = 0u; d < p.dv; d++) {
      acc[d] = fma(w, v[vj + d * p.v_cs], acc[d]);
    }
  }
  let inv = 1.0 / sum;
  let ob = h * p.dv * p.o_cs + t * p.o_ts;
  for (var d = 0u; d < p.dv; d++) {
    o[ob + d * p.o_cs] = acc[d] * inv;
  }
  if (PROBS) {
    let pb = (h * p.tq + t) * p.tk;
    for (var j = 0u; j < p.tk; j++) {
      var w = 0.0;
      if (j < n) { w = exp(score(h, t, j) - m) * inv; }
      probs[pb + j] = w;
    }
  }
}

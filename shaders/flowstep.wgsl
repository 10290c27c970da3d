// Glow-style flow steps on channels-first [C, T] tensors (Glow-TTS decoder), one invocation per
// output element (flat index = gid.x + gid.y · num_workgroups.x · WG).
//
// `squeeze`:   y[s·C + c, t] = x[c, n·t + s]            ([C, T] → [C·n, T/n])
// `unsqueeze`: y[c, n·t + s] = x[s·C + c, t]            ([C·n, T] → [C, T·n])
// `actnorm_invconv`: ActNorm and the grouped invertible 1x1 conv (InvConvNear) in one pass.
//   Channels form C/n_split groups; group g's split index s ∈ [0, n_split) is channel
//   (s / (n_split/2))·(C/2) + g·(n_split/2) + s % (n_split/2). Every group uses the same
//   n_split×n_split matrix W. Forward (training direction): a = bias + exp(logs)·x, y = W·a.
//   Reverse: a = W⁻¹·x (pass the inverse), y = (a − bias)·exp(−logs).
// (The affine coupling is coupling.wgsl's, with the sigmoid scale.)
// `expand`: length-regulated prior sample z[c, t] = m[c, idx[t]] + exp(logs[c, idx[t]])·noise[c, t]·scale.
// Frames at or past `length` are written as 0 (the mask).

#include "lib/index.wgsl"

override WG: u32 = 256;
override REVERSE: bool = true;
override LOGS: bool = true;

struct SqzParams {
  c: u32,      // channels of the unsqueezed side
  t: u32,      // frames of the squeezed side
  n: u32,      // n_sqz
  src_t: u32,  // frames per source row (squeeze; ≥ t·n, extra trailing frames are dropped)
}

@group(0) @binding(0) var<uniform> sp: SqzParams;
@group(0) @binding(1) var<storage, read> sx: array<f32>;
@group(0) @binding(2) var<storage, read_write> sy: array<f32>;

@compute @workgroup_size(WG)
fn squeeze(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = flat(gid, nwg);
  let total = sp.c * sp.n * sp.t;
  if (idx >= total) { return; }
  let row = idx / sp.t;      // s·C + c
  let t = idx % sp.t;
  let s = row / sp.c;
  let c = row % sp.c;
  sy[idx] = sx[c * sp.src_t + sp.n * t + s];
}

@compute @workgroup_size(WG)
fn unsqueeze(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = flat(gid, nwg);
  let tn = sp.t * sp.n;
  if (idx >= sp.c * tn) { return; }
  let c = idx / tn;
  let tt = idx % tn;
  let t = tt / sp.n;
  let s = tt % sp.n;
  sy[idx] = sx[(s * sp.c + c) * sp.t + t];
}

struct FlowParams {
  c: u32,
  t: u32,
  length: u32,
  n_split: u32,
}

@group(0) @binding(0) var<uniform> fp: FlowParams;
@group(0) @binding(1) var<storage, read> fx: array<f32>;
@group(0) @binding(2) var<storage, read> flogs: array<f32>; // [C]
@group(0) @binding(3) var<storage, read> fbias: array<f32>; // [C]
@group(0) @binding(4) var<storage, read> fw: array<f32>;    // [n_split, n_split]
@group(0) @binding(5) var<storage, read_write> fy: array<f32>;

fn split_channel(g: u32, s: u32) -> u32 {
  let hs = fp.n_split / 2u;
  return (s / hs) * (fp.c / 2u) + g * hs + s % hs;
}

@compute @workgroup_size(WG)
fn actnorm_invconv(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = flat(gid, nwg);
  if (idx >= fp.c * fp.t) { return; }
  let ch = idx / fp.t;
  let t = idx % fp.t;
  if (t >= fp.length) {
    fy[idx] = 0.0;
    return;
  }
  let hs = fp.n_split / 2u;
  let half = fp.c / 2u;
  let a = ch / half;
  let rem = ch % half;
  let g = rem / hs;
  let s = a * hs + rem % hs;
  var acc = 0.0;
  for (var k = 0u; k < fp.n_split; k++) {
    let src = split_channel(g, k);
    var v = fx[src * fp.t + t];
    if (!REVERSE) { v = fbias[src] + exp(flogs[src]) * v; }
    acc = fma(fw[s * fp.n_split + k], v, acc);
  }
  if (REVERSE) { acc = (acc - fbias[ch]) * exp(-flogs[ch]); }
  fy[idx] = acc;
}

struct ExpandParams {
  c: u32,
  tx: u32,
  t: u32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> ep: ExpandParams;
@group(0) @binding(1) var<storage, read> em: array<f32>;    // [C, tx]
@group(0) @binding(2) var<storage, read> elogs: array<f32>; // [C, tx]
@group(0) @binding(3) var<storage, read> eidx: array<i32>;  // [t]
@group(0) @binding(4) var<storage, read> enoise: array<f32>; // [C, t]
@group(0) @binding(5) var<storage, read_write> ez: array<f32>;

@compute @workgroup_size(WG)
fn expand(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = flat(gid, nwg);
  if (idx >= ep.c * ep.t) { return; }
  let c = idx / ep.t;
  let t = idx % ep.t;
  let i = eidx[t];
  if (i < 0 || u32(i) >= ep.tx) {
    ez[idx] = 0.0;
    return;
  }
  let src = c * ep.tx + u32(i);
  var ls = 0.0;
  if (LOGS) { ls = elogs[src]; }
  ez[idx] = em[src] + exp(ls) * enoise[idx] * ep.scale;
}

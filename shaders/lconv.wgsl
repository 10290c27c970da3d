// Kernels of the (SCLN-)LConv blocks of XSpkEmoTrans, all on channels-first [C, T] tensors:
//  - lconv: fairseq LightweightConv (depthwise conv over time, one kernel per head shared by a
//    contiguous group of C/H channels, taps softmax-normalised over K, left padding pad_l)
//  - glu: nn.GLU over channels, x[:C] * sigmoid(x[C:])
//  - chnorm: a per-frame normalisation over channels, either nn.LayerNorm (biased variance, eps
//    inside the square root, per-channel gamma/beta) or SCLN (unbiased std, eps added to the std,
//    per-channel gain/bias taken from a speaker-conditioned vector), optionally of x + residual
//  - gather_cols: y[:, t] = x[:, idx[t]] (length regulation: repeat each frame d_i times)
// One invocation per output element (per frame for chnorm); flat index = gid.x + gid.y * nwg.x * WG.

#include "lib/activations.wgsl"
#include "lib/index.wgsl"
#include "lib/moments.wgsl"

override WG: u32 = 64;
override WEIGHT_SOFTMAX: bool = true;
override RESIDUAL: bool = false;
override SCLN: bool = false; // chnorm: false = LayerNorm, true = SCLN

struct LconvParams {
  channels: u32,
  frames: u32,
  heads: u32,
  taps: u32,
  pad_l: u32,
}

@group(0) @binding(0) var<uniform> lp: LconvParams;
@group(0) @binding(1) var<storage, read> lx: array<f32>;
@group(0) @binding(2) var<storage, read> lw: array<f32>;  // [H, K] (torch [H, 1, K])
@group(0) @binding(3) var<storage, read> lres: array<f32>;
@group(0) @binding(4) var<storage, read_write> ly: array<f32>;

@compute @workgroup_size(WG)
fn lconv(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= lp.channels * lp.frames) { return; }
  let c = i / lp.frames;
  let t = i % lp.frames;
  let h = c / (lp.channels / lp.heads);
  let wbase = h * lp.taps;
  var wmax = -3.4e38;
  var wsum = 1.0;
  if (WEIGHT_SOFTMAX) {
    for (var k = 0u; k < lp.taps; k++) { wmax = max(wmax, lw[wbase + k]); }
    wsum = 0.0;
    for (var k = 0u; k < lp.taps; k++) { wsum += exp(lw[wbase + k] - wmax); }
  }
  var acc = 0.0;
  let row = c * lp.frames;
  for (var k = 0u; k < lp.taps; k++) {
    let src = i32(t) + i32(k) - i32(lp.pad_l);
    if (src < 0 || src >= i32(lp.frames)) { continue; }
    var w = lw[wbase + k];
    if (WEIGHT_SOFTMAX) { w = exp(w - wmax) / wsum; }
    acc = fma(w, lx[row + u32(src)], acc);
  }
  if (RESIDUAL) { acc += lres[i]; }
  ly[i] = acc;
}

struct GluParams {
  channels: u32, // output channels C (input has 2C)
  frames: u32,
}

@group(0) @binding(0) var<uniform> gp: GluParams;
@group(0) @binding(1) var<storage, read> gx: array<f32>;
@group(0) @binding(2) var<storage, read_write> gy: array<f32>;

@compute @workgroup_size(WG)
fn glu(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  let n = gp.channels * gp.frames;
  if (i >= n) { return; }
  gy[i] = gx[i] * sigmoid(gx[i + n]);
}

struct NormParams {
  channels: u32,
  frames: u32,
  eps: f32,
  g_off: u32, // first gain element in ng
  b_off: u32, // first bias element in nb
}

@group(0) @binding(0) var<uniform> np: NormParams;
@group(0) @binding(1) var<storage, read> nx: array<f32>;
@group(0) @binding(2) var<storage, read> nr: array<f32>;
@group(0) @binding(3) var<storage, read> ng: array<f32>;
@group(0) @binding(4) var<storage, read> nb: array<f32>;
@group(0) @binding(5) var<storage, read_write> ny: array<f32>;

fn nload(c: u32, t: u32) -> f32 {
  let i = c * np.frames + t;
  if (RESIDUAL) { return nx[i] + nr[i]; }
  return nx[i];
}

// For lib/moments.wgsl: channel c of frame t.
fn moment_load(t: u32, c: u32) -> f32 {
  return nload(c, t);
}

@compute @workgroup_size(WG)
fn chnorm(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = flat(gid, nwg);
  if (t >= np.frames) { return; }
  let ms = moments(t, np.channels);
  let mean = ms.x;
  // LayerNorm: biased variance, eps inside the square root; SCLN: unbiased std + eps.
  let inv = inv_std(ms.y, np.channels, np.eps, SCLN, SCLN);
  for (var c = 0u; c < np.channels; c++) {
    let y = (nload(c, t) - mean) * inv;
    ny[c * np.frames + t] = fma(ng[np.g_off + c], y, nb[np.b_off + c]);
  }
}

struct GatherParams {
  channels: u32,
  frames_in: u32,
  frames_out: u32,
}

@group(0) @binding(0) var<uniform> cp: GatherParams;
@group(0) @binding(1) var<storage, read> cx: array<f32>;
@group(0) @binding(2) var<storage, read> cidx: array<i32>;
@group(0) @binding(3) var<storage, read_write> cy: array<f32>;

@compute @workgroup_size(WG)
fn gather_cols(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= cp.channels * cp.frames_out) { return; }
  let c = i / cp.frames_out;
  let t = i % cp.frames_out;
  let src = u32(clamp(cidx[t], 0, i32(cp.frames_in) - 1));
  cy[i] = cx[c * cp.frames_in + src];
}

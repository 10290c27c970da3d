// Flow plumbing: the affine coupling of every flow model here (WaveGlow, Glow-TTS, Flowtron:
// both directions, either half order, channels-first or time-major), and the pieces of
// WaveGlow around its flows: the upsampled-and-squeezed conditioning and the channels-to-samples
// interleave of the output. (WaveNet's residual/skip update is in wavenet.wgsl.)
// One thread per output element; flat index = global x + global y * (num_workgroups.x * WG).

#include "lib/index.wgsl"
#include "lib/activations.wgsl"

override WG: u32 = 256;
override REVERSE: bool = true; // (x1 - shift) * exp(-logs); false: x1 * exp(logs) + shift
override MASK: bool = false;   // multiply the transformed rows by a per-frame mask
override SIGMOID_SCALE: bool = false; // logs = log(1e-6 + sigmoid(logs + 2)) (Glow-TTS sigmoid_scale)
override TIME_MAJOR: bool = false;    // x [T, C] and stats [T, S] instead of [C, T] and [S, T]

// ---- affine coupling ---------------------------------------------------------------------
// y = x, except rows [x1_start, x1_start + n1), which are transformed with shift row
// shift_row + j and log-scale row scale_row + j of `stats` (row j of x1). "Row" is a channel:
// time-major tensors hold one frame per row, so a channel is a column there.

struct CouplingParams {
  channels: u32,
  frames: u32,
  x1_start: u32,
  n1: u32,
  shift_row: u32,
  scale_row: u32,
  stats_rows: u32, // S (the time-major stride of stats)
}

@group(0) @binding(0) var<uniform> cp: CouplingParams;
@group(0) @binding(1) var<storage, read> cx: array<f32>;
@group(0) @binding(2) var<storage, read> cstats: array<f32>;
@group(0) @binding(3) var<storage, read> cmask: array<f32>;
@group(0) @binding(4) var<storage, read_write> cy: array<f32>;

@compute @workgroup_size(WG)
fn coupling(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= cp.channels * cp.frames) { return; }
  var c: u32;
  var t: u32;
  if (TIME_MAJOR) {
    t = i / cp.channels;
    c = i - t * cp.channels;
  } else {
    c = i / cp.frames;
    t = i - c * cp.frames;
  }
  let x = cx[i];
  if (c < cp.x1_start || c >= cp.x1_start + cp.n1) {
    cy[i] = x;
    return;
  }
  let j = c - cp.x1_start;
  var b: f32;
  var s: f32;
  if (TIME_MAJOR) {
    b = cstats[t * cp.stats_rows + cp.shift_row + j];
    s = cstats[t * cp.stats_rows + cp.scale_row + j];
  } else {
    b = cstats[(cp.shift_row + j) * cp.frames + t];
    s = cstats[(cp.scale_row + j) * cp.frames + t];
  }
  if (SIGMOID_SCALE) {
    s = log(1e-6 + sigmoid(s + 2.0));
  }
  var v: f32;
  if (REVERSE) {
    v = (x - b) * exp(-s);
  } else {
    v = x * exp(s) + b;
  }
  if (MASK) {
    v *= cmask[t];
  }
  cy[i] = v;
}

// ---- WaveGlow conditioning: ConvTranspose1d upsample, trim, unfold by n_group ------------------
// cond[co·G + j, tt] = y[co, (t0 + tt)·G + j], with y = upsample(mel) (weight [Cin, Cout, K],
// stride S, no padding; samples past S·frames are trimmed, so only o < S·frames is ever read).

struct UpsampleParams {
  mels: u32,    // Cin = Cout
  frames: u32,  // mel frames
  stride: u32,
  ksize: u32,
  group: u32,
  t0: u32,      // first group step of this window
  len: u32,     // group steps in this window
  dst: u32,     // element of ucond that row 0 starts at
}

@group(0) @binding(0) var<uniform> upp: UpsampleParams;
@group(0) @binding(1) var<storage, read> umel: array<f32>;
@group(0) @binding(2) var<storage, read> uw: array<f32>;
@group(0) @binding(3) var<storage, read> ub: array<f32>;
@group(0) @binding(4) var<storage, read_write> ucond: array<f32>;

@compute @workgroup_size(WG)
fn upsample(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  let rows = upp.mels * upp.group;
  if (i >= rows * upp.len) { return; }
  let row = i / upp.len;
  let tt = i - row * upp.len;
  let co = row / upp.group;
  let j = row - co * upp.group;
  let o = (upp.t0 + tt) * upp.group + j;
  // Input frames t with 0 <= o - S·t < K.
  let t_hi = min(o / upp.stride, upp.frames - 1u);
  var t_lo = 0u;
  if (o + 1u > upp.ksize) {
    t_lo = (o + 1u - upp.ksize + upp.stride - 1u) / upp.stride;
  }
  var acc = ub[co];
  for (var t = t_lo; t <= t_hi; t++) {
    let k = o - upp.stride * t;
    for (var ci = 0u; ci < upp.mels; ci++) {
      acc = fma(umel[ci * upp.frames + t], uw[(ci * upp.mels + co) * upp.ksize + k], acc);
    }
  }
  ucond[upp.dst + i] = acc;
}

// ---- channels to samples ---------------------------------------------------------------------
// out[dst + (t - c0)·C + c] = x[c, t] for t in [c0, c0 + n): WaveGlow's permute(0, 2, 1).view(-1)
// of a time window, written into the whole utterance.

struct InterleaveParams {
  channels: u32,
  frames: u32,
  c0: u32,
  n: u32,
  dst: u32,
}

@group(0) @binding(0) var<uniform> ip: InterleaveParams;
@group(0) @binding(1) var<storage, read> ix: array<f32>;
@group(0) @binding(2) var<storage, read_write> iy: array<f32>;

@compute @workgroup_size(WG)
fn interleave(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= ip.channels * ip.n) { return; }
  let tt = i / ip.channels;
  let c = i - tt * ip.channels;
  iy[ip.dst + i] = ix[c * ip.frames + ip.c0 + tt];
}

// 1-D convolution (PyTorch Conv1d) and transposed convolution (ConvTranspose1d), as implicit
// GEMMs with the register-tiled, barrier-free structure of matmul.wgsl.
//
// conv1d:           M = Cout/groups (rows), N = Tout (cols), K = Cin/groups · kernel.
// conv_transpose1d: polyphase. Output t, with u = t + padding = q·stride + r, only receives taps
//                   k = r + j·stride from input q − j, so each phase r is an ordinary correlation
//                   over q; x runs over phases, y over blocks of q, z over (batch, group, rows).
// Each invocation accumulates a TM×TN block (lib/conv_tile.wgsl): rows (output channels)
// strided by WG_Y, cols (time) by WG_X, so neighbouring invocations read neighbouring addresses
// of x, and no barrier is needed. With WG_Y = 1 the weight loads are uniform across the
// workgroup (see matmul.wgsl for why that matters on CPU drivers); the ops pick the tile per
// adapter and shape.
//
// Fusions for residual stacks (HiFi-GAN's resblocks): PRE_LEAKY applies a leaky ReLU to every
// input value as it is loaded, RESIDUAL adds `res` (shaped like y) after the activation.

#include "lib/activations.wgsl"

override WG_X: u32 = 8;
override WG_Y: u32 = 8;
override TM: u32 = 4; // rows per invocation (≤ 16)
override TN: u32 = 4; // cols per invocation (≤ 8)
override BIAS: bool = false;
override ACT: u32 = 0; // 0 none, 1 relu, 2 tanh, 3 sigmoid
override PRE_LEAKY: bool = false;
override PRE_SLOPE: f32 = 0.1;
override RESIDUAL: bool = false;

struct Params {
  cout_g: u32,   // output channels per group (M)
  tout: u32,     // output length
  cin_g: u32,    // input channels per group
  ksz: u32,      // kernel size
  tin: u32,      // input length
  stride: u32,
  dil: u32,      // conv1d: dilation
  pad: u32,      // conv1d: left padding; transpose: padding
  groups: u32,
  ncols: u32,    // transpose: q positions per phase
  col_base: u32, // conv1d: first output position of this dispatch (long inputs take several)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<wtype>; // f32 or f16 (src/gpu/precision.ts)
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read> res: array<f32>;

#include "lib/conv_fusions.wgsl"

#include "lib/conv_tile.wgsl"

// y[b, co, t] = bias[co] + Σ_{ci, k} w[co, ci, k] · x[b, ci, t·stride + k·dil − pad]
@compute @workgroup_size(WG_X, WG_Y)
fn conv1d(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let g = wg.z % p.groups;
  let b = wg.z / p.groups;
  let cin = p.cin_g * p.groups;
  let cout = p.cout_g * p.groups;
  let x_base = (b * cin + g * p.cin_g) * p.tin;
  let w_row = p.cin_g * p.ksz;
  let w_base = g * p.cout_g * w_row;
  // Row blocks vary fastest (x): consecutive workgroups share their input columns.
  let row0 = wg.x * WG_Y * TM + select(lid.y, 0u, WG_Y == 1u);
  let col0 = p.col_base + wg.y * WG_X * TN + lid.x;
  var wrows: array<u32, 16>;
  var pos: array<i32, 8>;
  for (var i = 0u; i < TM; i++) {
    wrows[i] = w_base + min(row0 + i * WG_Y, p.cout_g - 1u) * w_row;
  }
  for (var j = 0u; j < TN; j++) {
    pos[j] = i32(min(col0 + j * WG_X, p.tout - 1u) * p.stride) - i32(p.pad);
  }
  var acc: array<f32, 128>;
  conv_tile(&acc, wrows, pos, ConvTaps(x_base, p.cin_g, p.tin, p.ksz, i32(p.dil), p.ksz, 1u));
  let y_base = (b * cout + g * p.cout_g) * p.tout;
  for (var i = 0u; i < TM; i++) {
    let r = row0 + i * WG_Y;
    if (r >= p.cout_g) { break; }
    for (var j = 0u; j < TN; j++) {
      let col = col0 + j * WG_X;
      if (col >= p.tout) { break; }
      store(y_base + r * p.tout + col, g * p.cout_g + r, acc[i * TN + j]);
    }
  }
}

// y[b, co, t] = bias[co] + Σ_{ci, k : t + pad = i·stride + k} w[ci, co, k] · x[b, ci, i]
@compute @workgroup_size(WG_X, WG_Y)
fn conv_transpose1d(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  // Phases vary fastest (x), so workgroups that run one after another read neighbouring
  // weights w[ci, co, r + j·stride] (the same cache lines); z runs over (batch, group, rows).
  let r = wg.x;
  let row_blocks = (p.cout_g + WG_Y * TM - 1u) / (WG_Y * TM);
  let bg = wg.z / row_blocks;
  let g = bg % p.groups;
  let b = bg / p.groups;
  let cin = p.cin_g * p.groups;
  let cout = p.cout_g * p.groups;
  let s = i32(p.stride);
  // First q whose output t = q·stride + r − pad is ≥ 0: ceil((pad − r) / stride).
  let num = i32(p.pad) - i32(r);
  let qlo = select(-((-num) / s), (num + s - 1) / s, num >= 0);
  // Taps of this phase: k = r + j·stride < ksz.
  let taps = select(0u, (p.ksz - r + p.stride - 1u) / p.stride, r < p.ksz);
  let x_base = (b * cin + g * p.cin_g) * p.tin;
  let w_ci = p.cout_g * p.ksz; // weight stride between input channels
  let w_base = g * p.cin_g * w_ci;
  let row0 = (wg.z % row_blocks) * WG_Y * TM + select(lid.y, 0u, WG_Y == 1u);
  let col0 = wg.y * WG_X * TN + lid.x;
  var wrows: array<u32, 16>;
  var q: array<i32, 8>;
  for (var i = 0u; i < TM; i++) {
    wrows[i] = w_base + min(row0 + i * WG_Y, p.cout_g - 1u) * p.ksz + r;
  }
  for (var j = 0u; j < TN; j++) {
    q[j] = qlo + i32(min(col0 + j * WG_X, p.ncols - 1u));
  }
  var acc: array<f32, 128>;
  // Tap jt of phase r is kernel index r + jt·stride and reads input q − jt.
  conv_tile(&acc, wrows, q, ConvTaps(x_base, p.cin_g, p.tin, taps, -1, w_ci, p.stride));
  let y_base = (b * cout + g * p.cout_g) * p.tout;
  for (var i = 0u; i < TM; i++) {
    let row = row0 + i * WG_Y;
    if (row >= p.cout_g) { break; }
    for (var j = 0u; j < TN; j++) {
      let col = col0 + j * WG_X;
      if (col >= p.ncols) { break; }
      let t = (qlo + i32(col)) * s + i32(r) - i32(p.pad);
      if (t < 0 || t >= i32(p.tout)) { continue; }
      store(y_base + row * p.tout + u32(t), g * p.cout_g + row, acc[i * TN + j]);
    }
  }
}

// A WaveNet layer (WaveGlow's and Glow-TTS's WN) in two dispatches, each an implicit GEMM on
// the register tiles of lib/conv_tile.wgsl with the layer's elementwise work in its epilogue.
//
// gated_conv: acts[r, t] = tanh(a[r, t]) · sigmoid(a[H + r, t]) for r < H, with
//   a = bias + in_layer ⊛ h (kernel K, dilation d, zero padding `pad`) + cond_w · cond.
//   x holds h in rows [0, H) and the conditioning in rows [H, H + Cc) (Cc = 0: none), and w is
//   [2H, H·K + Cc]: the in_layer weight and the layer's cond_layer rows side by side, so both
//   sums land in one accumulator. An invocation's TM tile rows are TM/2 rows r of the tanh half
//   and the same rows H + r of the sigmoid half, so the gate is applied in registers.
// res_skip: v = w · acts + bias with w [R + S, H]: rows r < R add to h in place (the residual),
//   rows R + s go to skip row s, assigned (FIRST) or added.
//
// Each invocation covers TN columns strided by WG_X; rows blocks vary fastest over x.

override WG_X: u32 = 16;
override WG_Y: u32 = 1;
override TM: u32 = 8; // tile rows (gated_conv: even, half per gate half; ≤ 16)
override TN: u32 = 8; // columns per invocation (≤ 8)
override FIRST: bool = false;

#include "lib/activations.wgsl"

#include "lib/wavenet_common.wgsl"

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<wtype>; // f32 or f16 (src/gpu/precision.ts)
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;    // gated_conv: acts; res_skip: h
@group(0) @binding(5) var<storage, read_write> skip: array<f32>; // res_skip only

fn conv_input(v: f32) -> f32 {
  return v;
}

#include "lib/conv_tile.wgsl"

fn tile_cols(col0: u32, shift: u32) -> array<i32, 8> {
  var pos: array<i32, 8>;
  for (var j = 0u; j < TN; j++) {
    pos[j] = i32(min(col0 + j * WG_X, p.frames - 1u)) - i32(shift);
  }
  return pos;
}

@compute @workgroup_size(WG_X, WG_Y)
fn gated_conv(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let half = TM / 2u;
  let row0 = wg.x * WG_Y * half + select(lid.y, 0u, WG_Y == 1u);
  let col0 = wg.y * WG_X * TN + lid.x;
  let w_row = p.hidden * p.ksz + p.cond_rows;
  var wrows: array<u32, 16>;
  for (var i = 0u; i < half; i++) {
    let r = min(row0 + i * WG_Y, p.hidden - 1u);
    wrows[i] = r * w_row;
    wrows[half + i] = (p.hidden + r) * w_row;
  }
  var acc: array<f32, 128>;
  conv_tile(&acc, wrows, tile_cols(col0, p.pad), ConvTaps(0u, p.hidden, p.frames, p.ksz, i32(p.dil), p.ksz, 1u));
  if (p.cond_rows > 0u) {
    for (var i = 0u; i < TM; i++) {
      wrows[i] += p.hidden * p.ksz;
    }
    conv_tile(&acc, wrows, tile_cols(col0, 0u), ConvTaps(p.hidden * p.frames, p.cond_rows, p.frames, 1u, 0, 1u, 0u));
  }
  for (var i = 0u; i < half; i++) {
    let r = row0 + i * WG_Y;
    if (r >= p.hidden) { break; }
    for (var j = 0u; j < TN; j++) {
      let col = col0 + j * WG_X;
      if (col >= p.frames) { break; }
      let a = acc[i * TN + j] + bias[r];
      let b = acc[(half + i) * TN + j] + bias[p.hidden + r];
      y[r * p.frames + col] = safe_tanh(a) * sigmoid(b);
    }
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn res_skip(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let rows = p.res_rows + p.skip_rows;
  let row0 = wg.x * WG_Y * TM + select(lid.y, 0u, WG_Y == 1u);
  let col0 = wg.y * WG_X * TN + lid.x;
  var wrows: array<u32, 16>;
  for (var i = 0u; i < TM; i++) {
    wrows[i] = min(row0 + i * WG_Y, rows - 1u) * p.hidden;
  }
  var acc: array<f32, 128>;
  conv_tile(&acc, wrows, tile_cols(col0, 0u), ConvTaps(0u, p.hidden, p.frames, 1u, 0, 1u, 0u));
  for (var i = 0u; i < TM; i++) {
    let r = row0 + i * WG_Y;
    if (r >= rows) { break; }
    for (var j = 0u; j < TN; j++) {
      let col = col0 + j * WG_X;
      if (col >= p.frames) { break; }
      let v = acc[i * TN + j] + bias[r];
      store_res_skip(r, col, v);
    }
  }
}

// The WaveNet layer of wavenet.wgsl for CPU drivers with subgroups (lavapipe), with the weights
// stored transposed so that 4 consecutive output channels are one vec4 (matmul_subgroup.wgsl
// says why every load is a vec4 or is shared by subgroupShuffle on these drivers).
//
// The accumulation is lib/subgroup_tile.wgsl's: a workgroup is one subgroup and owns SG·CH
// columns (time steps); lane l owns the output channels 4·q … 4·q + 3 of two channel groups q.
//
// gated_conv: acts[r, t] = tanh(a[r, t]) · sigmoid(a[H + r, t]) for r < H, with
//   a = bias + in_layer ⊛ h (kernel K, dilation d, zero padding `pad`) + cond_w · cond.
//   x holds h in rows [0, H) and the conditioning in rows [H, H + Cc); w is [H·K + Cc, 2H]: row
//   ci·K + k holds tap k of input channel ci for every output channel, rows H·K + j the
//   conditioning row j. Lane l's group q = wg.x·SG + l: channels 4q… of the tanh half and the
//   same channels of the sigmoid half, so the gate is applied in registers.
// res_skip: v = w · acts + bias with w [H, R + S rounded up to 4] (transposed, zero padded);
//   lane l owns channel groups q = (wg.x·RG + g)·SG + l, g < RG; channels r < R add to h in
//   place (the residual), channels R + s go to skip row s, assigned (FIRST) or added.
// H must be a multiple of 4.

enable subgroups;

#include "lib/activations.wgsl"

override SG: u32 = 8;  // lanes per subgroup = workgroup size
override CH: u32 = 4;  // column groups of SG per workgroup (SG·CH ≤ 32)
override FIRST: bool = false;
const RG: u32 = 2;     // channel groups per lane: the two gate halves; res_skip: 8 channels

#include "lib/wavenet_common.wgsl"

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<vec4f>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;    // gated_conv: acts; res_skip: h
@group(0) @binding(5) var<storage, read_write> skip: array<f32>; // res_skip only

fn conv_input(v: f32) -> f32 {
  return v;
}

#include "lib/subgroup_tile.wgsl"

@compute @workgroup_size(SG)
fn gated_conv(@builtin(workgroup_id) wg: vec3u, @builtin(subgroup_invocation_id) lane: u32) {
  let h4 = p.hidden / 4u;
  let q = min(wg.x * SG + lane, h4 - 1u); // this lane's channel group (clamped: dropped at the store)
  let t0 = wg.y * SG * CH;
  var acc: array<vec4f, 64>; // [tanh half | sigmoid half][column]
  let hk = p.hidden * p.ksz;
  sg_tile(&acc, array<u32, 2>(q, h4 + q), t0, lane, SgTaps(hk + p.cond_rows, hk, p.ksz, p.dil, i32(p.pad), p.hidden, p.frames, 0u, 2u * h4));
  if (wg.x * SG + lane >= h4) { return; }
  for (var col = 0u; col < SG * CH; col++) {
    let t = t0 + col;
    if (t >= p.frames) { break; }
    for (var s = 0u; s < 4u; s++) {
      let r = 4u * q + s;
      y[r * p.frames + t] = safe_tanh(acc[col][s] + bias[r]) * sigmoid(acc[SG * CH + col][s] + bias[p.hidden + r]);
    }
  }
}

@compute @workgroup_size(SG)
fn res_skip(@builtin(workgroup_id) wg: vec3u, @builtin(subgroup_invocation_id) lane: u32) {
  let rows = p.res_rows + p.skip_rows;
  let rows4 = (rows + 3u) / 4u;
  let t0 = wg.y * SG * CH;
  var qs: array<u32, 2>;
  for (var g = 0u; g < RG; g++) {
    qs[g] = min((wg.x * RG + g) * SG + lane, rows4 - 1u);
  }
  var acc: array<vec4f, 64>; // [g][column]
  sg_tile(&acc, qs, t0, lane, SgTaps(p.hidden, p.hidden, 1u, 0u, 0, 0u, p.frames, 0u, rows4));
  for (var g = 0u; g < RG; g++) {
    if ((wg.x * RG + g) * SG + lane >= rows4) { break; }
    for (var col = 0u; col < SG * CH; col++) {
      let t = t0 + col;
      if (t >= p.frames) { break; }
      for (var s = 0u; s < 4u; s++) {
        let r = 4u * qs[g] + s;
        if (r >= rows) { break; }
        let v = acc[g * SG * CH + col][s] + bias[r];
        store_res_skip(r, t, v);
      }
    }
  }
}

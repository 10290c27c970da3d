// conv.wgsl's conv1d (stride 1, one group) for CPU drivers with subgroups (lavapipe), on the
// weight stored transposed: w [Cin·K, Cout rounded up to 4], row ci·K + k holding tap k of input
// channel ci for every output channel (src/ops/subgroup.ts). The accumulation is
// lib/subgroup_tile.wgsl's: a workgroup is one subgroup of SG lanes and owns SG·CH output
// positions; lane l owns the output channels of the two vec4 groups (wg.x·2 + g)·SG + l.
// The same fusions as conv.wgsl: a leaky ReLU on the loads (PRE_LEAKY), bias, activation and a
// residual added after it.

enable subgroups;

#include "lib/activations.wgsl"

override SG: u32 = 8;  // lanes per subgroup = workgroup size
override CH: u32 = 4;  // column groups of SG per workgroup (SG·CH ≤ 32)
override BIAS: bool = false;
override ACT: u32 = 0; // 0 none, 1 relu, 2 tanh, 3 sigmoid
override PRE_LEAKY: bool = false;
override PRE_SLOPE: f32 = 0.1;
override RESIDUAL: bool = false;
const RG: u32 = 2;     // channel groups of 4 per lane

struct Params {
  cout: u32,
  tout: u32,
  cin: u32,
  ksz: u32,
  tin: u32,
  dil: u32,
  pad: u32,      // left padding
  col_base: u32, // first output position of this dispatch (long inputs take several)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<vec4f>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read> res: array<f32>;

#include "lib/conv_fusions.wgsl"

#include "lib/subgroup_tile.wgsl"

// y[b, co, t] = bias[co] + Σ_{ci, k} w[ci·K + k, co] · x[b, ci, t + k·dil − pad]
@compute @workgroup_size(SG)
fn conv1d(@builtin(workgroup_id) wg: vec3u, @builtin(subgroup_invocation_id) lane: u32) {
  let c4 = (p.cout + 3u) / 4u;
  let t0 = p.col_base + wg.y * SG * CH;
  var qs: array<u32, 2>;
  for (var g = 0u; g < RG; g++) {
    qs[g] = min((wg.x * RG + g) * SG + lane, c4 - 1u);
  }
  var acc: array<vec4f, 64>; // [g][column]
  let hk = p.cin * p.ksz;
  sg_tile(&acc, qs, t0, lane, SgTaps(hk, hk, p.ksz, p.dil, i32(p.pad), 0u, p.tin, wg.z * p.cin * p.tin, c4));
  let y_base = wg.z * p.cout * p.tout;
  for (var g = 0u; g < RG; g++) {
    if ((wg.x * RG + g) * SG + lane >= c4) { break; }
    for (var col = 0u; col < SG * CH; col++) {
      let t = t0 + col;
      if (t >= p.tout) { break; }
      for (var s = 0u; s < 4u; s++) {
        let co = 4u * qs[g] + s;
        if (co >= p.cout) { break; }
        store(y_base + co * p.tout + t, co, acc[g * SG * CH + col][s]);
      }
    }
  }
}

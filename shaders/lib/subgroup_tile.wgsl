// The accumulation loop of the subgroup convolutions (wavenet_subgroup.wgsl, conv_subgroup.wgsl)
// for CPU drivers, where every storage load is done lane by lane (matmul_subgroup.wgsl says why
// each load is a vec4 or is shared by subgroupShuffle there).
//
// A workgroup is one subgroup of SG lanes and owns C = SG·CH output columns (time steps t0 + c).
// The weights are stored transposed, one row per reduction index rr holding every output
// channel (vec4s of 4 channels). Lane l owns RG channel groups (vec4 offsets wq[g] in a weight
// row); per rr it loads those RG vec4s and CH input values (columns t0 + h·SG + l), and
// shuffles the inputs to every lane:
//
//   acc[g·C + c] += w[rr·wrow + wq[g]] · conv_input(x[x_base + row(rr)·tin + t0 + c + shift(rr)])
//
// where rr < hk is tap rr % ksz of input row rr / ksz (shift (rr % ksz)·dil − pad) and
// rr ≥ hk is the unshifted row cond_row0 + rr − hk (WaveNet's conditioning rows); inputs outside
// [0, tin) read 0.
//
// The includer declares `x: array<f32>`, `w: array<vec4f>`, the overrides SG, CH and RG
// (RG·SG·CH ≤ 64: the tile's loops must unroll for it to stay in registers), and
// `fn conv_input(v: f32) -> f32`.

struct SgTaps {
  rows: u32,      // reduction rows (hk + conditioning rows)
  hk: u32,        // shifted rows: input channels · ksz
  ksz: u32,
  dil: u32,
  pad: i32,       // left padding
  cond_row0: u32, // input row of the first conditioning row
  tin: u32,       // input length (also the stride between input rows)
  x_base: u32,
  wrow: u32,      // vec4s per weight row
}

fn sg_tile(acc: ptr<function, array<vec4f, 64>>, wq: array<u32, 2>, t0: u32, lane: u32, s: SgTaps) {
  let tn = i32(s.tin);
  // Input row and tap of rr < hk, stepped rather than divided: CPU drivers divide lane by lane.
  var row = 0u;
  var tap = 0u;
  for (var rr = 0u; rr < s.rows; rr++) {
    let cond = rr >= s.hk;
    let shift = select(i32(tap * s.dil) - s.pad, 0, cond);
    var wv: array<vec4f, 2>;
    for (var g = 0u; g < RG; g++) {
      wv[g] = w[rr * s.wrow + wq[g]];
    }
    let xr = s.x_base + select(row, rr - s.hk + s.cond_row0, cond) * s.tin;
    for (var h = 0u; h < CH; h++) {
      let t = i32(t0 + h * SG + lane) + shift;
      let xv = select(0.0, conv_input(x[xr + u32(clamp(t, 0, tn - 1))]), t >= 0 && t < tn);
      for (var i = 0u; i < SG; i++) {
        let xs = vec4f(subgroupShuffle(xv, i));
        for (var g = 0u; g < RG; g++) {
          let at = g * SG * CH + h * SG + i;
          (*acc)[at] = fma(wv[g], xs, (*acc)[at]);
        }
      }
    }
    let wrap = tap + 1u == s.ksz;
    row = select(row, row + 1u, wrap);
    tap = select(tap + 1u, 0u, wrap);
  }
}

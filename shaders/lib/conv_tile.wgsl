// The register-tile loop of the implicit-GEMM convolutions (conv.wgsl, wavenet.wgsl). One call
// adds to an invocation's tile of TM (≤ 16) output rows × TN (≤ 8) columns:
//
//   acc[i·TN + j] += Σ_{k < taps} Σ_{ci < cin} w[wrows[i] + ci·w_ci + k·w_tap]
//                                            · conv_input(x[x_base + ci·tin + pos[j] + k·x_step])
//
// where an input position pos[j] + k·x_step outside [0, tin) reads 0 (padding). Taps are the
// outer loop, so each column's bounds are worked out once per tap and the long channel loop is
// the inner one. No barriers and no workgroup memory: with one invocation row per workgroup the
// weight loads are uniform, the CPU drivers' cheap case (matmul.wgsl says why).
//
// The includer declares the storage arrays `x` and `w` (of f32 or f16: read through f32()), `override TM: u32` and `override TN: u32`
// (the trip counts must be constants: a row count passed as an argument stops the loops from
// unrolling, and the tile leaves registers: 2× slower on lavapipe), and
// `fn conv_input(v: f32) -> f32` (a pre-activation fused into the load, or the identity).

struct ConvTaps {
  x_base: u32, // first element of input channel 0
  cin: u32,    // input channels
  tin: u32,    // input length (also the stride between input channels)
  taps: u32,
  x_step: i32, // input position step per tap (dilation; −1 for the transposed conv's phases)
  w_ci: u32,   // weight stride between input channels
  w_tap: u32,  // weight stride between taps
}

fn conv_tile(acc: ptr<function, array<f32, 128>>, wrows: array<u32, 16>, pos: array<i32, 8>, s: ConvTaps) {
  let tin = i32(s.tin);
  for (var k = 0u; k < s.taps; k++) {
    let off = i32(k) * s.x_step;
    var tx: array<u32, 8>;
    var ok: array<bool, 8>;
    for (var j = 0u; j < TN; j++) {
      let t = pos[j] + off;
      tx[j] = s.x_base + u32(clamp(t, 0, tin - 1));
      ok[j] = t >= 0 && t < tin;
    }
    let wk = k * s.w_tap;
    for (var ci = 0u; ci < s.cin; ci++) {
      let xr = ci * s.tin;
      let wc = ci * s.w_ci + wk;
      var bv: array<f32, 8>;
      for (var j = 0u; j < TN; j++) {
        bv[j] = select(0.0, conv_input(x[tx[j] + xr]), ok[j]);
      }
      for (var i = 0u; i < TM; i++) {
        let wv = f32(w[wrows[i] + wc]);
        for (var j = 0u; j < TN; j++) {
          (*acc)[i * TN + j] = fma(wv, bv[j], (*acc)[i * TN + j]);
        }
      }
    }
  }
}

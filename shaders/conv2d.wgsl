// Kernels of the XSpkEmoTrans reference encoder.
//  - main: 2-D convolution (one input image [Cin, H, W], weight [Cout, Cin, KH, KW], stride,
//    zero padding) with a per-channel affine epilogue y = acc·scale[c] + shift[c] (a conv bias,
//    or an eval-mode BatchNorm folded with it), then an optional ReLU. The output is written
//    through strides, so [Cout, Ho, Wo] and the encoder's [Ho, Cout, Wo] both come out directly.
// One invocation per output element; flat index = gid.x + gid.y * nwg.x * WG.

#include "lib/index.wgsl"

override WG: u32 = 64;
override SCALE: bool = false; // multiply by scale[c] before adding shift[c]
override RELU: bool = false;

struct Params {
  cin: u32, h: u32, w: u32,
  cout: u32, ho: u32, wo: u32,
  kh: u32, kw: u32,
  sh: u32, sw: u32,
  ph: u32, pw: u32,
  dh: u32, dw: u32,
  y_cs: u32, y_hs: u32, y_ws: u32, // output strides (channel, row, column)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> wt: array<f32>;
@group(0) @binding(3) var<storage, read> scale: array<f32>;
@group(0) @binding(4) var<storage, read> shift: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.cout * p.ho * p.wo) { return; }
  let ow = i % p.wo;
  let oh = (i / p.wo) % p.ho;
  let c = i / (p.wo * p.ho);
  let ih0 = i32(oh * p.sh) - i32(p.ph);
  let iw0 = i32(ow * p.sw) - i32(p.pw);
  var acc = 0.0;
  for (var ci = 0u; ci < p.cin; ci++) {
    let xb = ci * p.h * p.w;
    let wb = (c * p.cin + ci) * p.kh * p.kw;
    for (var a = 0u; a < p.kh; a++) {
      let ih = ih0 + i32(a * p.dh);
      if (ih < 0 || ih >= i32(p.h)) { continue; }
      for (var b = 0u; b < p.kw; b++) {
        let iw = iw0 + i32(b * p.dw);
        if (iw < 0 || iw >= i32(p.w)) { continue; }
        acc = fma(x[xb + u32(ih) * p.w + u32(iw)], wt[wb + a * p.kw + b], acc);
      }
    }
  }
  var v = acc;
  if (SCALE) { v = v * scale[c]; }
  v += shift[c];
  if (RELU) { v = max(v, 0.0); }
  y[c * p.y_cs + oh * p.y_hs + ow * p.y_ws] = v;
}

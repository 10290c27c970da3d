// Kernels of the XSpkEmoTrans reference encoder.
//  - main: 2-D convolution (one input image [Cin, H, W], weight [Cout, Cin, KH, KW], stride,
//    zero padding) with a per-channel affine epilogue y = acc·scale[c] + shift[c] (a conv bias,
//    or an eval-mode BatchNorm folded with it), then an optional ReLU. The output is written
//    through strides, so [Cout, Ho, Wo] and the encoder's [Ho, Cout, Wo] both come out directly.
//  - gru_cell: one step of torch.nn.GRU (gate order r, z, n) for one sequence, one invocation
//    per hidden unit: gi = W_ih·x + b_ih is precomputed for every step (one matmul), this adds
//    W_hh·h + b_hh and the gates.
// One invocation per output element; flat index = gid.x + gid.y * nwg.x * WG.

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
  let i = gid.x + gid.y * nwg.x * WG;
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

struct GruParams {
  hidden: u32,
  gi_off: u32, // start of this step's row [3H] in gi
}

@group(0) @binding(0) var<uniform> gp: GruParams;
@group(0) @binding(1) var<storage, read> gi: array<f32>;   // [T, 3H]
@group(0) @binding(2) var<storage, read> hprev: array<f32>; // [H]
@group(0) @binding(3) var<storage, read> whh: array<f32>;   // [3H, H]
@group(0) @binding(4) var<storage, read> bhh: array<f32>;   // [3H]
@group(0) @binding(5) var<storage, read_write> hnext: array<f32>;

fn sigmoid(v: f32) -> f32 {
  if (v >= 0.0) {
    return 1.0 / (1.0 + exp(-v));
  }
  let e = exp(v);
  return e / (1.0 + e);
}

@compute @workgroup_size(WG)
fn gru_cell(@builtin(global_invocation_id) gid: vec3u) {
  let j = gid.x;
  let hn = gp.hidden;
  if (j >= hn) { return; }
  var ghr = bhh[j];
  var ghz = bhh[hn + j];
  var ghn = bhh[2u * hn + j];
  for (var k = 0u; k < hn; k++) {
    let hk = hprev[k];
    ghr = fma(whh[j * hn + k], hk, ghr);
    ghz = fma(whh[(hn + j) * hn + k], hk, ghz);
    ghn = fma(whh[(2u * hn + j) * hn + k], hk, ghn);
  }
  let r = sigmoid(gi[gp.gi_off + j] + ghr);
  let z = sigmoid(gi[gp.gi_off + hn + j] + ghz);
  let n = tanh(clamp(gi[gp.gi_off + 2u * hn + j] + r * ghn, -10.0, 10.0));
  hnext[j] = (1.0 - z) * n + z * hprev[j];
}

// Counter-based standard normals: Philox4x32-10 (Salmon et al., SC'11) keyed by the 64-bit seed,
// counter = the 64-bit index of a group of 4 outputs, then Box–Muller on its 4 words. Element n of
// the stream (n = offset + i) is word n mod 4 of block ⌊n / 4⌋, so any offset / length split of a
// stream gives the same values, and two draws with disjoint [offset, offset + count) never overlap.
// Integer math is exact everywhere. log, cos and sin are computed here with polynomials (WGSL
// only bounds the built-ins loosely, e.g. cos/sin to 2^-11 absolute, and SwiftShader's really are
// that coarse), so the normals agree across drivers to a few f32 ulps.

#include "lib/index.wgsl"

override WG: u32 = 256;

struct Params {
  count: u32,
  off_lo: u32,   // offset, 64-bit
  off_hi: u32,
  key_lo: u32,   // seed, 64-bit
  key_hi: u32,
  scale: f32,
  shift: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read_write> bits_out: array<u32>;

// Full 32×32 → 64-bit product as (hi, lo), from 16-bit halves.
fn mulhilo(a: u32, b: u32) -> vec2u {
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let b0 = b & 0xffffu;
  let b1 = b >> 16u;
  let p00 = a0 * b0;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let p11 = a1 * b1;
  let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  let hi = p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
  return vec2u(hi, a * b);
}

fn philox4x32_10(ctr_in: vec4u, key_in: vec2u) -> vec4u {
  var c = ctr_in;
  var k = key_in;
  for (var r = 0u; r < 10u; r++) {
    let p0 = mulhilo(0xD2511F53u, c.x);
    let p1 = mulhilo(0xCD9E8D57u, c.z);
    c = vec4u(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    k += vec2u(0x9E3779B9u, 0xBB67AE85u);
  }
  return c;
}

// log(u) for u = k / 2^24 with the integer k = (w >> 8) + 1 in [1, 2^24] (so u in (0, 1], never 0):
// k = m · 2^(e+1) with m in [0.5, 1) exactly, log m = 2·atanh(s), s = (m − 1)/(m + 1) in [−1/3, 0).
fn log_unit(w: u32) -> f32 {
  let k = (w >> 8u) + 1u;
  let e = firstLeadingBit(k);
  let m = f32(k) / f32(2u << e);
  let s = (m - 1.0) / (m + 1.0);
  let s2 = s * s;
  let t = 2.0 / 3.0 + s2 * (2.0 / 5.0 + s2 * (2.0 / 7.0 + s2 * (2.0 / 9.0 + s2 * (2.0 / 11.0 + s2 * (2.0 / 13.0)))));
  let log_m = s * (2.0 + s2 * t);
  return log_m + f32(i32(e) - 23) * 0.6931471805599453;
}

// (cos θ, sin θ) for θ = q·π/2 + a: quadrant q from the top 2 bits of w, a = f·π/2 from the next
// 24 (f in (0, 1)), by Taylor polynomials on [0, π/2] (truncation < 6e-8).
fn cos_sin_unit(w: u32) -> vec2f {
  let f = (f32((w >> 6u) & 0xffffffu) + 0.5) * (1.0 / 16777216.0);
  let a = f * 1.5707963267948966;
  let a2 = a * a;
  let sn = a * (1.0 + a2 * (-1.0 / 6.0 + a2 * (1.0 / 120.0 + a2 * (-1.0 / 5040.0 + a2 * (1.0 / 362880.0 + a2 * (-1.0 / 39916800.0))))));
  let cs = 1.0 + a2 * (-0.5 + a2 * (1.0 / 24.0 + a2 * (-1.0 / 720.0 + a2 * (1.0 / 40320.0 + a2 * (-1.0 / 3628800.0 + a2 * (1.0 / 479001600.0))))));
  switch (w >> 30u) {
    case 0u: { return vec2f(cs, sn); }
    case 1u: { return vec2f(-sn, cs); }
    case 2u: { return vec2f(-cs, -sn); }
    default: { return vec2f(sn, -cs); }
  }
}

fn stream_index(i: u32) -> vec2u {
  // n = offset + i as 64 bits (lo, hi).
  let lo = p.off_lo + i;
  return vec2u(lo, p.off_hi + select(0u, 1u, lo < i));
}

fn block_of(n: vec2u) -> vec4u {
  let block = vec2u((n.x >> 2u) | (n.y << 30u), n.y >> 2u);
  return philox4x32_10(vec4u(block.x, block.y, 0u, 0u), vec2u(p.key_lo, p.key_hi));
}

// The raw 32-bit words of the stream (exact on every device).
@compute @workgroup_size(WG)
fn bits(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.count) { return; }
  let n = stream_index(i);
  bits_out[i] = block_of(n)[n.x & 3u];
}

@compute @workgroup_size(WG)
fn randn(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.count) { return; }
  let n = stream_index(i);
  let w = block_of(n);
  let word = n.x & 3u;
  // Box–Muller: words (0, 1) → normals 0, 1; words (2, 3) → normals 2, 3.
  let pair = select(w.xy, w.zw, word >= 2u);
  let r = sqrt(-2.0 * log_unit(pair.x));
  let cs = cos_sin_unit(pair.y);
  let z = r * select(cs.x, cs.y, (word & 1u) == 1u);
  y[i] = z * p.scale + p.shift;
}

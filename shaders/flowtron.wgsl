// Flowtron kernels: a fused LSTM cell, the fused
// additive attention (query projection, v·tanh(q + K_j)/temperature, softmax over the text,
// context, optional gate), matrix-vector products for the dense layers, and the inverse
// affine coupling (z − b)/exp(log_s) with log_s first, fused with its 1x1 conv. (The embedding,
// the forward coupling, flips and transposes are the shared gather/coupling/shape kernels.)
// Weights of the step kernels are stored transposed ([K, N]) so that neighbouring invocations
// read neighbouring addresses. Split-K (KSPLIT > 1) adds a workgroup reduction for GPUs; with
// KSPLIT = 1 no barrier is executed (CPU drivers pay heavily for them).

#include "lib/activations.wgsl"
#include "lib/wg_reduce.wgsl"

override WG: u32 = 64;      // workgroup size of the attention
override UNITS: u32 = 64;   // output units per workgroup of lstm_cell / matvec / affine_inv
override KSPLIT: u32 = 1;   // invocations that share one output unit (reduction over K)
override ACT: u32 = 0;      // matvec: 0 none, 1 tanh
override GATE: bool = false;
override SEQ: bool = false;

const MAX_RED: u32 = 256u;
const MAX_Q: u32 = 1024u;

// ---------------------------------------------------------------- fused LSTM cell
// gates = W·[x1 ; x2 ; h_in] + bias with W stored as vec4 [K1 + K2 + H, H] (the PyTorch gates
// i, f, g, o of unit j at row k side by side: one 16-byte load per 4 FMAs); c ← σ(f)·c + σ(i)·tanh(g) in place; h = σ(o)·tanh(c) written to
// h_out (and to seq when SEQ, e.g. a row of a sequence of outputs).
struct CellParams { h: u32, k1: u32, k2: u32, off1: u32, off2: u32, hin_off: u32, hout_off: u32, seq_off: u32 }
@group(0) @binding(0) var<uniform> pl: CellParams;
@group(0) @binding(1) var<storage, read> l_w: array<vec4f>;
@group(0) @binding(2) var<storage, read> l_b: array<f32>;
@group(0) @binding(3) var<storage, read> l_x1: array<f32>;
@group(0) @binding(4) var<storage, read> l_x2: array<f32>;
@group(0) @binding(5) var<storage, read> l_hin: array<f32>;
@group(0) @binding(6) var<storage, read_write> l_c: array<f32>;
@group(0) @binding(7) var<storage, read_write> l_hout: array<f32>;
@group(0) @binding(8) var<storage, read_write> l_seq: array<f32>;

var<workgroup> red4: array<vec4f, MAX_RED>;

fn wrow4(row: u32, j: u32, h: u32) -> vec4f {
  return l_w[row * h + j];
}

@compute @workgroup_size(UNITS, KSPLIT)
fn lstm_cell(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let h = pl.h;
  let j = min(wg.x * UNITS + lid.x, h - 1u); // clamped: out-of-range units compute and drop
  var acc = vec4f(0.0);
  for (var k = lid.y; k < pl.k1; k += KSPLIT) {
    acc = fma(wrow4(k, j, h), vec4f(l_x1[pl.off1 + k]), acc);
  }
  for (var k = lid.y; k < pl.k2; k += KSPLIT) {
    acc = fma(wrow4(pl.k1 + k, j, h), vec4f(l_x2[pl.off2 + k]), acc);
  }
  let r0 = pl.k1 + pl.k2;
  for (var k = lid.y; k < h; k += KSPLIT) {
    acc = fma(wrow4(r0 + k, j, h), vec4f(l_hin[pl.hin_off + k]), acc);
  }
  if (KSPLIT > 1u) {
    red4[lid.y * UNITS + lid.x] = acc;
    workgroupBarrier();
    if (lid.y == 0u) {
      for (var s = 1u; s < KSPLIT; s++) { acc += red4[s * UNITS + lid.x]; }
    }
  }
  if (lid.y != 0u || wg.x * UNITS + lid.x >= h) { return; }
  let g = acc + vec4f(l_b[j], l_b[h + j], l_b[2u * h + j], l_b[3u * h + j]);
  let c = sigmoid(g.y) * l_c[j] + sigmoid(g.x) * safe_tanh(g.z);
  l_c[j] = c;
  let hv = sigmoid(g.w) * safe_tanh(c);
  l_hout[pl.hout_off + j] = hv;
  if (SEQ) { l_seq[pl.seq_off + j] = hv; }
}

// ---------------------------------------------------------------- fused attention-LSTM step (GPUs)
// One kernel for: the previous step's 1x1 conv + inverse affine (recomputed by every workgroup,
// written by workgroup 0), the attention LSTM over that frame, and this workgroup's partial
// query Wq[:, units]·h[units] (summed by the attention kernel, qmode 2).
// w (read as vec4) packs [LSTM W (vec4 [M + H, H], as lstm_cell) ; Wqᵀ [H, A] at wq_off ; convᵀ [H, 2M] at conv_off ;
// conv bias [2M] at cb_off]. hout holds [h (H) ; partial queries (n_wg × A)].
struct FusedParams { h: u32, m: u32, a: u32, zoff: u32, ooff: u32, wq_off: u32, conv_off: u32, cb_off: u32, first: u32 }
@group(0) @binding(0) var<uniform> pq: FusedParams;
@group(0) @binding(1) var<storage, read> q_w: array<vec4f>;
@group(0) @binding(2) var<storage, read> q_b: array<f32>;
@group(0) @binding(3) var<storage, read> q_d: array<f32>;
@group(0) @binding(4) var<storage, read> q_z: array<f32>;
@group(0) @binding(5) var<storage, read> q_hin: array<f32>;
@group(0) @binding(6) var<storage, read_write> q_c: array<f32>;
@group(0) @binding(7) var<storage, read_write> q_hout: array<f32>;
@group(0) @binding(8) var<storage, read_write> q_out: array<f32>;

const MAX_M: u32 = 256u;

fn qw(i: u32) -> f32 {
  return q_w[i >> 2u][i & 3u];
}
var<workgroup> xs: array<f32, MAX_M>;
var<workgroup> hsh: array<f32, MAX_RED>;
var<workgroup> redf: array<vec4f, MAX_RED>;

@compute @workgroup_size(UNITS, KSPLIT)
fn attn_cell(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let h = pq.h;
  let m2 = 2u * pq.m;
  let tid = lid.y * UNITS + lid.x;
  let nt = UNITS * KSPLIT;
  // 1. The previous frame: (z − b)/exp(log_s) from the previous step's dense output.
  for (var m = tid; m < pq.m; m += nt) {
    var v = 0.0;
    if (pq.first == 0u) {
      var ls = qw(pq.cb_off + m);
      var bb = qw(pq.cb_off + pq.m + m);
      for (var k = 0u; k < h; k++) {
        let dk = q_d[k];
        ls = fma(qw(pq.conv_off + k * m2 + m), dk, ls);
        bb = fma(qw(pq.conv_off + k * m2 + pq.m + m), dk, bb);
      }
      v = (q_z[pq.zoff + m] - bb) / exp(ls);
      if (wg.x == 0u) { q_out[pq.ooff + m] = v; }
    }
    xs[m] = v;
  }
  workgroupBarrier();
  // 2. The LSTM cell over [x ; h_in].
  let unit = wg.x * UNITS + lid.x;
  let j = min(unit, h - 1u);
  var acc = vec4f(0.0);
  for (var k = lid.y; k < pq.m; k += KSPLIT) {
    acc = fma(q_w[k * h + j], vec4f(xs[k]), acc);
  }
  for (var k = lid.y; k < h; k += KSPLIT) {
    acc = fma(q_w[(pq.m + k) * h + j], vec4f(q_hin[k]), acc);
  }
  redf[tid] = acc;
  workgroupBarrier();
  if (lid.y == 0u) {
    for (var s = 1u; s < KSPLIT; s++) { acc += redf[s * UNITS + lid.x]; }
    var hv = 0.0;
    if (unit < h) {
      let g = acc + vec4f(q_b[j], q_b[h + j], q_b[2u * h + j], q_b[3u * h + j]);
      let c = sigmoid(g.y) * q_c[j] + sigmoid(g.x) * safe_tanh(g.z);
      q_c[j] = c;
      hv = sigmoid(g.w) * safe_tanh(c);
      q_hout[j] = hv;
    }
    hsh[lid.x] = hv;
  }
  workgroupBarrier();
  // 3. This workgroup's share of the query: Σ over its units of Wqᵀ[unit, a]·h[unit].
  let units = min(UNITS, h - min(h, wg.x * UNITS));
  for (var a = tid; a < pq.a; a += nt) {
    var q = 0.0;
    for (var u = 0u; u < units; u++) { q = fma(qw(pq.wq_off + (wg.x * UNITS + u) * pq.a + a), hsh[u], q); }
    q_hout[h + wg.x * pq.a + a] = q;
  }
}

// ---------------------------------------------------------------- additive attention
// One workgroup per query frame f = row0 + wg.x:
//   q = Wqᵀ·h (Wq stored [H, A]); qmode 1: q read from a_wq [frames, A] (a wider mat-vec computed it);
//   qmode 2: q = Σ_p a_wq[qoff + p·A + a] over nparts partial sums (from attn_cell); e_j = v·tanh(q + K_j)·inv_temp; α = softmax(e) → attn[f, :];
//   ctx = Σ_j α_j V_j → ctx; with GATE, gate[f] = w_g·[h ; ctx] + b_g.
// kv holds K and V side by side: [Tx, 2A]; small holds [v (A) ; w_g (H + A) ; b_g].
struct AttnParams { tx: u32, a: u32, h: u32, hoff: u32, hstride: u32, row0: u32, coff: u32, inv_temp: f32, qmode: u32, qoff: u32, nparts: u32, split: u32 }
@group(0) @binding(0) var<uniform> pa: AttnParams;
@group(0) @binding(1) var<storage, read> a_wq: array<f32>;
@group(0) @binding(2) var<storage, read> a_kv: array<f32>;
@group(0) @binding(3) var<storage, read> a_small: array<f32>;
@group(0) @binding(4) var<storage, read> a_h: array<f32>;
@group(0) @binding(5) var<storage, read_write> a_attn: array<f32>;
@group(0) @binding(6) var<storage, read_write> a_ctx: array<f32>;
@group(0) @binding(7) var<storage, read_write> a_gate: array<f32>;

var<workgroup> q_sh: array<f32, MAX_Q>;
// `red`, wg_max and wg_sum come from lib/wg_reduce.wgsl (WG ≤ MAX_RED).

@compute @workgroup_size(WG)
fn attention(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let tid = lid.x;
  let a = pa.a;
  let tx = pa.tx;
  let f = pa.row0 + wg.x;
  let hb = pa.hoff + wg.x * pa.hstride;
  for (var i = tid; i < a; i += WG) {
    if (pa.qmode == 1u) {
      q_sh[i] = a_wq[wg.x * a + i];
    } else if (pa.qmode == 2u) {
      var acc = 0.0;
      for (var p = 0u; p < pa.nparts; p++) { acc += a_wq[pa.qoff + p * a + i]; }
      q_sh[i] = acc;
    } else {
      var acc = 0.0;
      for (var k = 0u; k < pa.h; k++) { acc = fma(a_wq[k * a + i], a_h[hb + k], acc); }
      q_sh[i] = acc;
    }
  }
  workgroupBarrier();
  let arow = f * tx;
  var m = -3.0e38;
  if (pa.split > 1u) {
    // Short texts: `split` invocations share each token's score (split · tx ≤ WG, split a power of two).
    let j = tid / pa.split;
    let part = tid % pa.split;
    var e = 0.0;
    if (j < tx) {
      let kb = j * 2u * a;
      for (var i = part; i < a; i += pa.split) { e = fma(a_small[i], safe_tanh(q_sh[i] + a_kv[kb + i]), e); }
    }
    red[tid] = e;
    workgroupBarrier();
    for (var off = pa.split / 2u; off > 0u; off >>= 1u) {
      if (part < off) { red[tid] += red[tid + off]; }
      workgroupBarrier();
    }
    if (part == 0u && j < tx) {
      e = red[tid] * pa.inv_temp;
      a_attn[arow + j] = e;
      m = e;
    }
    storageBarrier(); // the softmax below reads scores other invocations wrote
    workgroupBarrier();
  } else {
    for (var j = tid; j < tx; j += WG) {
      let kb = j * 2u * a;
      var e = 0.0;
      for (var i = 0u; i < a; i++) { e = fma(a_small[i], safe_tanh(q_sh[i] + a_kv[kb + i]), e); }
      e *= pa.inv_temp;
      a_attn[arow + j] = e;
      m = max(m, e);
    }
  }
  m = wg_max(m, tid);
  var s = 0.0;
  for (var j = tid; j < tx; j += WG) {
    let ex = exp(a_attn[arow + j] - m);
    a_attn[arow + j] = ex;
    s += ex;
  }
  s = wg_sum(s, tid);
  for (var j = tid; j < tx; j += WG) { a_attn[arow + j] = a_attn[arow + j] / s; }
  storageBarrier();
  let cb = pa.coff + wg.x * a;
  for (var i = tid; i < a; i += WG) {
    var acc = 0.0;
    for (var j = 0u; j < tx; j++) { acc = fma(a_attn[arow + j], a_kv[j * 2u * a + a + i], acc); }
    a_ctx[cb + i] = acc;
  }
  if (GATE) {
    storageBarrier();
    var g = 0.0;
    for (var k = tid; k < pa.h; k += WG) { g = fma(a_small[a + k], a_h[hb + k], g); }
    for (var i = tid; i < a; i += WG) { g = fma(a_small[a + pa.h + i], a_ctx[cb + i], g); }
    g = wg_sum(g, tid);
    if (tid == 0u) { a_gate[f] = g + a_small[a + pa.h + a]; }
  }
}

// ---------------------------------------------------------------- matrix-vector product
// y[yoff + n] = act(Σ_k Wᵀ[k, n]·x[xoff + k] + b[n]) with Wᵀ stored [K, N4] (N padded to a multiple
// of 4, read as vec4: each invocation makes 4 outputs) and b padded to N4.
struct MvParams { k: u32, n: u32, xoff: u32, yoff: u32 }
@group(0) @binding(0) var<uniform> pm: MvParams;
@group(0) @binding(1) var<storage, read> m_w: array<vec4f>;
@group(0) @binding(2) var<storage, read> m_b: array<vec4f>;
@group(0) @binding(3) var<storage, read> m_x: array<f32>;
@group(0) @binding(4) var<storage, read_write> m_y: array<f32>;

var<workgroup> red1: array<vec4f, MAX_RED>;

@compute @workgroup_size(UNITS, KSPLIT)
fn matvec(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let n4 = (pm.n + 3u) / 4u;
  let q = min(wg.x * UNITS + lid.x, n4 - 1u);
  var acc = vec4f(0.0);
  for (var k = lid.y; k < pm.k; k += KSPLIT) { acc = fma(m_w[k * n4 + q], vec4f(m_x[pm.xoff + k]), acc); }
  if (KSPLIT > 1u) {
    red1[lid.y * UNITS + lid.x] = acc;
    workgroupBarrier();
    if (lid.y == 0u) {
      for (var s = 1u; s < KSPLIT; s++) { acc += red1[s * UNITS + lid.x]; }
    }
  }
  if (lid.y != 0u || wg.x * UNITS + lid.x >= n4) { return; }
  var v = acc + m_b[q];
  if (ACT == 1u) { v = tanh(clamp(v, vec4f(-10.0), vec4f(10.0))); }
  for (var i = 0u; i < 4u; i++) {
    let n = 4u * q + i;
    if (n < pm.n) { m_y[pm.yoff + n] = v[i]; }
  }
}

// ---------------------------------------------------------------- 1x1 conv + inverse affine
// dec = Wᵀ·d + b with Wᵀ stored [H, 2M]; log_s = dec[:M], b = dec[M:];
// out[ooff + m] = (z[zoff + m] − b_m) / exp(log_s_m).
struct AffParams { m: u32, h: u32, zoff: u32, ooff: u32 }
@group(0) @binding(0) var<uniform> pf: AffParams;
@group(0) @binding(1) var<storage, read> f_w: array<f32>;
@group(0) @binding(2) var<storage, read> f_b: array<f32>;
@group(0) @binding(3) var<storage, read> f_d: array<f32>;
@group(0) @binding(4) var<storage, read> f_z: array<f32>;
@group(0) @binding(5) var<storage, read_write> f_out: array<f32>;

var<workgroup> red2: array<vec2f, MAX_RED>;

@compute @workgroup_size(UNITS, KSPLIT)
fn affine_inv(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let m2 = 2u * pf.m;
  let m = min(wg.x * UNITS + lid.x, pf.m - 1u);
  var acc = vec2f(0.0);
  for (var k = lid.y; k < pf.h; k += KSPLIT) {
    acc = fma(vec2f(f_w[k * m2 + m], f_w[k * m2 + pf.m + m]), vec2f(f_d[k]), acc);
  }
  if (KSPLIT > 1u) {
    red2[lid.y * UNITS + lid.x] = acc;
    workgroupBarrier();
    if (lid.y == 0u) {
      for (var s = 1u; s < KSPLIT; s++) { acc += red2[s * UNITS + lid.x]; }
    }
  }
  if (lid.y != 0u || wg.x * UNITS + lid.x >= pf.m) { return; }
  let log_s = acc.x + f_b[m];
  let b = acc.y + f_b[pf.m + m];
  f_out[pf.ooff + m] = (f_z[pf.zoff + m] - b) / exp(log_s);
}

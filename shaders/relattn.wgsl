// Self-attention with relative-position keys and values (Shaw et al.; Glow-TTS / VITS encoders),
// on channels-first q, k, v [C, T] with C = heads · d (head h owns channels [h·d, (h+1)·d)).
//
// `probs`: one invocation per (head, query row i):
//   s_ij = (q_i·k_j + q_i·Ek[j−i+w]) · scale   (the relative term only for |j−i| ≤ w)
//   masked (i or j past `length`, or |j−i| > block when block > 0) → −1e4, then softmax over j.
// `output`: one invocation per (channel h·d+c, query i):
//   o_i = Σ_j p_ij v_j + Σ_{|r|≤w} p_{i,i+r} Ev[r+w].
// Relative tables are [heads_rel, 2w+1, d]; heads_rel = 1 shares one table between heads.

override WG: u32 = 64;
override REL: bool = true;      // relative tables present (window_size set)
override PROXIMAL: bool = false; // add −log(1 + |i−j|) to the scores

struct Params {
  heads: u32,
  d: u32,        // channels per head
  t: u32,        // frames
  length: u32,   // valid frames (the rest are masked)
  window: u32,   // w
  rel_heads: u32,
  block: u32,    // 0: no block mask; else keep |j−i| ≤ block
  scale: f32,    // 1/sqrt(d)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> ek: array<f32>;
@group(0) @binding(4) var<storage, read_write> prob: array<f32>; // [heads, t, t]

fn rel_table_base(h: u32) -> u32 {
  let rh = select(h, 0u, p.rel_heads == 1u);
  return rh * (2u * p.window + 1u) * p.d;
}

fn score(h: u32, i: u32, j: u32) -> f32 {
  if (i >= p.length || j >= p.length) { return -1e4; }
  let di = i32(j) - i32(i);
  if (p.block > 0u && u32(abs(di)) > p.block) { return -1e4; }
  let qb = h * p.d * p.t;
  var s = 0.0;
  for (var c = 0u; c < p.d; c++) {
    s = fma(q[qb + c * p.t + i], k[qb + c * p.t + j], s);
  }
  s *= p.scale;
  if (REL && u32(abs(di)) <= p.window) {
    let eb = rel_table_base(h) + u32(di + i32(p.window)) * p.d;
    var r = 0.0;
    for (var c = 0u; c < p.d; c++) {
      r = fma(q[qb + c * p.t + i], ek[eb + c], r);
    }
    s += r * p.scale;
  }
  if (PROXIMAL) { s -= log(1.0 + f32(abs(di))); }
  return s;
}

@compute @workgroup_size(WG)
fn probs(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.x;
  if (row >= p.heads * p.t) { return; }
  let h = row / p.t;
  let i = row % p.t;
  let base = row * p.t;
  var m = -3.0e38;
  for (var j = 0u; j < p.t; j++) {
    let s = score(h, i, j);
    prob[base + j] = s;
    m = max(m, s);
  }
  var sum = 0.0;
  for (var j = 0u; j < p.t; j++) {
    let v = exp(prob[base + j] - m);
    prob[base + j] = v;
    sum += v;
  }
  let inv = 1.0 / sum;
  for (var j = 0u; j < p.t; j++) {
    prob[base + j] *= inv;
  }
}

@group(0) @binding(1) var<storage, read> op: array<f32>; // [heads, t, t]
@group(0) @binding(2) var<storage, read> ov: array<f32>; // [C, t]
@group(0) @binding(3) var<storage, read> ev: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>; // [C, t]

@compute @workgroup_size(WG)
fn output(@builtin(global_invocation_id) gid: vec3u) {
  let idx = gid.x;
  if (idx >= p.heads * p.d * p.t) { return; }
  let ch = idx / p.t;
  let i = idx % p.t;
  let h = ch / p.d;
  let c = ch % p.d;
  let pb = (h * p.t + i) * p.t;
  var acc = 0.0;
  for (var j = 0u; j < p.t; j++) {
    acc = fma(op[pb + j], ov[ch * p.t + j], acc);
  }
  if (REL) {
    let eb = rel_table_base(h);
    var r = 0.0;
    let w = i32(p.window);
    for (var di = -w; di <= w; di++) {
      let j = i32(i) + di;
      if (j < 0 || j >= i32(p.t)) { continue; }
      r = fma(op[pb + u32(j)], ev[eb + u32(di + w) * p.d + c], r);
    }
    acc += r;
  }
  out[idx] = acc;
}

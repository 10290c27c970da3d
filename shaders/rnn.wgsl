// Recurrent cells with fused gates. A workgroup handles UNITS hidden units; KSPLIT invocations
// share each unit j, splitting the hidden matvec rows W_hh[g·H + j, :] · h (one row per gate)
// over k with one partial per gate in a vec4, and add the partials up in workgroup memory
// (KSPLIT = 1: no barrier at all, best on CPU drivers; KSPLIT ≥ 8: neighbouring invocations read
// neighbouring addresses of a row, best on GPUs). The first invocation of each unit then applies
// the gate nonlinearities and writes h'[j] (and c'[j]). State is read from one buffer and
// written to another (ping-pong), so a whole recurrent decoder step records without any CPU
// round trip.
//
//   LSTM (PyTorch gate order i, f, g, o; rows of W_hh and of the input projection):
//     a = xproj + W_hh·h (+ bias);  i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o)
//     c' = f·c + i·g;  h' = o·tanh(c')
//   GRU (PyTorch r, z, n):
//     r = σ(x_r + W_hr·h + b_hr), z = σ(x_z + W_hz·h + b_hz)
//     n = tanh(x_n + r·(W_hn·h + b_hn));  h' = (1 − z)·n + z·h
//
// `xproj` is W_ih·x (+ b_ih, + b_hh for the LSTM) for this step: a row of a [T, G·H] tensor
// precomputed for the whole sequence by one matmul, or a single [G·H] vector.
// Entry points `*_v4` read W_hh and h as vec4 (needs H % 4 = 0); the others read scalars.
// With p.seq = 1, h' is also written to seq[seq_offset + j] (a row of a sequence output).

override UNITS: u32 = 64;  // hidden units per workgroup
override KSPLIT: u32 = 1;  // invocations per unit (power of two); UNITS·KSPLIT ≤ 256

struct Params {
  hidden: u32,     // H
  x_offset: u32,   // start of this step's projection in xproj
  seq_offset: u32, // start of this step's row in seq
  bias: u32,       // 1: add the bias binding to the gates (runtime flags, not overrides: fewer pipelines)
  seq: u32,        // 1: also write h' to seq
}

@group(0) @binding(0) var<uniform> p: Params;

var<workgroup> red: array<vec4f, 256>;

// Sums the KSPLIT partials of each unit; the result is valid in the unit's invocation s = 0.
fn split_sum(v: vec4f, lid: u32, s: u32) -> vec4f {
  if (KSPLIT == 1u) {
    return v;
  }
  red[lid] = v;
  workgroupBarrier();
  for (var half = KSPLIT / 2u; half > 0u; half >>= 1u) {
    if (s < half) {
      red[lid] += red[lid + half];
    }
    workgroupBarrier();
  }
  return red[lid];
}

// (unit j, split index s, whether j is a real unit) of an invocation.
fn unit_of(wid: vec3u, nwg: vec3u, lid: u32) -> vec3u {
  let u = (wid.x + wid.y * nwg.x) * UNITS + lid / KSPLIT;
  return vec3u(min(u, p.hidden - 1u), lid % KSPLIT, select(0u, 1u, u < p.hidden));
}

fn sigmoid(x: f32) -> f32 {
  if (x >= 0.0) {
    return 1.0 / (1.0 + exp(-x));
  }
  let e = exp(x);
  return e / (1.0 + e);
}

fn safe_tanh(x: f32) -> f32 {
  return tanh(clamp(x, -10.0, 10.0));
}

// ---- LSTM -----------------------------------------------------------------------------------

@group(0) @binding(1) var<storage, read> l_x: array<f32>;
@group(0) @binding(2) var<storage, read> l_h: array<f32>;
@group(0) @binding(3) var<storage, read> l_c: array<f32>;
@group(0) @binding(4) var<storage, read> l_w: array<f32>;
@group(0) @binding(5) var<storage, read> l_b: array<f32>;
@group(0) @binding(6) var<storage, read_write> l_h_out: array<f32>;
@group(0) @binding(7) var<storage, read_write> l_c_out: array<f32>;
@group(0) @binding(8) var<storage, read_write> l_seq: array<f32>;

@group(0) @binding(2) var<storage, read> l_h4: array<vec4f>;
@group(0) @binding(4) var<storage, read> l_w4: array<vec4f>;

fn lstm_finish(j: u32, dots: vec4f) {
  let H = p.hidden;
  var a = dots + vec4f(l_x[p.x_offset + j], l_x[p.x_offset + H + j], l_x[p.x_offset + 2u * H + j], l_x[p.x_offset + 3u * H + j]);
  if (p.bias != 0u) {
    a += vec4f(l_b[j], l_b[H + j], l_b[2u * H + j], l_b[3u * H + j]);
  }
  let c = sigmoid(a.y) * l_c[j] + sigmoid(a.x) * safe_tanh(a.z);
  let h = sigmoid(a.w) * safe_tanh(c);
  l_c_out[j] = c;
  l_h_out[j] = h;
  if (p.seq != 0u) {
    l_seq[p.seq_offset + j] = h;
  }
}

@compute @workgroup_size(UNITS * KSPLIT)
fn lstm(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let lid = lid3.x;
  let us = unit_of(wid, nwg, lid);
  let j = us.x;
  let H = p.hidden;
  var acc = vec4f();
  for (var k = us.y; k < H; k += KSPLIT) {
    let hv = l_h[k];
    acc += vec4f(l_w[j * H + k], l_w[(H + j) * H + k], l_w[(2u * H + j) * H + k], l_w[(3u * H + j) * H + k]) * hv;
  }
  let dots = split_sum(acc, lid, us.y);
  if (us.y == 0u && us.z == 1u) {
    lstm_finish(j, dots);
  }
}

@compute @workgroup_size(UNITS * KSPLIT)
fn lstm_v4(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let lid = lid3.x;
  let us = unit_of(wid, nwg, lid);
  let j = us.x;
  let H = p.hidden;
  let Q = H / 4u;
  var acc = vec4f();
  for (var k = us.y; k < Q; k += KSPLIT) {
    let hv = l_h4[k];
    acc += vec4f(dot(l_w4[j * Q + k], hv), dot(l_w4[(H + j) * Q + k], hv),
                 dot(l_w4[(2u * H + j) * Q + k], hv), dot(l_w4[(3u * H + j) * Q + k], hv));
  }
  let dots = split_sum(acc, lid, us.y);
  if (us.y == 0u && us.z == 1u) {
    lstm_finish(j, dots);
  }
}

// ---- GRU ------------------------------------------------------------------------------------

@group(0) @binding(1) var<storage, read> g_x: array<f32>;
@group(0) @binding(2) var<storage, read> g_h: array<f32>;
@group(0) @binding(3) var<storage, read> g_w: array<f32>;
@group(0) @binding(4) var<storage, read> g_b: array<f32>;
@group(0) @binding(5) var<storage, read_write> g_h_out: array<f32>;
@group(0) @binding(6) var<storage, read_write> g_seq: array<f32>;

@group(0) @binding(2) var<storage, read> g_h4: array<vec4f>;
@group(0) @binding(3) var<storage, read> g_w4: array<vec4f>;

fn gru_finish(j: u32, dots: vec4f, hj: f32) {
  let H = p.hidden;
  var hh = dots.xyz;
  if (p.bias != 0u) {
    hh += vec3f(g_b[j], g_b[H + j], g_b[2u * H + j]);
  }
  let r = sigmoid(g_x[p.x_offset + j] + hh.x);
  let z = sigmoid(g_x[p.x_offset + H + j] + hh.y);
  let n = safe_tanh(g_x[p.x_offset + 2u * H + j] + r * hh.z);
  let h = (1.0 - z) * n + z * hj;
  g_h_out[j] = h;
  if (p.seq != 0u) {
    g_seq[p.seq_offset + j] = h;
  }
}

@compute @workgroup_size(UNITS * KSPLIT)
fn gru(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let lid = lid3.x;
  let us = unit_of(wid, nwg, lid);
  let j = us.x;
  let H = p.hidden;
  var acc = vec4f();
  for (var k = us.y; k < H; k += KSPLIT) {
    let hv = g_h[k];
    acc += vec4f(g_w[j * H + k], g_w[(H + j) * H + k], g_w[(2u * H + j) * H + k], 0.0) * hv;
  }
  let dots = split_sum(acc, lid, us.y);
  if (us.y == 0u && us.z == 1u) {
    gru_finish(j, dots, g_h[j]);
  }
}

@compute @workgroup_size(UNITS * KSPLIT)
fn gru_v4(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let lid = lid3.x;
  let us = unit_of(wid, nwg, lid);
  let j = us.x;
  let H = p.hidden;
  let Q = H / 4u;
  var acc = vec4f();
  for (var k = us.y; k < Q; k += KSPLIT) {
    let hv = g_h4[k];
    acc += vec4f(dot(g_w4[j * Q + k], hv), dot(g_w4[(H + j) * Q + k], hv), dot(g_w4[(2u * H + j) * Q + k], hv), 0.0);
  }
  let dots = split_sum(acc, lid, us.y);
  if (us.y == 0u && us.z == 1u) {
    gru_finish(j, dots, g_h4[j / 4u][j % 4u]);
  }
}

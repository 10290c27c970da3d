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

#include "lib/activations.wgsl"

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

// ---- shared by both cells: bindings 1-4 and the hidden matvec --------------------------------

@group(0) @binding(1) var<storage, read> r_x: array<f32>; // xproj
@group(0) @binding(2) var<storage, read> r_h: array<f32>;
@group(0) @binding(3) var<storage, read> r_w: array<f32>; // W_hh [G·H, H]
@group(0) @binding(4) var<storage, read> r_b: array<f32>; // bias [G·H] (read when p.bias = 1)

@group(0) @binding(2) var<storage, read> r_h4: array<vec4f>;
@group(0) @binding(3) var<storage, read> r_w4: array<vec4f>;

// W_hh·h of unit us.x's G gate rows (G = 3 or 4; lane 3 stays 0 for G = 3), over this
// invocation's slice of k, then summed over the unit's KSPLIT invocations (valid at s = 0).
fn hh_dots(us: vec3u, lid: u32, G: u32) -> vec4f {
  let j = us.x;
  let H = p.hidden;
  var acc = vec4f();
  for (var k = us.y; k < H; k += KSPLIT) {
    var w = vec4f(r_w[j * H + k], r_w[(H + j) * H + k], r_w[(2u * H + j) * H + k], 0.0);
    if (G == 4u) { w.w = r_w[(3u * H + j) * H + k]; }
    acc += w * r_h[k];
  }
  return split_sum(acc, lid, us.y);
}

// The same with W_hh and h read as vec4 (H % 4 = 0).
fn hh_dots_v4(us: vec3u, lid: u32, G: u32) -> vec4f {
  let j = us.x;
  let H = p.hidden;
  let Q = H / 4u;
  var acc = vec4f();
  for (var k = us.y; k < Q; k += KSPLIT) {
    let hv = r_h4[k];
    var d = vec4f(dot(r_w4[j * Q + k], hv), dot(r_w4[(H + j) * Q + k], hv), dot(r_w4[(2u * H + j) * Q + k], hv), 0.0);
    if (G == 4u) { d.w = dot(r_w4[(3u * H + j) * Q + k], hv); }
    acc += d;
  }
  return split_sum(acc, lid, us.y);
}

// ---- LSTM -----------------------------------------------------------------------------------

@group(0) @binding(5) var<storage, read> l_c: array<f32>;
@group(0) @binding(6) var<storage, read_write> l_h_out: array<f32>;
@group(0) @binding(7) var<storage, read_write> l_c_out: array<f32>;
@group(0) @binding(8) var<storage, read_write> l_seq: array<f32>;

fn lstm_finish(j: u32, dots: vec4f) {
  let H = p.hidden;
  var a = dots + vec4f(r_x[p.x_offset + j], r_x[p.x_offset + H + j], r_x[p.x_offset + 2u * H + j], r_x[p.x_offset + 3u * H + j]);
  if (p.bias != 0u) {
    a += vec4f(r_b[j], r_b[H + j], r_b[2u * H + j], r_b[3u * H + j]);
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
  let us = unit_of(wid, nwg, lid3.x);
  let dots = hh_dots(us, lid3.x, 4u);
  if (us.y == 0u && us.z == 1u) {
    lstm_finish(us.x, dots);
  }
}

@compute @workgroup_size(UNITS * KSPLIT)
fn lstm_v4(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let us = unit_of(wid, nwg, lid3.x);
  let dots = hh_dots_v4(us, lid3.x, 4u);
  if (us.y == 0u && us.z == 1u) {
    lstm_finish(us.x, dots);
  }
}

// ---- GRU ------------------------------------------------------------------------------------

@group(0) @binding(5) var<storage, read_write> g_h_out: array<f32>;
@group(0) @binding(6) var<storage, read_write> g_seq: array<f32>;

fn gru_finish(j: u32, dots: vec4f, hj: f32) {
  let H = p.hidden;
  var hh = dots.xyz;
  if (p.bias != 0u) {
    hh += vec3f(r_b[j], r_b[H + j], r_b[2u * H + j]);
  }
  let r = sigmoid(r_x[p.x_offset + j] + hh.x);
  let z = sigmoid(r_x[p.x_offset + H + j] + hh.y);
  let n = safe_tanh(r_x[p.x_offset + 2u * H + j] + r * hh.z);
  let h = (1.0 - z) * n + z * hj;
  g_h_out[j] = h;
  if (p.seq != 0u) {
    g_seq[p.seq_offset + j] = h;
  }
}

@compute @workgroup_size(UNITS * KSPLIT)
fn gru(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let us = unit_of(wid, nwg, lid3.x);
  let dots = hh_dots(us, lid3.x, 3u);
  if (us.y == 0u && us.z == 1u) {
    gru_finish(us.x, dots, r_h[us.x]);
  }
}

@compute @workgroup_size(UNITS * KSPLIT)
fn gru_v4(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let us = unit_of(wid, nwg, lid3.x);
  let dots = hh_dots_v4(us, lid3.x, 3u);
  if (us.y == 0u && us.z == 1u) {
    gru_finish(us.x, dots, r_h4[us.x / 4u][us.x % 4u]);
  }
}

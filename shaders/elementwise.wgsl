// Element-wise kernels: unary maps, broadcasting binary maps, and the WaveNet gate.
// One thread per output element; flat index = global x + global y * (num_workgroups.x * WG).

#include "lib/activations.wgsl"
#include "lib/index.wgsl"

override WG: u32 = 256;
// Unary op: 0 identity·scale+shift, 1 exp, 2 tanh, 3 sigmoid, 4 relu, 5 leaky relu, 6 log(max(x, eps)), 7 neg
override UNARY: u32 = 0;
// Binary op: 0 add, 1 sub, 2 mul, 3 div, 4 max
override BINARY: u32 = 0;

struct UnaryParams {
  n: u32,
  a: f32, // scale (op 0), negative slope (op 5), eps (op 6)
  b: f32, // shift (op 0)
}

struct BinaryParams {
  n: u32,
  rank: u32,
  // Output shape and both inputs' element strides (0 on broadcast axes), innermost last,
  // padded to rank 4 with leading 1s.
  s0: u32, s1: u32, s2: u32, s3: u32,
  a0: u32, a1: u32, a2: u32, a3: u32,
  b0: u32, b1: u32, b2: u32, b3: u32,
}

struct GateParams {
  channels: u32, // C: output channels; input rows [0, C) go through tanh, [C, 2C) through sigmoid
  frames: u32,
  add_b: u32,    // 1: gate(a + b), 0: gate(a)
}

@group(0) @binding(0) var<uniform> up: UnaryParams;
@group(0) @binding(1) var<storage, read> ux: array<f32>;
@group(0) @binding(2) var<storage, read_write> uy: array<f32>;

fn unary_op(x: f32) -> f32 {
  switch UNARY {
    case 1u: { return exp(x); }
    case 2u: { return safe_tanh(x); }
    case 3u: { return sigmoid(x); }
    case 4u: { return max(x, 0.0); }
    case 5u: { return select(x * up.a, x, x >= 0.0); }
    case 6u: { return log(max(x, up.a)); }
    case 7u: { return -x; }
    default: { return x * up.a + up.b; }
  }
}

@compute @workgroup_size(WG)
fn unary(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= up.n) { return; }
  uy[i] = unary_op(ux[i]);
}

@group(0) @binding(0) var<uniform> bp: BinaryParams;
@group(0) @binding(1) var<storage, read> ba: array<f32>;
@group(0) @binding(2) var<storage, read> bb: array<f32>;
@group(0) @binding(3) var<storage, read_write> by: array<f32>;

fn binary_op(a: f32, b: f32) -> f32 {
  switch BINARY {
    case 1u: { return a - b; }
    case 2u: { return a * b; }
    case 3u: { return a / b; }
    case 4u: { return max(a, b); }
    default: { return a + b; }
  }
}

@compute @workgroup_size(WG)
fn binary(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= bp.n) { return; }
  let i3 = i % bp.s3;
  let r3 = i / bp.s3;
  let i2 = r3 % bp.s2;
  let r2 = r3 / bp.s2;
  let i1 = r2 % bp.s1;
  let i0 = r2 / bp.s1;
  let ia = i0 * bp.a0 + i1 * bp.a1 + i2 * bp.a2 + i3 * bp.a3;
  let ib = i0 * bp.b0 + i1 * bp.b1 + i2 * bp.b2 + i3 * bp.b3;
  by[i] = binary_op(ba[ia], bb[ib]);
}

@group(0) @binding(0) var<uniform> gp: GateParams;
@group(0) @binding(1) var<storage, read> ga: array<f32>;
@group(0) @binding(2) var<storage, read> gb: array<f32>;
@group(0) @binding(3) var<storage, read_write> gy: array<f32>;

@compute @workgroup_size(WG)
fn gate(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= gp.channels * gp.frames) { return; }
  let j = i + gp.channels * gp.frames;
  var t = ga[i];
  var s = ga[j];
  if (gp.add_b == 1u) {
    t += gb[i];
    s += gb[j];
  }
  gy[i] = safe_tanh(t) * sigmoid(s);
}

// Batched matrix multiply C[b] = op(A[b]) · op(B[b]) (+ bias) (then an activation).
// Register tiling without shared memory: each invocation accumulates a TILE×TILE block whose
// rows and columns are strided by the workgroup size, so neighbouring invocations read
// neighbouring addresses (coalesced on GPUs, vectorised across lanes on CPU drivers), and no
// barrier is needed (barriers are costly on CPU drivers such as lavapipe and SwiftShader).

override WG_X: u32 = 8;
override WG_Y: u32 = 8;
override TRANS_A: bool = false; // A stored [K, M] instead of [M, K]
override TRANS_B: bool = false; // B stored [N, K] instead of [K, N] (torch Linear weights)
override BIAS: u32 = 0;         // 0 none, 1 per column (length N), 2 per row (length M)
override ACT: u32 = 0;          // 0 none, 1 relu, 2 tanh, 3 sigmoid

const TILE: u32 = 4u;

struct Params {
  m: u32,
  n: u32,
  k: u32,
  stride_a: u32, // elements between batches (0 broadcasts)
  stride_b: u32,
  stride_c: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

fn load_a(base: u32, row: u32, kk: u32) -> f32 {
  if (TRANS_A) {
    return a[base + kk * p.m + row];
  }
  return a[base + row * p.k + kk];
}

fn load_b(base: u32, kk: u32, col: u32) -> f32 {
  if (TRANS_B) {
    return b[base + col * p.k + kk];
  }
  return b[base + kk * p.n + col];
}

fn activate(x: f32) -> f32 {
  switch ACT {
    case 1u: { return max(x, 0.0); }
    case 2u: { return tanh(clamp(x, -10.0, 10.0)); }
    case 3u: { return 1.0 / (1.0 + exp(-clamp(x, -80.0, 80.0))); }
    default: { return x; }
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row0 = wg.y * WG_Y * TILE + lid.y;
  let col0 = wg.x * WG_X * TILE + lid.x;
  let base_a = wg.z * p.stride_a;
  let base_b = wg.z * p.stride_b;
  // Out-of-range rows/cols load a valid clamped address and are dropped at the store.
  var rows: array<u32, 4>;
  var cols: array<u32, 4>;
  for (var i = 0u; i < TILE; i++) {
    rows[i] = min(row0 + i * WG_Y, p.m - 1u);
    cols[i] = min(col0 + i * WG_X, p.n - 1u);
  }
  var acc: array<vec4f, 4>;
  for (var kk = 0u; kk < p.k; kk++) {
    let bv = vec4f(load_b(base_b, kk, cols[0]), load_b(base_b, kk, cols[1]),
                   load_b(base_b, kk, cols[2]), load_b(base_b, kk, cols[3]));
    for (var i = 0u; i < TILE; i++) {
      acc[i] = fma(vec4f(load_a(base_a, rows[i], kk)), bv, acc[i]);
    }
  }
  let base_c = wg.z * p.stride_c;
  for (var i = 0u; i < TILE; i++) {
    let r = row0 + i * WG_Y;
    if (r >= p.m) { break; }
    for (var j = 0u; j < TILE; j++) {
      let col = col0 + j * WG_X;
      if (col >= p.n) { break; }
      var v = acc[i][j];
      if (BIAS == 1u) { v += bias[col]; }
      if (BIAS == 2u) { v += bias[r]; }
      c[base_c + r * p.n + col] = activate(v);
    }
  }
}

// Batched matrix multiply C[b] = op(A[b]) · op(B[b]) (+ bias) (then an activation).
// Register tiling without shared memory or barriers: each invocation accumulates a TM×TN block
// whose rows are strided by WG_Y and columns by WG_X, so neighbouring invocations read
// neighbouring addresses of B (coalesced on GPUs).
//
// CPU drivers (lavapipe, SwiftShader) run a workgroup's invocations as SIMD lanes, and every
// load whose address differs between lanes becomes a gather, so speed there is set by the
// number of loads per FMA. With WG_Y = 1 the rows depend only on the workgroup id: the TM
// loads of A per k are uniform, the TN loads of B are one gather each, for TM·TN FMAs. The
// ops pick TM = 16, TN = 8 on CPU adapters (larger tiles spill registers and get slower).
// Tile sizes are override constants; loops over them unroll and the arrays become registers.

#include "lib/activations.wgsl"

override WG_X: u32 = 8;
override WG_Y: u32 = 8;
override TM: u32 = 4;           // rows per invocation (≤ 16)
override TN: u32 = 4;           // columns per invocation (≤ 8)
override TRANS_A: bool = false; // A stored [K, M] instead of [M, K]
override TRANS_B: bool = false; // B stored [N, K] instead of [K, N] (torch Linear weights)
override BIAS: u32 = 0;         // 0 none, 1 per column (length N), 2 per row (length M)
override ACT: u32 = 0;          // 0 none, 1 relu, 2 tanh, 3 sigmoid

#include "lib/matmul_params.wgsl"

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<atype>; // atype, btype: f32 or f16 (src/gpu/precision.ts)
@group(0) @binding(2) var<storage, read> b: array<btype>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  // With one invocation row the row index is uniform (the select folds at pipeline creation).
  let ly = select(lid.y, 0u, WG_Y == 1u);
  // Row blocks vary fastest (x): workgroups that run one after another share their columns
  // of B, which stay in cache (1.1-1.3× at 512-1024 on lavapipe).
  let row0 = wg.x * WG_Y * TM + ly;
  let col0 = wg.y * WG_X * TN + lid.x;
  let base_a = wg.z * p.stride_a;
  let base_b = wg.z * p.stride_b;
  // Element (row, kk) of A is at ia[i] + kk·sa; element (kk, col) of B at ib[j] + kk·sb.
  let sa = select(1u, p.m, TRANS_A);
  let sb = select(p.n, 1u, TRANS_B);
  // Out-of-range rows/cols read a valid clamped address and are dropped at the store.
  var ia: array<u32, 16>;
  var ib: array<u32, 8>;
  for (var i = 0u; i < TM; i++) {
    let r = min(row0 + i * WG_Y, p.m - 1u);
    ia[i] = base_a + select(r * p.k, r, TRANS_A);
  }
  for (var j = 0u; j < TN; j++) {
    let col = min(col0 + j * WG_X, p.n - 1u);
    ib[j] = base_b + select(col, col * p.k, TRANS_B);
  }
  var acc: array<f32, 128>;
  for (var kk = 0u; kk < p.k; kk++) {
    var bv: array<f32, 8>;
    for (var j = 0u; j < TN; j++) {
      bv[j] = f32(b[ib[j] + kk * sb]);
    }
    for (var i = 0u; i < TM; i++) {
      let av = f32(a[ia[i] + kk * sa]);
      for (var j = 0u; j < TN; j++) {
        acc[i * TN + j] = fma(av, bv[j], acc[i * TN + j]);
      }
    }
  }
  let base_c = wg.z * p.stride_c;
  for (var i = 0u; i < TM; i++) {
    let r = row0 + i * WG_Y;
    if (r >= p.m) { break; }
    for (var j = 0u; j < TN; j++) {
      let col = col0 + j * WG_X;
      if (col >= p.n) { break; }
      var v = acc[i * TN + j];
      if (BIAS == 1u) { v += bias[col]; }
      if (BIAS == 2u) { v += bias[r]; }
      c[base_c + r * p.n + col] = activation(ACT, v);
    }
  }
}

// A few rows times a torch-layout weight (B stored [N, K], A stored [M, K]): the mat-vec of
// an LSTM step. `main` would give each invocation its own rows of B, so the lanes of a SIMD
// gather walk TN·WG_X rows 4·K bytes apart (cache and TLB misses on CPUs: 2.5× slower at
// K = 1024). Here a workgroup owns a TM×TN block of C (uniform rows and columns), its
// invocations split K (lane l takes k ≡ l mod WG_X, contiguous across lanes), and one
// barrier reduces the partial sums.
var<workgroup> partial: array<f32, 2048>; // WG_X · TM · TN ≤ 2048

@compute @workgroup_size(WG_X)
fn rows_bt(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let lane = lid.x;
  let row0 = wg.y * TM;
  let col0 = wg.x * TN;
  let base_a = wg.z * p.stride_a;
  let base_b = wg.z * p.stride_b;
  var ia: array<u32, 16>;
  var ib: array<u32, 16>;
  for (var i = 0u; i < TM; i++) {
    ia[i] = base_a + min(row0 + i, p.m - 1u) * p.k;
  }
  for (var j = 0u; j < TN; j++) {
    ib[j] = base_b + min(col0 + j, p.n - 1u) * p.k;
  }
  var acc: array<f32, 128>;
  for (var k0 = 0u; k0 < p.k; k0 += WG_X) {
    let kk = min(k0 + lane, p.k - 1u);
    let inside = k0 + lane < p.k;
    var av: array<f32, 16>;
    for (var i = 0u; i < TM; i++) {
      av[i] = select(0.0, f32(a[ia[i] + kk]), inside);
    }
    for (var j = 0u; j < TN; j++) {
      let bv = f32(b[ib[j] + kk]);
      for (var i = 0u; i < TM; i++) {
        acc[i * TN + j] = fma(av[i], bv, acc[i * TN + j]);
      }
    }
  }
  for (var t = 0u; t < TM * TN; t++) {
    partial[t * WG_X + lane] = acc[t];
  }
  workgroupBarrier();
  let base_c = wg.z * p.stride_c;
  for (var t = lane; t < TM * TN; t += WG_X) {
    let r = row0 + t / TN;
    let col = col0 + t % TN;
    if (r < p.m && col < p.n) {
      var v = 0.0;
      for (var s = 0u; s < WG_X; s++) {
        v += partial[t * WG_X + s];
      }
      if (BIAS == 1u) { v += bias[col]; }
      if (BIAS == 2u) { v += bias[r]; }
      c[base_c + r * p.n + col] = activation(ACT, v);
    }
  }
}

// GPUs: workgroup-memory tiles. A 16×16 workgroup computes a 64×64 block of C, each invocation
// 4×4 outputs strided by 16 (so a row of invocations reads consecutive words of workgroup
// memory); per 16-deep slice of K the workgroup stages A's 64×16 and B's 16×64 tiles, each
// invocation one vec4 of each along whichever dimension A and B are stored contiguous in
// (consecutive invocations read consecutive vec4s: coalesced; rows that do not start on a vec4
// are realigned in registers), then every staged value is reused 64 times. CPU drivers do not
// get this variant: there barriers and workgroup memory cost more than the reuse saves.
const GT: u32 = 64u;  // block edge
const GK: u32 = 16u;  // K slice
var<workgroup> tile_a: array<f32, 1024>; // [GK][GT]
var<workgroup> tile_b: array<f32, 1024>; // [GK][GT]

// A and B as vec4s, for `tiled` only (no entry point uses both these and `a`, `b`).
@group(0) @binding(1) var<storage, read> a4: array<vec4<atype>>;
@group(0) @binding(2) var<storage, read> b4: array<vec4<btype>>;

#include "lib/realign.wgsl"

// Elements at … at + 3 of A (of B); `ok` says which are inside the matrix, the rest read 0.
fn a4_at(at: u32, ok: vec4<bool>) -> vec4f {
  let i = at / 4u;
  let v = realign(vec4f(a4[i]), vec4f(a4[i + 1u]), at % 4u);
  return select(vec4f(0.0), v, ok);
}

fn b4_at(at: u32, ok: vec4<bool>) -> vec4f {
  let i = at / 4u;
  let v = realign(vec4f(b4[i]), vec4f(b4[i + 1u]), at % 4u);
  return select(vec4f(0.0), v, ok);
}

const LANES = vec4u(0u, 1u, 2u, 3u);

@compute @workgroup_size(16, 16)
fn tiled(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let row0 = wg.y * GT;
  let col0 = wg.x * GT;
  let base_a = wg.z * p.stride_a;
  let base_b = wg.z * p.stride_b;
  var acc: array<f32, 16>;
  for (var k0 = 0u; k0 < p.k; k0 += GK) {
    // 256 vec4s of each tile, one per invocation, along the stored layout's contiguous axis.
    if (TRANS_A) { // [K, M]: 4 consecutive rows of one k
      let kk = li / 16u;
      let r = 4u * (li % 16u);
      let v = a4_at(base_a + (k0 + kk) * p.m + row0 + r, (vec4u(row0 + r) + LANES < vec4u(p.m)) & vec4<bool>(k0 + kk < p.k));
      for (var s = 0u; s < 4u; s++) { tile_a[kk * GT + r + s] = v[s]; }
    } else { // [M, K]: 4 consecutive k of one row
      let r = li / 4u;
      let kk = 4u * (li % 4u);
      let v = a4_at(base_a + (row0 + r) * p.k + k0 + kk, (vec4u(k0 + kk) + LANES < vec4u(p.k)) & vec4<bool>(row0 + r < p.m));
      for (var s = 0u; s < 4u; s++) { tile_a[(kk + s) * GT + r] = v[s]; }
    }
    if (TRANS_B) { // [N, K]: 4 consecutive k of one column
      let cc = li / 4u;
      let kk = 4u * (li % 4u);
      let v = b4_at(base_b + (col0 + cc) * p.k + k0 + kk, (vec4u(k0 + kk) + LANES < vec4u(p.k)) & vec4<bool>(col0 + cc < p.n));
      for (var s = 0u; s < 4u; s++) { tile_b[(kk + s) * GT + cc] = v[s]; }
    } else { // [K, N]: 4 consecutive columns of one k
      let kk = li / 16u;
      let cc = 4u * (li % 16u);
      let v = b4_at(base_b + (k0 + kk) * p.n + col0 + cc, (vec4u(col0 + cc) + LANES < vec4u(p.n)) & vec4<bool>(k0 + kk < p.k));
      for (var s = 0u; s < 4u; s++) { tile_b[kk * GT + cc + s] = v[s]; }
    }
    workgroupBarrier();
    for (var kk = 0u; kk < GK; kk++) {
      var bv: array<f32, 4>;
      for (var j = 0u; j < 4u; j++) {
        bv[j] = tile_b[kk * GT + lid.x + j * 16u];
      }
      for (var i = 0u; i < 4u; i++) {
        let av = tile_a[kk * GT + lid.y + i * 16u];
        for (var j = 0u; j < 4u; j++) {
          acc[i * 4u + j] = fma(av, bv[j], acc[i * 4u + j]);
        }
      }
    }
    workgroupBarrier();
  }
  let base_c = wg.z * p.stride_c;
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + lid.y + i * 16u;
    if (r >= p.m) { break; }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + lid.x + j * 16u;
      if (col >= p.n) { continue; }
      var v = acc[i * 4u + j];
      if (BIAS == 1u) { v += bias[col]; }
      if (BIAS == 2u) { v += bias[r]; }
      c[base_c + r * p.n + col] = activation(ACT, v);
    }
  }
}

// Matrix multiply for CPU drivers with subgroups (lavapipe): C[b] = A[b] · op(B[b]) (+ bias)
// (then an activation), A stored [M, K]; any M, N, K.
//
// Mesa's lavapipe (25.0) loads storage memory one lane at a time, whether the address is
// uniform or not, so a load costs about as much per lane as ten FMAs on all eight lanes; a vec4
// load costs ~2.4 scalar ones for 4 values. So: every load is a vec4, and the values one lane
// loads are shared by subgroupShuffle (a register permute) instead of loaded again by the other
// lanes. A workgroup is one subgroup of SG lanes; it owns SG·R rows of C. Lane l loads 4
// consecutive k of rows l, SG + l, … and shuffles each to every lane, so each lane holds the
// A value of all SG·R rows while having loaded only R of them.
//   nn: B stored [K, N]; lane l owns the vec4 column groups l, SG + l, … (TN4 of them) and
//       accumulates SG·R × 4·TN4 outputs: 32 × 4 measured 15-20 GFLOP/s at 512³ against 5 for
//       matmul.wgsl's best register tile.
//   nt: B stored [N, K] (torch Linear weights); lane l owns columns l, SG + l, … (TN4 of them),
//       each a vec4 of partial sums over 4 consecutive k, summed at the end.
// Accumulator tiles stay ≤ 64 vec4: larger ones stop Mesa unrolling the loops and the tile
// leaves registers (10× slower).
// Rows that do not start on a vec4 (K, or N for nn, not a multiple of 4) are read as two vec4s
// realigned in registers (`fetch_a`, `fetch_b`): one pipeline serves every shape, so a new input length never
// compiles a kernel (the uniform branch costs nothing measurable on aligned rows).

enable subgroups;

#include "lib/activations.wgsl"

override SG: u32 = 8;     // lanes per subgroup = workgroup size
override R: u32 = 4;      // row groups (SG rows each) per workgroup (≤ 4)
override TN4: u32 = 1;    // vec4 column groups (nn, ≤ 8) or columns (nt, ≤ 8) per lane
override BIAS: u32 = 0;   // 0 none, 1 per column (length N), 2 per row (length M)
override ACT: u32 = 0;    // 0 none, 1 relu, 2 tanh, 3 sigmoid

#include "lib/matmul_params.wgsl"

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4f>;
@group(0) @binding(2) var<storage, read> b: array<vec4f>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

#include "lib/realign.wgsl"

// Elements at … at + 3 of A (of B); `aligned` (uniform): `at` is a multiple of 4. Past the end
// the second vec4 reads a clamped address: those elements are masked or dropped by the caller.
fn fetch_a(at: u32, aligned: bool) -> vec4f {
  let i = at / 4u;
  if (aligned) { return a[i]; }
  return realign(a[i], a[i + 1u], at % 4u);
}

fn fetch_b(at: u32, aligned: bool) -> vec4f {
  let i = at / 4u;
  if (aligned) { return b[i]; }
  return realign(b[i], b[i + 1u], at % 4u);
}

// k ≥ K reads as 0 (the tail of the last vec4 of a row).
fn mask_k(v: vec4f, k0: u32) -> vec4f {
  return select(vec4f(0.0), v, vec4u(k0) + vec4u(0u, 1u, 2u, 3u) < vec4u(p.k));
}

fn store(base_c: u32, r: u32, col: u32, v: f32) {
  var y = v;
  if (BIAS == 1u) { y += bias[col]; }
  if (BIAS == 2u) { y += bias[r]; }
  c[base_c + r * p.n + col] = activation(ACT, y);
}

// The element index of (row, 0) of the lane's R rows of A: rows past M read row M − 1 (dropped).
fn a_rows(wg: vec3u, lane: u32) -> array<u32, 4> {
  var ia: array<u32, 4>;
  for (var g = 0u; g < R; g++) {
    ia[g] = wg.z * p.stride_a + min(wg.x * SG * R + g * SG + lane, p.m - 1u) * p.k;
  }
  return ia;
}

@compute @workgroup_size(SG)
fn nn(@builtin(workgroup_id) wg: vec3u, @builtin(subgroup_invocation_id) lane: u32) {
  let ia = a_rows(wg, lane);
  let k_aligned = p.k % 4u == 0u;
  let n_aligned = p.n % 4u == 0u;
  let n4 = (p.n + 3u) / 4u;
  let c4 = wg.y * SG * TN4 + lane; // first vec4 column group of this lane
  var ib: array<u32, 8>;
  for (var j = 0u; j < TN4; j++) {
    ib[j] = wg.z * p.stride_b + 4u * min(c4 + j * SG, n4 - 1u);
  }
  var acc: array<vec4f, 64>; // [row g·SG + i][j]
  for (var k0 = 0u; k0 < p.k; k0 += 4u) {
    var av: array<vec4f, 4>;
    for (var g = 0u; g < R; g++) {
      av[g] = mask_k(fetch_a(ia[g] + k0, k_aligned), k0);
    }
    for (var s = 0u; s < 4u; s++) {
      let kk = min(k0 + s, p.k - 1u); // a clamped row multiplies the zeros of mask_k
      var bv: array<vec4f, 8>;
      for (var j = 0u; j < TN4; j++) {
        bv[j] = fetch_b(ib[j] + kk * p.n, n_aligned);
      }
      for (var g = 0u; g < R; g++) {
        for (var i = 0u; i < SG; i++) {
          let x = vec4f(subgroupShuffle(av[g][s], i));
          for (var j = 0u; j < TN4; j++) {
            let at = (g * SG + i) * TN4 + j;
            acc[at] = fma(x, bv[j], acc[at]);
          }
        }
      }
    }
  }
  let base_c = wg.z * p.stride_c;
  for (var t = 0u; t < SG * R; t++) {
    let r = wg.x * SG * R + t;
    if (r >= p.m) { break; }
    for (var j = 0u; j < TN4; j++) {
      let cj = c4 + j * SG;
      for (var s = 0u; s < 4u; s++) {
        if (4u * cj + s >= p.n) { break; }
        store(base_c, r, 4u * cj + s, acc[t * TN4 + j][s]);
      }
    }
  }
}

@compute @workgroup_size(SG)
fn nt(@builtin(workgroup_id) wg: vec3u, @builtin(subgroup_invocation_id) lane: u32) {
  let ia = a_rows(wg, lane);
  let k_aligned = p.k % 4u == 0u;
  let col0 = wg.y * SG * TN4 + lane;
  var ib: array<u32, 8>;
  for (var j = 0u; j < TN4; j++) {
    ib[j] = wg.z * p.stride_b + min(col0 + j * SG, p.n - 1u) * p.k;
  }
  var acc: array<vec4f, 64>; // [row g·SG + i][j], partial sums over k mod 4
  for (var k0 = 0u; k0 < p.k; k0 += 4u) {
    var bv: array<vec4f, 8>;
    for (var j = 0u; j < TN4; j++) {
      bv[j] = mask_k(fetch_b(ib[j] + k0, k_aligned), k0);
    }
    for (var g = 0u; g < R; g++) {
      let av = mask_k(fetch_a(ia[g] + k0, k_aligned), k0);
      for (var i = 0u; i < SG; i++) {
        let x = subgroupShuffle(av, i);
        for (var j = 0u; j < TN4; j++) {
          let at = (g * SG + i) * TN4 + j;
          acc[at] = fma(x, bv[j], acc[at]);
        }
      }
    }
  }
  let base_c = wg.z * p.stride_c;
  for (var t = 0u; t < SG * R; t++) {
    let r = wg.x * SG * R + t;
    if (r >= p.m) { break; }
    for (var j = 0u; j < TN4; j++) {
      let col = col0 + j * SG;
      if (col >= p.n) { break; }
      let v = acc[t * TN4 + j];
      store(base_c, r, col, v.x + v.y + v.z + v.w);
    }
  }
}

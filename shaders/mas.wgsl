// Monotonic alignment search (Glow-TTS `monotonic_align.maximum_path`) and the log-likelihood
// matrix it runs on.
//
// `loglik`: one invocation per (token i, frame j) of [tx, ty]:
//   logp[i,j] = Σ_d (−½·log 2π − logs[d,i]) + Σ_d −½ z[d,j]²·e^{−2 logs[d,i]}
//             + Σ_d m[d,i]·e^{−2 logs[d,i]}·z[d,j] + Σ_d −½ m[d,i]²·e^{−2 logs[d,i]}
//   (the four terms are summed separately, as the original does).
// `dp`: one workgroup; the DP runs frame by frame (a barrier between frames), tokens spread over
//   the invocations. Q[i,j] = v[i,j] + max(Q[i,j−1], Q[i−1,j−1]) over the feasible band
//   i ∈ [max(0, tx+j−ty), min(tx−1, j)] (Q[i,j−1] is −1e9 when i = j; Q[−1,·] is −1e9 but 0 at
//   the origin). Then invocation 0 backtracks from (tx−1, ty−1), stepping to i−1 when i = j or
//   Q[i,j−1] < Q[i−1,j−1] (the original's tie rule: stay on a tie), and writes path = 1.

#include "lib/index.wgsl"

override WG: u32 = 64;
override LOGS: bool = true; // x_logs present (false: mean-only, logs = 0)

struct LogParams {
  d: u32,
  tx: u32,
  ty: u32,
}

@group(0) @binding(0) var<uniform> lp: LogParams;
@group(0) @binding(1) var<storage, read> xm: array<f32>;   // [d, tx]
@group(0) @binding(2) var<storage, read> xlogs: array<f32>; // [d, tx]
@group(0) @binding(3) var<storage, read> z: array<f32>;    // [d, ty]
@group(0) @binding(4) var<storage, read_write> logp: array<f32>; // [tx, ty]

const HALF_LOG_2PI: f32 = 0.91893853320467274178;

@compute @workgroup_size(WG)
fn loglik(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = flat(gid, nwg);
  if (idx >= lp.tx * lp.ty) { return; }
  let i = idx / lp.ty;
  let j = idx % lp.ty;
  var t1 = 0.0;
  var t2 = 0.0;
  var t3 = 0.0;
  var t4 = 0.0;
  for (var c = 0u; c < lp.d; c++) {
    var ls = 0.0;
    if (LOGS) { ls = xlogs[c * lp.tx + i]; }
    let r = exp(-2.0 * ls);
    let m = xm[c * lp.tx + i];
    let zz = z[c * lp.ty + j];
    t1 += -HALF_LOG_2PI - ls;
    t2 = fma(r, -0.5 * (zz * zz), t2);
    t3 = fma(m * r, zz, t3);
    t4 += -0.5 * (m * m) * r;
  }
  logp[idx] = ((t1 + t2) + t3) + t4;
}

struct DpParams {
  tx: u32,     // valid tokens
  ty: u32,     // valid frames
  stride: u32, // row length of value/path (≥ ty)
  rows: u32,   // rows of value/path (≥ tx)
}

@group(0) @binding(0) var<uniform> dpp: DpParams;
@group(0) @binding(1) var<storage, read> value: array<f32>;      // [rows, stride]
@group(0) @binding(2) var<storage, read_write> q: array<f32>;    // [rows, stride] scratch
@group(0) @binding(3) var<storage, read_write> path: array<f32>; // [rows, stride]

const NEG: f32 = -1e9;

@compute @workgroup_size(WG)
fn dp(@builtin(local_invocation_id) lid: vec3u) {
  let tx = dpp.tx;
  let ty = dpp.ty;
  let s = dpp.stride;
  // Clear the whole path (masked cells stay 0).
  for (var n = lid.x; n < dpp.rows * s; n += WG) {
    path[n] = 0.0;
  }
  for (var j = 0u; j < ty; j++) {
    let lo = select(0u, tx + j - ty, tx + j > ty);
    let hi = min(tx, j + 1u);
    for (var i = lo + lid.x; i < hi; i += WG) {
      var cur = NEG;
      if (i != j) { cur = q[i * s + j - 1u]; }
      var prev = NEG;
      if (i == 0u) {
        if (j == 0u) { prev = 0.0; }
      } else {
        prev = q[(i - 1u) * s + j - 1u];
      }
      q[i * s + j] = max(cur, prev) + value[i * s + j];
    }
    storageBarrier();
    workgroupBarrier();
  }
  if (lid.x == 0u && tx > 0u && ty > 0u) {
    var index = tx - 1u;
    for (var j = i32(ty) - 1; j >= 0; j--) {
      let jj = u32(j);
      path[index * s + jj] = 1.0;
      if (index != 0u && (index == jj || q[index * s + jj - 1u] < q[(index - 1u) * s + jj - 1u])) {
        index -= 1u;
      }
    }
  }
}

// Short-time Fourier transform as Tacotron 2's stft.STFT computes it: reflect padding of n_fft/2,
// a periodic-Hann-windowed one-sided spectrum per hop, and the inverse by overlap-add of windowed
// inverse transforms divided by the window sum-square envelope. The transforms are real FFTs in
// workgroup memory (lib/fft.wgsl), one workgroup per frame; N = n_fft is an override constant.

#include "lib/index.wgsl"

override WG: u32 = 256;
override N: u32 = 1024;
override MAG: bool = false; // stft: write the magnitude [bins, frames] instead of [re | im]

@group(0) @binding(3) var<storage, read> ftw: array<vec2f>; // e^{-2πij/N}, j ≤ N/2

#include "lib/fft.wgsl"

struct StftParams {
  samples: u32,
  frames: u32, // frames computed, from frame0
  hop: u32,
  frame0: u32,
}

@group(0) @binding(0) var<uniform> sp: StftParams;
@group(0) @binding(1) var<storage, read> sx: array<f32>;
@group(0) @binding(2) var<storage, read> swin: array<f32>;
@group(0) @binding(4) var<storage, read_write> sy: array<f32>;

// Index into the signal reflect-padded by n_fft/2 on both sides (numpy/torch "reflect").
fn reflect(i: i32, n: i32) -> u32 {
  var j = i;
  if (j < 0) { j = -j; }
  if (j >= n) { j = 2 * (n - 1) - j; }
  return u32(clamp(j, 0, n - 1));
}

fn frame_of(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + wid.y * nwg.x;
}

@compute @workgroup_size(WG)
fn stft(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let f = frame_of(wid, nwg);
  if (f >= sp.frames) { return; }
  let m = N / 2u;
  let start = i32((sp.frame0 + f) * sp.hop) - i32(m);
  let n = i32(sp.samples);
  for (var t = lid; t < m; t += WG) {
    let a = start + i32(2u * t);
    fbuf[fft_slot(t)] = vec2f(swin[2u * t] * sx[reflect(a, n)], swin[2u * t + 1u] * sx[reflect(a + 1, n)]);
  }
  fft_stages(lid, false);
  let bins = m + 1u;
  for (var k = lid; k < bins; k += WG) {
    let x = rfft_bin(k);
    let i = k * sp.frames + f;
    if (MAG) {
      sy[i] = length(x);
    } else {
      sy[i] = x.x;
      sy[bins * sp.frames + i] = x.y;
    }
  }
}

// ---- denoiser: magnitude − strength·bias, clamped at 0, with the original phase ---------------

struct DenoiseParams {
  bins: u32,
  frames: u32,
  strength: f32,
}

@group(0) @binding(0) var<uniform> dp: DenoiseParams;
@group(0) @binding(1) var<storage, read> dspec: array<f32>;
@group(0) @binding(2) var<storage, read> dbias: array<f32>;
@group(0) @binding(3) var<storage, read_write> dout: array<f32>;

@compute @workgroup_size(WG)
fn denoise(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  let n = dp.bins * dp.frames;
  if (i >= n) { return; }
  let k = i / dp.frames;
  let re = dspec[i];
  let im = dspec[n + i];
  let mag = sqrt(re * re + im * im);
  let m2 = max(mag - dp.strength * dbias[k], 0.0);
  // cos/sin of atan2(im, re); atan2(0, 0) = 0 gives (1, 0).
  var c = 1.0;
  var s = 0.0;
  if (mag > 0.0) {
    c = re / mag;
    s = im / mag;
  }
  dout[i] = m2 * c;
  dout[n + i] = m2 * s;
}

// ---- inverse STFT -----------------------------------------------------------------------------
// Two passes. istft_frames: each frame's inverse real FFT (the imaginary parts of bins 0 and N/2
// ignored, as the pseudo-inverse of the one-sided DFT basis does), times the window, / N →
// [frames, N]. overlap_add: y[o] (o after the n_fft/2 trim) = Σ_frames frame_f[p − hop·f] / wss[p],
// p = o + n_fft/2, wss the window sum-square (division only where it exceeds f32's tiny, as
// librosa does).

struct FramesParams {
  frames: u32,
}

@group(0) @binding(0) var<uniform> fp: FramesParams;
@group(0) @binding(1) var<storage, read> fspec: array<f32>; // [2, N/2 + 1, frames]
@group(0) @binding(2) var<storage, read> fwin: array<f32>;
@group(0) @binding(4) var<storage, read_write> fout: array<f32>; // [frames, N]

@compute @workgroup_size(WG)
fn istft_frames(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let f = frame_of(wid, nwg);
  if (f >= fp.frames) { return; }
  let m = N / 2u;
  let nb = (m + 1u) * fp.frames;
  for (var k = lid; k < m; k += WG) {
    let a = k * fp.frames + f;
    let b = (m - k) * fp.frames + f;
    var x = vec2f(fspec[a], fspec[nb + a]);
    var xm = vec2f(fspec[b], fspec[nb + b]);
    if (k == 0u) {
      x.y = 0.0;
      xm.y = 0.0;
    }
    fbuf[fft_slot(k)] = irfft_pack(k, x, xm);
  }
  fft_stages(lid, true);
  let scale = 1.0 / f32(N);
  for (var t = lid; t < m; t += WG) {
    let z = fbuf[t] * scale;
    fout[f * N + 2u * t] = z.x * fwin[2u * t];
    fout[f * N + 2u * t + 1u] = z.y * fwin[2u * t + 1u];
  }
}

struct OlaParams {
  frames: u32,       // frames held, the first being frame0 of the utterance
  hop: u32,
  out_len: u32,      // samples written
  frame0: u32,
  out0: u32,         // utterance index (after the trim) of the first sample written
  total_frames: u32, // frames of the whole utterance
  dst: u32,          // where the first sample goes in the output
}

@group(0) @binding(0) var<uniform> op: OlaParams;
@group(0) @binding(1) var<storage, read> oframes: array<f32>; // [frames, N]
@group(0) @binding(2) var<storage, read> owin: array<f32>;
@group(0) @binding(3) var<storage, read_write> oy: array<f32>;

@compute @workgroup_size(WG)
fn overlap_add(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let o = flat(gid, nwg);
  if (o >= op.out_len) { return; }
  let p = op.out0 + o + N / 2u;
  // Utterance frames overlapping sample p, clipped to those held (the host picks windows that
  // hold all of them, so the sum and the envelope are those of the whole utterance).
  var f_lo = op.frame0;
  if (p + 1u > N) {
    f_lo = max(f_lo, (p + 1u - N + op.hop - 1u) / op.hop);
  }
  let f_hi = min(min(p / op.hop, op.total_frames - 1u), op.frame0 + op.frames - 1u);
  var acc = 0.0;
  var wss = 0.0;
  for (var f = f_lo; f <= f_hi; f++) {
    let n = p - op.hop * f;
    let w = owin[n];
    acc += oframes[(f - op.frame0) * N + n];
    wss = fma(w, w, wss);
  }
  if (wss > 1.1754944e-38) {
    acc /= wss;
  }
  oy[op.dst + o] = acc;
}

// Short-time Fourier transform as Tacotron 2's stft.STFT computes it: reflect padding of n_fft/2,
// a windowed one-sided DFT per hop (direct sums over a cos/sin table indexed by k·n mod n_fft,
// exact for any k), and the inverse by overlap-add of windowed inverse DFTs divided by the
// window sum-square envelope. One thread per output element.

#include "lib/index.wgsl"

override WG: u32 = 256;
override MAG: bool = false; // stft: write the magnitude [bins, frames] instead of [re | im]

struct StftParams {
  samples: u32,
  frames: u32, // frames computed, from frame0
  n_fft: u32,
  hop: u32,
  frame0: u32,
}

@group(0) @binding(0) var<uniform> sp: StftParams;
@group(0) @binding(1) var<storage, read> sx: array<f32>;
@group(0) @binding(2) var<storage, read> swin: array<f32>;
@group(0) @binding(3) var<storage, read> stab: array<f32>; // cos(2πm/N) for m < N, then sin(2πm/N)
@group(0) @binding(4) var<storage, read_write> sy: array<f32>;

// Index into the signal reflect-padded by n_fft/2 on both sides (numpy/torch "reflect").
fn reflect(i: i32, n: i32) -> u32 {
  var j = i;
  if (j < 0) { j = -j; }
  if (j >= n) { j = 2 * (n - 1) - j; }
  return u32(clamp(j, 0, n - 1));
}

@compute @workgroup_size(WG)
fn stft(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  let bins = sp.n_fft / 2u + 1u;
  if (i >= bins * sp.frames) { return; }
  let k = i / sp.frames;
  let f = i - k * sp.frames;
  let start = i32((sp.frame0 + f) * sp.hop) - i32(sp.n_fft / 2u);
  let n = i32(sp.samples);
  var re = 0.0;
  var im = 0.0;
  var m = 0u; // k·t mod n_fft, advanced incrementally
  for (var t = 0u; t < sp.n_fft; t++) {
    let v = swin[t] * sx[reflect(start + i32(t), n)];
    re = fma(v, stab[m], re);
    im = fma(-v, stab[sp.n_fft + m], im);
    m += k;
    if (m >= sp.n_fft) { m -= sp.n_fft; }
  }
  if (MAG) {
    sy[i] = sqrt(re * re + im * im);
  } else {
    sy[i] = re;
    sy[bins * sp.frames + i] = im;
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
// y[o] (o after the n_fft/2 trim) = Σ_frames w[n]·irDFT(frame)[n] / wss[p], p = o + n_fft/2,
// n = p − hop·f, where irDFT weights bin 0 and n_fft/2 by 1/N and the others by 2/N (the
// pseudo-inverse of the one-sided DFT basis), and wss is the window sum-square (division only
// where it exceeds f32's tiny, as librosa does).

struct IstftParams {
  frames: u32,       // frames in the spectrum, the first being frame0 of the utterance
  n_fft: u32,
  hop: u32,
  out_len: u32,      // samples written
  frame0: u32,
  out0: u32,         // utterance index (after the trim) of the first sample written
  total_frames: u32, // frames of the whole utterance
  dst: u32,          // where the first sample goes in the output
}

@group(0) @binding(0) var<uniform> ip: IstftParams;
@group(0) @binding(1) var<storage, read> ispec: array<f32>;
@group(0) @binding(2) var<storage, read> iwin: array<f32>;
@group(0) @binding(3) var<storage, read> itab: array<f32>;
@group(0) @binding(4) var<storage, read_write> iy: array<f32>;

@compute @workgroup_size(WG)
fn istft(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let o = flat(gid, nwg);
  if (o >= ip.out_len) { return; }
  let nfft = ip.n_fft;
  let bins = nfft / 2u + 1u;
  let nb = bins * ip.frames;
  let p = ip.out0 + o + nfft / 2u;
  // Utterance frames overlapping sample p, clipped to those this spectrum holds (the host picks
  // windows that hold all of them, so the sum and the envelope are those of the whole utterance).
  var f_lo = ip.frame0;
  if (p + 1u > nfft) {
    f_lo = max(f_lo, (p + 1u - nfft + ip.hop - 1u) / ip.hop);
  }
  let f_hi = min(min(p / ip.hop, ip.total_frames - 1u), ip.frame0 + ip.frames - 1u);
  let inv_n = 1.0 / f32(nfft);
  var acc = 0.0;
  var wss = 0.0;
  for (var f = f_lo; f <= f_hi; f++) {
    let n = p - ip.hop * f;
    let fl = f - ip.frame0;
    var frame = 0.0;
    var m = 0u; // k·n mod n_fft
    for (var k = 0u; k < bins; k++) {
      let re = ispec[k * ip.frames + fl];
      let im = ispec[nb + k * ip.frames + fl];
      var term = re * itab[m] - im * itab[nfft + m];
      if (k != 0u && k != bins - 1u) { term *= 2.0; }
      frame += term;
      m += n;
      if (m >= nfft) { m -= nfft; }
    }
    let w = iwin[n];
    acc = fma(frame * inv_n, w, acc);
    wss = fma(w, w, wss);
  }
  if (wss > 1.1754944e-38) {
    acc /= wss;
  }
  iy[ip.dst + o] = acc;
}

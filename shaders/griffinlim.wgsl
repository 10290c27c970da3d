// Griffin-Lim phase recovery (fast Griffin-Lim, Perraudin et al. 2013, as torchaudio's
// transforms.GriffinLim runs it) around flowgpu's Tacotron 2 STFT/iSTFT kernels (stft.wgsl).
// Spectra are [2, bins, frames]: real parts, then imaginary parts. One thread per element.

override WG: u32 = 256;

fn flat(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

// ---- magnitude from a log mel: max(0, pinv(mel_basis) · exp(mel)) ----------------------------

struct MagParams {
  bins: u32,
  frames: u32,
  n_mel: u32,
}

@group(0) @binding(0) var<uniform> mp: MagParams;
@group(0) @binding(1) var<storage, read> mpinv: array<f32>; // [bins, n_mel]
@group(0) @binding(2) var<storage, read> mmel: array<f32>;  // [n_mel, frames], natural log
@group(0) @binding(3) var<storage, read_write> mout: array<f32>; // [bins, frames]

@compute @workgroup_size(WG)
fn magnitude(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= mp.bins * mp.frames) { return; }
  let k = i / mp.frames;
  let f = i - k * mp.frames;
  var acc = 0.0;
  for (var m = 0u; m < mp.n_mel; m++) {
    acc = fma(mpinv[k * mp.n_mel + m], exp(mmel[m * mp.frames + f]), acc);
  }
  mout[i] = max(acc, 0.0);
}

// ---- initial spectrum: the magnitude with a pseudo-random phase from (seed, index) ------------

struct InitParams {
  n: u32, // bins · frames
  seed: u32,
}

@group(0) @binding(0) var<uniform> ip: InitParams;
@group(0) @binding(1) var<storage, read> imag: array<f32>;
@group(0) @binding(2) var<storage, read_write> iout: array<f32>;

// A 32-bit integer hash (lowbias32 by C. Wellons); griffinlim.ts has the same for the CPU reference.
fn hash(x0: u32) -> u32 {
  var x = x0;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

@compute @workgroup_size(WG)
fn init(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= ip.n) { return; }
  let h = hash(i ^ hash(ip.seed));
  let phase = 6.283185307179586 * (f32(h >> 8u) / 16777216.0);
  iout[i] = imag[i] * cos(phase);
  iout[ip.n + i] = imag[i] * sin(phase);
}

// ---- one phase update: a = rebuilt − alpha·prev; spec = mag · a / (|a| + 1e-16) -------------

struct UpdateParams {
  n: u32,
  alpha: f32, // momentum / (1 + momentum)
}

@group(0) @binding(0) var<uniform> up: UpdateParams;
@group(0) @binding(1) var<storage, read> urebuilt: array<f32>;
@group(0) @binding(2) var<storage, read> uprev: array<f32>;
@group(0) @binding(3) var<storage, read> umag: array<f32>;
@group(0) @binding(4) var<storage, read_write> uout: array<f32>;

@compute @workgroup_size(WG)
fn update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= up.n) { return; }
  let re = urebuilt[i] - up.alpha * uprev[i];
  let im = urebuilt[up.n + i] - up.alpha * uprev[up.n + i];
  let s = umag[i] / (sqrt(re * re + im * im) + 1e-16);
  uout[i] = re * s;
  uout[up.n + i] = im * s;
}

// A real FFT of N points (a power of two, 4 ≤ N) per workgroup, as an N/2-point complex FFT in
// workgroup memory: the even samples packed as real parts and the odd ones as imaginary parts,
// radix-2 decimation in time in place (loaded in bit-reversed order, so each butterfly reads and
// writes its own two slots and one barrier per stage suffices), then unpacked into the one-sided
// spectrum. N/2 complex values take 4·N bytes: 16 KiB, the WebGPU default limit, at N = 4096.
// The including shader declares `override WG` (threads), `override N` and binds `ftw`:
// e^{-2πij/N} for j ≤ N/2 (from float64 on the host: f32 cos/sin of large angles is too coarse).

var<workgroup> fbuf: array<vec2f, N / 2u>;

fn cmul(a: vec2f, b: vec2f) -> vec2f {
  return vec2f(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

fn conj(a: vec2f) -> vec2f {
  return vec2f(a.x, -a.y);
}

// The slot of input t: its index bit-reversed over log2(N/2) bits.
fn fft_slot(t: u32) -> u32 {
  return reverseBits(t) >> (33u - countTrailingZeros(N));
}

// The N/2-point FFT of fbuf (forward, or the unscaled inverse with conjugate twiddles), in place;
// barriers before and after, so callers fill and read fbuf freely around it.
fn fft_stages(lid: u32, inverse: bool) {
  let m = N / 2u;
  for (var half = 1u; half < m; half <<= 1u) {
    workgroupBarrier();
    let stride = m / half; // W_{2·half}^j = W_N^{j·N/(2·half)}
    for (var b = lid; b < m / 2u; b += WG) {
      let j = b & (half - 1u);
      let i0 = 2u * b - j;
      var w = ftw[j * stride];
      if (inverse) { w.y = -w.y; }
      let u = fbuf[i0];
      let v = cmul(fbuf[i0 + half], w);
      fbuf[i0] = u + v;
      fbuf[i0 + half] = u - v;
    }
  }
  workgroupBarrier();
}

// Bin k ≤ N/2 of the real input's spectrum, from the packed FFT Z now in fbuf:
// X[k] = E + W^k·O with E = (Z[k] + conj Z[M−k]) / 2, O = (Z[k] − conj Z[M−k]) / 2i, M = N/2.
fn rfft_bin(k: u32) -> vec2f {
  let m = N / 2u;
  let z = fbuf[k % m];
  let zc = conj(fbuf[(m - k) % m]);
  let e = 0.5 * (z + zc);
  let d = z - zc;
  let o = vec2f(0.5 * d.y, -0.5 * d.x);
  return e + cmul(ftw[k], o);
}

// The packed value to inverse-transform for bins x = X[k], xm = X[M−k] (k < M): 2·(E + i·O), with
// E, O the even/odd half-spectra; the unscaled inverse then gives N·(x[2t] + i·x[2t+1]).
fn irfft_pack(k: u32, x: vec2f, xm: vec2f) -> vec2f {
  let xc = conj(xm);
  let o = cmul(x - xc, conj(ftw[k]));
  return x + xc + vec2f(-o.y, o.x);
}

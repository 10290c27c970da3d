// 2-D convolution with a fused per-channel affine epilogue (bias, or eval-mode BatchNorm folded
// with the bias) and ReLU: the convolutions of XSpkEmoTrans' reference encoder (its GRU is
// src/ops/rnn.ts `gru`).
// Kernels: shaders/conv2d.wgsl.
import source from '../../shaders/conv2d.wgsl';
import { type Engine, grid } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';

const family = 'conv2d';
const WG = 64;

type Pair = number | [number, number];
const pair = (v: Pair | undefined, d: number): [number, number] => (v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : v);

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  /** Per-output-channel multiplier applied before `bias` (a folded BatchNorm's γ/√(σ²+ε)). */
  scale?: Tensor;
  activation?: 'none' | 'relu';
  /** 'chw' (default): `[Cout, Ho, Wo]`; 'hcw': `[Ho, Cout, Wo]` (transpose(1, 2) of torch's NCHW). */
  outLayout?: 'chw' | 'hcw';
}

/** Output size of one conv axis. */
export function convOutSize(n: number, k: number, s: number, p: number, d = 1): number {
  return Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
}

/**
 * torch `Conv2d` on one image x `[Cin, H, W]` (or `[1, Cin, H, W]`) with weight
 * `[Cout, Cin, KH, KW]`: `y = act(conv(x) · scale + bias)`.
 */
export function conv2d(e: Engine, x: Tensor, weight: Tensor, bias?: Tensor, o: Conv2dOptions = {}): Tensor {
  const label = 'conv2d';
  const xs = x.shape.length === 4 && x.dim(0) === 1 ? x.shape.slice(1) : x.shape;
  if (xs.length !== 3) throw new FlowgpuError(`${label}: input must be [Cin, H, W], got ${describeShape(x.shape)}`);
  if (weight.shape.length !== 4) throw new FlowgpuError(`${label}: weight must be [Cout, Cin, KH, KW], got ${describeShape(weight.shape)}`);
  const [cin, h, w] = xs as [number, number, number];
  const [cout, wcin, kh, kw] = weight.shape as [number, number, number, number];
  if (wcin !== cin) throw new FlowgpuError(`${label}: input ${describeShape(x.shape)} has ${cin} channels, weight ${describeShape(weight.shape)} expects ${wcin}`);
  const [sh, sw] = pair(o.stride, 1);
  const [ph, pw] = pair(o.padding, 0);
  const [dh, dw] = pair(o.dilation, 1);
  const ho = convOutSize(h, kh, sh, ph, dh);
  const wo = convOutSize(w, kw, sw, pw, dw);
  if (ho < 1 || wo < 1) {
    throw new FlowgpuError(`${label}: input ${describeShape(x.shape)} is too small for kernel ${kh}×${kw} (stride ${sh}×${sw}, padding ${ph}×${pw})`);
  }
  for (const [n, t] of [['bias', bias], ['scale', o.scale]] as const) {
    if (t && t.size !== cout) throw new FlowgpuError(`${label}: ${n} ${describeShape(t.shape)} should have ${cout} elements`);
  }
  const hcw = o.outLayout === 'hcw';
  const y = e.empty(hcw ? [ho, cout, wo] : [cout, ho, wo], 'f32', label);
  const [ycs, yhs, yws] = hcw ? [wo, cout * wo, 1] : [ho * wo, wo, 1];
  const zeros = bias ? undefined : e.upload(new Float32Array(cout), [cout], `${label}.zero-bias`);
  e.dispatch({
    kernel: { family, source, entry: 'main', constants: { WG, SCALE: o.scale ? 1 : 0, RELU: o.activation === 'relu' ? 1 : 0 } },
    params: [cin, h, w, cout, ho, wo, kh, kw, sh, sw, ph, pw, dh, dw, ycs, yhs, yws],
    bindings: [x, weight, o.scale, bias ?? zeros!, y],
    workgroups: grid(e, Math.ceil((cout * ho * wo) / WG)),
  });
  return y;
}

/** Folds eval-mode BatchNorm (running stats) after a conv with `bias` into `{ scale, shift }`:
 *  `bn(acc + b) = acc · scale + shift`. Computed in float64. */
export function foldBatchNorm(
  bias: Float32Array | undefined, gamma: Float32Array, beta: Float32Array, mean: Float32Array, variance: Float32Array, eps = 1e-5,
): { scale: Float32Array; shift: Float32Array } {
  const n = gamma.length;
  const scale = new Float32Array(n);
  const shift = new Float32Array(n);
  for (let c = 0; c < n; c++) {
    const s = gamma[c]! / Math.sqrt(variance[c]! + eps);
    scale[c] = s;
    shift[c] = ((bias?.[c] ?? 0) - mean[c]!) * s + beta[c]!;
  }
  return { scale, shift };
}

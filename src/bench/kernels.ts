// Kernel benchmarks at the shapes the models run, plus the peak probe (large matmul, large copy).
// Families that are not in src/ops yet are skipped; a failing kernel becomes a row with a note.
import type { Engine } from '../gpu/engine.js';
import type { Tensor } from '../gpu/tensor.js';
import * as ops from '../ops/index.js';
import { useSubgroupKernels } from '../ops/subgroup.js';
import { type Benchmark, type BenchOptions, dims, randomTensor, type Row, time, wants } from './harness.js';

const F = 4; // bytes per f32

/** An op exported by src/ops under `name`, if it has landed. */
function op(name: string): ((...args: unknown[]) => Tensor) | undefined {
  const f = (ops as Record<string, unknown>)[name];
  return typeof f === 'function' ? (f as (...args: unknown[]) => Tensor) : undefined;
}

async function matmuls(e: Engine, o: BenchOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const sizes = o.quick ? [256, 512] : [256, 512, 1024];
  for (const n of sizes) {
    if (!wants(o, 'matmul', dims(n, n, n))) continue;
    const a = randomTensor(e, [n, n], 1, 1);
    const b = randomTensor(e, [n, n], 1, 2);
    rows.push(await time(e, 'matmul', dims(n, n, n), () => ops.matmul(e, a, b), { bench: o, flops: 2 * n ** 3, bytes: 3 * n * n * F }));
    rows.push(await time(e, 'matmul Bᵀ', dims(n, n, n), () => ops.matmul(e, a, b, { transB: true }), { bench: o, flops: 2 * n ** 3, bytes: 3 * n * n * F }));
    a.release();
    b.release();
  }
  // One LSTM step of a 1024-hidden layer: [1, 1024] · [4096, 1024]ᵀ (bandwidth-bound: it reads the weight).
  if (wants(o, 'linear', 'lstm')) {
    const x = randomTensor(e, [1, 1024]);
    const w = randomTensor(e, [4096, 1024], 0.03);
    const bias = randomTensor(e, [4096]);
    rows.push(await time(e, 'linear (LSTM step)', '[1,1024]·[4096,1024]ᵀ', () => ops.linear(e, x, w, bias), {
      bench: o, flops: 2 * 4096 * 1024, bytes: (4096 * 1024 + 1024 + 2 * 4096) * F,
    }));
    // The same weight over a whole sequence at once (the input projection of a layer).
    const t = o.quick ? 64 : 256;
    const xs = randomTensor(e, [t, 1024]);
    rows.push(await time(e, 'linear (LSTM input proj)', `[${t},1024]·[4096,1024]ᵀ`, () => ops.linear(e, xs, w, bias), {
      bench: o, flops: 2 * t * 4096 * 1024, bytes: (4096 * 1024 + t * 1024 + t * 4096) * F,
    }));
    for (const t of [x, w, bias, xs]) t.release();
  }
  return rows;
}

async function convs(e: Engine, o: BenchOptions): Promise<Row[]> {
  const rows: Row[] = [];
  // A random Conv1d weight in the layout the models use here (transposed for the subgroup kernel).
  const convWeight = (cout: number, cin: number, k: number, scale: number): Tensor | ops.TransposedConvWeight =>
    useSubgroupKernels(e) ? { tensor: randomTensor(e, [cin * k, ops.vec4Channels(cout)], scale), shape: [cout, cin, k] } : randomTensor(e, [cout, cin, k], scale);
  const release = (...ts: (Tensor | ops.TransposedConvWeight)[]): void => {
    for (const t of ts) ('tensor' in t ? t.tensor : t).release();
  };
  const T = o.quick ? 512 : 2048;
  if (wants(o, 'conv1d', 'WN')) {
    // WaveGlow WN in_layer: 256 channels → 512, kernel 3, dilation 4.
    const x = randomTensor(e, [256, T]);
    const w = convWeight(512, 256, 3, 0.05);
    const b = randomTensor(e, [512]);
    rows.push(await time(e, 'conv1d WN k3 d4', `[256,${T}]*[512,256,3]`, () => ops.conv1d(e, x, w, b, { dilation: 4, padding: 4 }), {
      bench: o, flops: 2 * 512 * 256 * 3 * T, bytes: (256 * T + 512 * 256 * 3 + 512 * T) * F,
    }));
    // WN res_skip 1x1: 256 → 512.
    const w1 = convWeight(512, 256, 1, 0.05);
    rows.push(await time(e, 'conv1d 1x1 res_skip', `[256,${T}]*[512,256,1]`, () => ops.conv1d(e, x, w1, b), {
      bench: o, flops: 2 * 512 * 256 * T, bytes: (256 * T + 512 * 256 + 512 * T) * F,
    }));
    release(x, w, b, w1);
  }
  if (wants(o, 'conv1d', 'cond')) {
    // WaveGlow cond_layer: 640 (80 mels × 8 grouped) → 4096 (2·256·8 layers), 1x1.
    const tc = o.quick ? 128 : 512;
    const x = randomTensor(e, [640, tc]);
    const w = convWeight(4096, 640, 1, 0.04);
    rows.push(await time(e, 'conv1d 1x1 cond 640→4096', `[640,${tc}]*[4096,640,1]`, () => ops.conv1d(e, x, w), {
      bench: o, flops: 2 * 4096 * 640 * tc, bytes: (640 * tc + 4096 * 640 + 4096 * tc) * F,
    }));
    release(x, w);
  }
  if (wants(o, 'conv1d', 'hifigan')) {
    // HiFi-GAN V1 first resblock: 256 channels, kernel 3, dilation 3, at 8× the mel rate.
    const tt = o.quick ? 1024 : 4096;
    const x = randomTensor(e, [256, tt]);
    const w = convWeight(256, 256, 3, 0.05);
    rows.push(await time(e, 'conv1d hifigan k3 d3', `[256,${tt}]*[256,256,3]`, () => ops.conv1d(e, x, w, undefined, { dilation: 3, padding: 3 }), {
      bench: o, flops: 2 * 256 * 256 * 3 * tt, bytes: (2 * 256 * tt + 256 * 256 * 3) * F,
    }));
    release(x, w);
  }
  if (wants(o, 'convTranspose1d')) {
    // WaveGlow upsample: 80 → 80, kernel 1024, stride 256 (useful taps only: 4 per output).
    const frames = o.quick ? 16 : 64;
    const x = randomTensor(e, [80, frames]);
    const w = randomTensor(e, [80, 80, 1024], 0.01);
    const tout = (frames - 1) * 256 + 1024;
    rows.push(await time(e, 'convTranspose1d k1024 s256', `[80,${frames}]*[80,80,1024]`, () => ops.convTranspose1d(e, x, w, undefined, { stride: 256 }), {
      bench: o, flops: 2 * 80 * 80 * 1024 * frames, bytes: (80 * frames + 80 * 80 * 1024 + 80 * tout) * F,
    }));
    // HiFi-GAN first upsample: 512 → 256, kernel 16, stride 8, padding 4.
    const xh = randomTensor(e, [512, frames * 2]);
    const wh = randomTensor(e, [512, 256, 16], 0.02);
    rows.push(await time(e, 'convTranspose1d k16 s8', `[512,${frames * 2}]*[512,256,16]`, () => ops.convTranspose1d(e, xh, wh, undefined, { stride: 8, padding: 4 }), {
      bench: o, flops: 2 * 512 * 256 * 16 * frames * 2, bytes: (512 * frames * 2 + 512 * 256 * 16 + 256 * frames * 16) * F,
    }));
    for (const t of [x, w, xh, wh]) t.release();
  }
  return rows;
}

async function elementwise(e: Engine, o: BenchOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const T = o.quick ? 2048 : 8192;
  const x = randomTensor(e, [512, T]);
  const c = randomTensor(e, [512, T]);
  rows.push(await time(e, 'gate tanh·sigmoid', `[512,${T}]+cond`, () => ops.gatedTanhSigmoid(e, x, c), { bench: o, bytes: (512 + 512 + 256) * T * F }));
  rows.push(await time(e, 'add', `[512,${T}]`, () => ops.add(e, x, c), { bench: o, bytes: 3 * 512 * T * F }));
  rows.push(await time(e, 'exp', `[512,${T}]`, () => ops.exp(e, x), { bench: o, bytes: 2 * 512 * T * F }));
  x.release();
  c.release();
  return rows;
}

/** Kernel families that other engineers are landing: timed only when src/ops exports them. */
async function others(e: Engine, o: BenchOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const T = o.quick ? 512 : 2048;
  const x = randomTensor(e, [512, T]);
  const gamma = randomTensor(e, [512]);
  const beta = randomTensor(e, [512]);
  const mb = 512 * T * F;
  const tryOp = async (name: string, kernel: string, shape: string, fn: (f: (...args: unknown[]) => Tensor) => Tensor, bytes: number): Promise<void> => {
    const f = op(name);
    if (f) rows.push(await time(e, kernel, shape, () => fn(f), { bench: o, bytes }));
  };
  await tryOp('softmax', 'softmax rows', `[512,${T}]`, (f) => f(e, x, {}), 2 * mb);
  await tryOp('layerNorm', 'layerNorm channels', `[512,${T}]`, (f) => f(e, x, gamma, beta, { eps: 1e-5, axis: 'channels' }), 2 * mb);
  await tryOp('instanceNorm', 'instanceNorm', `[512,${T}]`, (f) => f(e, x, gamma, beta, 1e-5), 2 * mb);
  await tryOp('permute', 'permute [1,0]', `[512,${T}]`, (f) => f(e, x, [1, 0]), 2 * mb);
  await tryOp('flip', 'flip axis 0', `[512,${T}]`, (f) => f(e, x, 0), 2 * mb);
  await tryOp('concat', 'concat axis 0', `2×[512,${T}]`, (f) => f(e, [x, x], 0), 4 * mb);
  await tryOp('slice', 'slice axis 0', `[512,${T}]→[256,${T}]`, (f) => f(e, x, 0, 128, 384), mb);
  await tryOp('sum', 'sum axis 1', `[512,${T}]`, (f) => f(e, x, 1), mb);
  await tryOp('mean', 'mean axis 0', `[512,${T}]`, (f) => f(e, x, 0), mb);
  await tryOp('randn', 'randn', `[512,${T}]`, (f) => f(e, [512, T], 1234), mb);
  const ids = e.persistent(Int32Array.from({ length: 1024 }, (_, i) => (i * 37) % 148), [1024], 'bench-ids');
  const table = randomTensor(e, [148, 512]);
  await tryOp('embedding', 'embedding', '1024 ids·[148,512]', (f) => f(e, ids, table), 2 * 1024 * 512 * F);
  // One step of a 1024-hidden LSTM with the input projection precomputed.
  const H = 1024;
  const xProj = randomTensor(e, [4 * H]);
  const h = randomTensor(e, [H]);
  const cc = randomTensor(e, [H]);
  const whh = randomTensor(e, [4 * H, H], 0.03);
  await tryOp('lstmCell', 'lstmCell H=1024', `[4096,1024]`, (f) => f(e, { xProj, h, c: cc, whh }), (4 * H * H + 8 * H) * F);
  for (const t of [x, gamma, beta, ids, table, xProj, h, cc, whh]) t.release();
  return rows;
}

/** Peak probe: a large buffer copy (GB/s); the GFLOP/s peak is the best matmul row. */
async function copyProbe(e: Engine, o: BenchOptions): Promise<Row[]> {
  const n = (o.quick ? 16 : 64) * 2 ** 18; // 16 or 64 MiB
  const src = e.persistent(new Float32Array(n), [n], 'bench-copy');
  const dst = e.persistent(new Float32Array(n), [n], 'bench-copy');
  const row = await time(e, 'copy (peak probe)', `${(n * F) / 2 ** 20} MiB`, () => e.copy(src, dst), { bench: o, bytes: 2 * n * F });
  src.release();
  dst.release();
  return [row];
}

export const kernelBenchmarks: Benchmark[] = [
  { name: 'matmul', run: matmuls },
  { name: 'conv', run: convs },
  { name: 'elementwise', run: elementwise },
  { name: 'ops', run: others },
  { name: 'peak', run: copyProbe },
];

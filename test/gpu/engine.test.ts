import { Engine } from '../../src/gpu/engine.js';
import { bindingAccess, PipelineCache } from '../../src/gpu/pipelines.js';
import { checkPrecision, type Precision, typedKernel } from '../../src/gpu/precision.js';
import { bucketSize } from '../../src/gpu/pool.js';
import { Tensor } from '../../src/gpu/tensor.js';
import { add } from '../../src/ops/elementwise.js';
import { assert, assertArrayEqual, assertEqual, assertRejects } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import source from '../../shaders/elementwise.wgsl';

describe('engine', () => {
  it('says how to get an adapter when there is none', async () => {
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    await assertRejects(() => Engine.create({ gpu: noAdapter }), /No WebGPU adapter was found.*setup-lavapipe.*flowgpu doctor/s);
  });

  it('names the op, the shape and the limit for a binding over maxStorageBufferBindingSize', async () => {
    const e = await getEngine();
    const small = e.empty([4]);
    // A tensor whose shape claims more than the limit: the check must fire before any GPU work.
    const rows = Math.ceil(e.limits.maxStorageBufferBindingSize / 4 / 1024) + 1;
    const huge = new Tensor(e, small.buffer, [rows, 1024]);
    const dispatch = (): void => e.dispatch({ label: 'add', kernel: { family: 'elementwise', source, entry: 'binary' }, bindings: [huge, small, small], workgroups: [1] });
    await assertRejects(dispatch, new RegExp(`add: binding 1 of shape \\[${rows}, 1024\\] is \\d+ bytes \\([0-9.]+ MiB\\), over this adapter's maxStorageBufferBindingSize of \\d+ bytes`));
  });

  it('names the op and the shape for a tensor over maxBufferSize', async () => {
    const e = await getEngine();
    const n = Math.ceil(e.limits.maxBufferSize / 4) + 1;
    await assertRejects(() => e.empty([n], 'f32', 'conv1d'), /conv1d: a tensor of shape \[\d+\] needs [0-9.]+ MiB, over this adapter's maxBufferSize/);
  });

  it('refuses more storage buffers than the adapter allows per stage', async () => {
    const e = await getEngine();
    const t = e.empty([4]);
    const many = Array.from({ length: e.limits.maxStorageBuffersPerShaderStage + 1 }, () => t);
    await assertRejects(
      () => e.dispatch({ kernel: { family: 'elementwise', source, entry: 'binary' }, bindings: many, workgroups: [1] }),
      /elementwise\.binary: needs \d+ storage buffers, this adapter allows \d+ per stage/,
    );
  });

  it('reuses pooled buffers and tidy() releases all but the result', async () => {
    const e = await getEngine();
    const a = e.upload(new Float32Array([1, 2, 3]), [3]);
    const kept = e.tidy(() => {
      const t = add(e, a, a);
      return add(e, t, a);
    });
    assertArrayEqual(await e.readF32(kept), [3, 6, 9], 'tidy result');
    const freed = e.empty([3]);
    // The intermediate's buffer came back to the pool and is handed out again.
    assert(!kept.isReleased, 'the result survives tidy');
    freed.release();
    assertEqual(bucketSize(12), 256, 'smallest bucket');
    assertEqual(bucketSize(1000), 1024, 'bucket rounds to quarter powers of two');
    assertEqual(bucketSize(1100), 1280, 'bucket rounds to quarter powers of two');
  });

  it('reads several tensors with one wait, in any dtype', async () => {
    const e = await getEngine();
    const f = e.upload(new Float32Array([0.5, -1]), [2]);
    const i = e.upload(new Int32Array([-7, 9, 11]), [3]);
    const [rf, ri] = await e.readMany([f, i]);
    assertArrayEqual(rf!, [0.5, -1], 'f32');
    assertArrayEqual(ri!, [-7, 9, 11], 'i32');
    assert(ri instanceof Int32Array, 'i32 comes back as Int32Array');
  });

  it('keeps one placeholder binding per engine, outside every tidy scope', async () => {
    const e = await getEngine();
    e.tidy(() => {
      e.placeholder(); // made inside a scope
      return null;
    });
    const ph = e.placeholder();
    assert(!ph.isReleased, 'tidy does not release the placeholder');
    assert(e.placeholder() === ph, 'the same tensor each time');
    ph.release();
    const again = e.placeholder();
    assert(again !== ph && !again.isReleased, 'a released placeholder is made again');
  });

  it('rejects an upload that does not fill its shape', async () => {
    const e = await getEngine();
    await assertRejects(() => e.upload(new Float32Array(5), [2, 3], 'mel'), /mel: 5 values do not fill shape \[2, 3\]/);
  });

  // A kernel that adds an optional bias (binding 2, read only when has_bias is 1) into y.
  const biasKernel = {
    family: 'test-bias',
    entry: 'main',
    source: `
struct Params { n: u32, has_bias: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0)
@binding(2) var<storage> bias: array<f32>;
@binding(3) @group(0) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x >= p.n) { return; }
  y[g.x] = x[g.x] + select(0.0, bias[g.x], p.has_bias == 1u);
}`,
  };

  it('reads each binding\'s access from its WGSL declaration, in any attribute order', () => {
    const access = bindingAccess(biasKernel);
    const want = [[1, { name: 'x', write: false, half: false }], [2, { name: 'bias', write: false, half: false }], [3, { name: 'y', write: true, half: false }]];
    assertEqual(JSON.stringify([...access]), JSON.stringify(want), 'access');
  });

  it('reads an f16 element type through the alias a typed kernel\'s prelude sets', () => {
    const half = typedKernel('test-bias', biasKernel.source.replace('bias: array<f32>', 'bias: array<wtype>'), { wtype: 'f16' });
    assertEqual(half.family, 'test-bias[wtype: f16]', 'family');
    assertEqual(JSON.stringify([...bindingAccess({ ...half, entry: 'main' })].map(([i, a]) => [i, a.half])), '[[1,false],[2,true],[3,false]]', 'half');
  });

  it('stores f16 tensors two values to a word, padded to whole words, and reads them back', async () => {
    const e = await getEngine();
    const bits = Uint16Array.from([0x3c00, 0xc000, 0x3555, 0x7bff, 0x0001]); // 1, −2, ≈1/3, 65504, the smallest subnormal
    const t = e.upload(bits, [5]);
    assertEqual(t.toString(), 'Tensor<f16>[5]', 'tensor');
    assertEqual(t.byteLength, 12, 'byteLength (5 halves → 3 words)');
    const back = await e.read(t);
    assert(back instanceof Uint16Array, 'f16 reads back as Uint16Array bits');
    assertArrayEqual(back, bits, 'f16 bits');
    await assertRejects(() => e.copy(t, e.empty([5], 'f16'), 3, 1), /copy: 3 elements from Tensor<f16>\[5\] at 1 .* are not whole 4-byte words/);
  });

  it('refuses an f16 tensor in a binding declared f32, and an f32 tensor in an f16 one', async () => {
    const e = await getEngine();
    const x = e.upload(Uint16Array.from([0x3c00, 0x3c00, 0x3c00]), [3]);
    const y = e.empty([3]);
    await assertRejects(() => e.dispatch({ kernel: biasKernel, params: [3, 0], bindings: [x, undefined, y], workgroups: [1] }), /test-bias\.?\w*: binding 1 \(x\) holds 32-bit values, but was given Tensor<f16>\[3\]/);
    const half = { ...typedKernel('test-bias', biasKernel.source.replace('bias: array<f32>', 'bias: array<wtype>').replace('bias[g.x]', 'f32(bias[g.x])'), { wtype: 'f16' }), entry: 'main' };
    await assertRejects(() => e.dispatch({ kernel: half, params: [3, 1], bindings: [y, y, e.empty([3])], workgroups: [1] }), /binding 2 \(bias\) holds f16 values, but was given Tensor<f32>\[3\]/);
    if (e.hasF16) {
      e.dispatch({ kernel: half, params: [3, 1], bindings: [e.upload(new Float32Array([1, 2, 3]), [3]), x, y], workgroups: [1] });
      assertArrayEqual(await e.read(y), [2, 3, 4], 'x + f16 bias');
    } else {
      await assertRejects(() => e.dispatch({ kernel: half, params: [3, 1], bindings: [e.upload(new Float32Array([1, 2, 3]), [3]), x, y], workgroups: [1] }), /reads f16 weights, but the adapter has no 'shader-f16' feature.*precision 'f32'/);
    }
  });

  // What SwiftShader and Dawn's GL backend do, on any adapter: a device without shader-f16.
  it('without shader-f16, precision \'f16\' and an f16 kernel fail with what to do', async () => {
    const noF16 = { hasF16: false, adapterName: 'SwiftShader (navigator.gpu)' } as Engine;
    await assertRejects(() => checkPrecision(noF16, 'f16', 'WaveGlow'), /WaveGlow: precision 'f16' needs the WebGPU feature 'shader-f16', which this adapter \(SwiftShader \(navigator\.gpu\)\) does not offer .*load with precision 'f32' \(the default\)/);
    assertEqual(checkPrecision(noF16, 'f32', 'WaveGlow'), 'f32', 'f32 needs nothing');
    await assertRejects(() => checkPrecision(noF16, 'f8' as Precision, 'HiFi-GAN'), /HiFi-GAN: precision must be 'f32' or 'f16', got f8/);
    const cache = new PipelineCache({ features: new Set<string>() } as unknown as GPUDevice);
    const kernel = { ...typedKernel('test-bias', biasKernel.source.replace('bias: array<f32>', 'bias: array<wtype>'), { wtype: 'f16' }), entry: 'main' };
    await assertRejects(() => cache.get(kernel), /test-bias\[wtype: f16\]: this kernel reads f16 weights, but the adapter has no 'shader-f16' feature .*use precision 'f32'/);
  });

  it('binds a spare buffer for an absent input and refuses an output that aliases an input', async () => {
    const e = await getEngine();
    const x = e.upload(new Float32Array([1, 2, 3]), [3]);
    const y = e.empty([3]);
    e.dispatch({ kernel: biasKernel, params: [3, 0], bindings: [x, undefined, y], workgroups: [1] });
    assertArrayEqual(await e.read(y), [1, 2, 3], 'no bias');
    const b = e.upload(new Float32Array([10, 20, 30]), [3]);
    e.dispatch({ kernel: biasKernel, params: [3, 1], bindings: [x, b, y], workgroups: [1] });
    assertArrayEqual(await e.read(y), [11, 22, 33], 'with bias');
    await assertRejects(
      () => e.dispatch({ kernel: biasKernel, label: 'addBias', params: [3, 1], bindings: [x, b, x], workgroups: [1] }),
      /addBias: its output y \(binding 3\) shares a buffer with its input x \(binding 1\); write to a separate tensor/,
    );
    // Reading one tensor through two read-only bindings is allowed.
    e.dispatch({ kernel: biasKernel, params: [3, 1], bindings: [x, x, y], workgroups: [1] });
    assertArrayEqual(await e.read(y), [2, 4, 6], 'x + x');
  });
});

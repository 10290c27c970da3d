import { loadCheckpoint, toFloat32, withPrefix } from '../../src/io/checkpoint.js';
import { tensorBytes } from '../../src/io/dtype.js';
import { numel, type Checkpoint, type HostTensor } from '../../src/io/host-tensor.js';
import { PyDict } from '../../src/io/pickle.js';
import { TorchTensor, readTorch, upgradeWaveGlowLayout } from '../../src/io/torch.js';
import { foldPair } from '../../src/io/weightnorm.js';
import { assert, assertArrayEqual, assertEqual, assertRejects } from '../helpers/check.js';
import { readFileBytes } from '../helpers/files.js';
import {
  VIEWS_LEGACY_PT, VIEWS_ZIP_PT, bytes, fromBase64, goldenBytes, legacyFile, pstr, ptensor,
} from './fixtures.js';

/** Same names, dtypes, shapes and bytes. torch's 0-d tensors are stored as [1] in the golden files. */
function assertSameTensors(actual: Checkpoint, expected: Checkpoint, what: string): void {
  assertEqual(actual.tensors.size, expected.tensors.size, `${what}: tensor count`);
  for (const [k, want] of expected.tensors) {
    const got = actual.tensors.get(k);
    assert(got, `${what}: missing ${k}`);
    assertEqual(got.dtype, want.dtype, `${what}: ${k} dtype`);
    const shapeOk = got.shape.join() === want.shape.join() || (got.shape.length === 0 && want.shape.join() === '1');
    assert(shapeOk, `${what}: ${k} shape [${got.shape}] vs [${want.shape}]`);
    assertArrayEqual(tensorBytes(got), tensorBytes(want), `${what}: ${k} bytes`);
  }
}

const PAIRS: [string, string][] = [
  ['waveglow-small.zip.pt', 'waveglow-small.safetensors'],
  ['waveglow-small.legacy.pt', 'waveglow-small.safetensors'],
  ['flowtron-small.zip.pt', 'flowtron-small.safetensors'],
  ['glowtts-small.zip.pt', 'glowtts-small.safetensors'],
  ['cset-small.pth.tar', 'cset-small.safetensors'],
  ['hifigan-small.pth.tar', 'hifigan-small.safetensors'],
];

describe('torch.save reader', () => {
  for (const [pt, st] of PAIRS) {
    it(`${pt} equals the golden weights bit for bit`, async () => {
      const ckpt = loadCheckpoint(await goldenBytes(pt));
      const golden = withPrefix(loadCheckpoint(await goldenBytes(st)), 'weights.');
      assertSameTensors(ckpt, golden, pt);
    });
  }

  it('walks whole pickled modules (zip and legacy) and says where the weights came from', async () => {
    for (const [name, layout] of [['waveglow-small.zip.pt', 'zip'], ['waveglow-small.legacy.pt', 'legacy']]) {
      const ckpt = loadCheckpoint(await goldenBytes(name!));
      assertEqual(ckpt.metadata['torch.layout'], layout, 'layout');
      assertEqual(ckpt.metadata['torch.source'], "['model']: whole glow.WaveGlow module", 'source');
      assertEqual(ckpt.metadata['torch.iteration'], '1000', 'scalar entries');
      // weight-normed layers also pickle a computed `weight` attribute: it is not part of the state dict
      assert(!ckpt.tensors.has('WN.0.start.weight') && ckpt.tensors.has('WN.0.start.weight_g'), 'parameters only');
    }
    assertEqual(loadCheckpoint(await goldenBytes('hifigan-small.pth.tar')).metadata['torch.source'], "['generator'] state_dict", 'hifigan');
  });

  it('walks a whole pickled Flowtron module (LSTMs, instance norms) to its state_dict', async () => {
    const module = loadCheckpoint(await readFileBytes('test/fixtures/flowtron-module.zip.pt'));
    const stateDict = loadCheckpoint(await readFileBytes('test/fixtures/flowtron-state-dict.pt'));
    assertEqual([...module.tensors.keys()].join(), [...stateDict.tensors.keys()].join(), 'state_dict keys, in order');
    assertSameTensors(module, stateDict, 'flowtron module');
    assertEqual(module.metadata['torch.source'], "['model']: whole flowtron.Flowtron module", 'source');
  });

  for (const [layout, b64] of [['zip', VIEWS_ZIP_PT], ['legacy', VIEWS_LEGACY_PT]] as const) {
    it(`honours offsets, strides, 0-d tensors, shared storages and every dtype (${layout})`, () => {
      const file = fromBase64(b64);
      const t = loadCheckpoint(file).tensors;
      const get = (k: string): HostTensor => {
        const v = t.get(k);
        assert(v, `missing ${k}`);
        return v;
      };
      const values = (k: string) => Array.from(get(k).data as ArrayLike<number | bigint>);
      assertArrayEqual(values('strided'), [2, 4, 6], 'arange(10)[2:8:2]');
      assertArrayEqual(values('shared_all'), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'shared storage, whole');
      assertArrayEqual(values('shared_tail'), [5, 6, 7, 8, 9], 'shared storage, offset 5');
      assertArrayEqual(get('transposed').shape, [3, 2], 'transposed shape');
      assertArrayEqual(values('transposed'), [0, 3, 1, 4, 2, 5], 'transposed f64');
      assertArrayEqual(values('columns'), [1, 2, 5, 6, 9, 10], 'm[:, 1:3] i32');
      assertEqual(get('scalar').shape.length, 0, '0-d rank');
      assertArrayEqual(values('scalar'), [7n], '0-d value');
      assertArrayEqual(toFloat32(get('half')), [1.5, -2.25, 65504], 'f16');
      assertArrayEqual(toFloat32(get('bf16')), [1, -3.5, 0.15625], 'bf16');
      assertEqual(get('mask').dtype, 'bool', 'bool dtype');
      assertArrayEqual(values('mask'), [1, 0, 1], 'bool');
      assertArrayEqual(values('i8'), [-128, 5, 127], 'i8');
      assertArrayEqual(values('u8'), [0, 200, 255], 'u8');
      assertArrayEqual(values('i16'), [-30000, 7], 'i16');
      assertArrayEqual(get('empty').shape, [0, 3], 'empty shape');
      assertEqual(get('empty').data.length, 0, 'empty data');
      if (layout === 'zip') {
        // zip entries are 64-byte aligned: contiguous tensors are views of the file, shared storages shared
        assert(get('shared_all').data.buffer === file.buffer, 'zero-copy view of the file');
        assert(get('shared_tail').data.buffer === file.buffer, 'offset view shares the storage');
        assertEqual(get('shared_tail').data.byteOffset - get('shared_all').data.byteOffset, 20, 'offset in bytes');
      }
    });
  }

  it('rejects truncated zip archives', async () => {
    const full = await goldenBytes('flowtron-small.zip.pt');
    await assertRejects(() => loadCheckpoint(full.subarray(0, full.length >> 1)), /broken zip archive: no end-of-central-directory record.*truncated/);
    await assertRejects(() => loadCheckpoint(full.subarray(0, 100)), /broken zip archive/);
  });

  it('rejects truncated legacy files, wherever they are cut', async () => {
    const full = await goldenBytes('waveglow-small.legacy.pt');
    await assertRejects(() => loadCheckpoint(full.subarray(0, 50_000)), /truncated pickle: .* bytes needed at byte/);
    await assertRejects(() => loadCheckpoint(full.subarray(0, full.length - 1000)), /truncated checkpoint: storage ".*" needs the file to be at least/);
    await assertRejects(() => loadCheckpoint(full.subarray(0, 3)), /truncated pickle/);
  });

  const floats = (xs: number[]) => new Uint8Array(Float32Array.from(xs).buffer);
  const oneTensor = (name: string, t: Parameters<typeof ptensor>[0]) =>
    bytes(0x80, 2, '}', pstr(name), ptensor(t), 's.');

  it('rejects a tensor that reaches past the end of its storage', async () => {
    const main = oneTensor('w', { type: 'FloatStorage', key: '0', numel: 4, offset: 0, size: [2, 3], stride: [3, 1], legacy: true });
    const file = legacyFile(main, [{ key: '0', count: 4, data: floats([1, 2, 3, 4]) }]);
    await assertRejects(() => loadCheckpoint(file), /tensor "w" \[2, 3\] .* reaches element 5 of storage "0", which has only 4/);
    const offset = oneTensor('w', { type: 'FloatStorage', key: '0', numel: 4, offset: 3, size: [2], stride: [1], legacy: true });
    await assertRejects(() => loadCheckpoint(legacyFile(offset, [{ key: '0', count: 4, data: floats([1, 2, 3, 4]) }])), /reaches element 4/);
  });

  it('rejects storages whose recorded size disagrees with the pickle', async () => {
    const main = oneTensor('w', { type: 'FloatStorage', key: '0', numel: 4, offset: 0, size: [4], stride: [1], legacy: true });
    await assertRejects(() => loadCheckpoint(legacyFile(main, [{ key: '0', count: 3, data: floats([1, 2, 3]) }])), /storage "0" has 3 elements, the pickle says 4/);
  });

  it('refuses code inside a checkpoint file, not only in bare pickles', async () => {
    const evil = bytes(0x80, 2, 'cos\nsystem\n', pstr('echo pwned'), 0x85, 'R.');
    await assertRejects(() => loadCheckpoint(legacyFile(evil, [])), /refused pickle global "os\.system"/);
  });

  it('strips the "module." prefix of DataParallel checkpoints', () => {
    const main = oneTensor('module.w', { type: 'FloatStorage', key: '0', numel: 2, offset: 0, size: [2], stride: [1], legacy: true });
    const ckpt = loadCheckpoint(legacyFile(main, [{ key: '0', count: 2, data: floats([1, 2]) }]));
    assertArrayEqual(toFloat32(ckpt.tensors.get('w')!), [1, 2], 'w');
  });

  it('returns the pickled object itself with readTorch, tensors still as strided storage views', () => {
    const file = readTorch(fromBase64(VIEWS_ZIP_PT));
    assertEqual(file.layout, 'zip', 'layout');
    assert(file.object instanceof PyDict, 'a dict');
    const strided = file.object.get('strided');
    assert(strided instanceof TorchTensor, 'a tensor record');
    assertEqual(strided.offset, 2, 'storage offset');
    assertArrayEqual(strided.stride, [2], 'stride');
    assertEqual(strided.storage, (file.object.get('shared_all') as TorchTensor).storage, 'one shared storage');
  });
});

/** Splits a tensor along dim 0 into parts of the given row counts. */
function split0(t: HostTensor, rows: number[]): HostTensor[] {
  const per = numel(t.shape.slice(1));
  let at = 0;
  return rows.map((r) => {
    const part: HostTensor = { dtype: t.dtype, shape: [r, ...t.shape.slice(1)], data: (t.data as Float32Array).slice(at * per, (at + r) * per) };
    at += r;
    return part;
  });
}

describe('old WaveGlow layouts', () => {
  // The golden WaveGlow has 4 WN layers of 32 channels: cond_layer [256, 160, 1] = 4 × [64, 160, 1];
  // res_skip_layers.i [64, 32, 1] = res [32] + skip [32] for i < 3, res_skip_layers.3 [32, 32, 1] = skip.
  const LAYERS = 4;
  const CH = 32;

  function unfuse(fused: Map<string, HostTensor>): Map<string, HostTensor> {
    const out = new Map<string, HostTensor>();
    for (const [k, t] of fused) {
      let m = /^(WN\.\d+\.)cond_layer\.(\w+)$/.exec(k);
      if (m) {
        split0(t, Array(LAYERS).fill(2 * CH)).forEach((p, i) => out.set(`${m![1]}cond_layers.${i}.${m![2]}`, p));
        continue;
      }
      m = /^(WN\.\d+\.)res_skip_layers\.(\d+)\.(\w+)$/.exec(k);
      if (m) {
        const i = Number(m[2]);
        if (i < LAYERS - 1) {
          const [res, skip] = split0(t, [CH, CH]);
          out.set(`${m[1]}res_layers.${i}.${m[3]}`, res!);
          out.set(`${m[1]}skip_layers.${i}.${m[3]}`, skip!);
        } else {
          out.set(`${m[1]}skip_layers.${i}.${m[3]}`, t);
        }
        continue;
      }
      out.set(k, t);
    }
    return out;
  }

  it('fuses cond_layers.N and res_layers/skip_layers into the current layout, bit for bit', async () => {
    const golden = withPrefix(loadCheckpoint(await goldenBytes('waveglow-small.safetensors')), 'weights.');
    const old = unfuse(golden.tensors);
    assert(old.has('WN.3.cond_layers.2.weight_v') && old.has('WN.3.res_layers.2.bias') && !old.has('WN.3.cond_layer.bias'), 'old layout built');
    const upgraded = upgradeWaveGlowLayout(old);
    assertSameTensors({ tensors: upgraded, metadata: {} }, golden, 'upgraded');
  });

  it('fuses cond_layers whose weight norm was already removed into a folded cond_layer.weight', async () => {
    const golden = withPrefix(loadCheckpoint(await goldenBytes('waveglow-small.safetensors')), 'weights.');
    const parts = unfuse(golden.tensors);
    const old = new Map<string, HostTensor>();
    for (const [k, t] of parts) {
      const m = /^(.*cond_layers\.\d+)\.weight_([gv])$/.exec(k);
      if (!m) old.set(k, t);
      else if (m[2] === 'g') old.set(`${m[1]}.weight`, foldPair(t, parts.get(`${m[1]}.weight_v`)!, k));
    }
    const upgraded = upgradeWaveGlowLayout(old);
    const g = golden.tensors.get('WN.5.cond_layer.weight_g')!;
    const v = golden.tensors.get('WN.5.cond_layer.weight_v')!;
    assert(!upgraded.has('WN.5.cond_layer.weight_g'), 'no g/v left');
    assertArrayEqual(tensorBytes(upgraded.get('WN.5.cond_layer.weight')!), tensorBytes(foldPair(g, v, 'cond')), 'folded fused weight');
  });

  it('rejects inconsistent old layouts', async () => {
    const t: HostTensor = { dtype: 'f32', shape: [2, 1, 1], data: new Float32Array(2) };
    const bad = new Map([['WN.0.res_layers.0.weight', t], ['WN.0.skip_layers.0.weight', t]]);
    await assertRejects(() => upgradeWaveGlowLayout(bad), /expected one fewer res_layers \(1\) than skip_layers \(1\)/);
  });
});

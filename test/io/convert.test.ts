import { loadCheckpoint, toFloat32, withPrefix } from '../../src/io/checkpoint.js';
import { convertCheckpoint } from '../../src/io/convert.js';
import { detect } from '../../src/io/detect.js';
import { tensorBytes } from '../../src/io/dtype.js';
import { numel, type HostTensor } from '../../src/io/host-tensor.js';
import { readSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import { foldPair } from '../../src/io/weightnorm.js';
import { assert, assertArrayEqual, assertClose, assertEqual } from '../helpers/check.js';
import { goldenBytes } from './fixtures.js';

const FILES: [string, string, string][] = [
  ['waveglow-small.zip.pt', 'waveglow-small.safetensors', 'waveglow'],
  ['waveglow-small.legacy.pt', 'waveglow-small.safetensors', 'waveglow'],
  ['flowtron-small.zip.pt', 'flowtron-small.safetensors', 'flowtron'],
  ['glowtts-small.zip.pt', 'glowtts-small.safetensors', 'glowtts'],
  ['cset-small.pth.tar', 'cset-small.safetensors', 'cset'],
  ['hifigan-small.pth.tar', 'hifigan-small.safetensors', 'hifigan'],
];

async function goldenWeights(name: string): Promise<Map<string, HostTensor>> {
  return withPrefix(loadCheckpoint(await goldenBytes(name)), 'weights.').tensors;
}

describe('checkpoint conversion', () => {
  for (const [pt, st, model] of FILES) {
    it(`converts ${pt} into a self-describing safetensors file with folded weights`, async () => {
      const golden = await goldenWeights(st);
      const result = convertCheckpoint(await goldenBytes(pt));
      assertEqual(result.model, model, 'model');
      const file = readSafetensors(writeSafetensors(result.checkpoint));
      const meta = file.metadata;
      assertEqual(meta['flowgpu.model'], model, 'metadata model');
      assertEqual(meta['flowgpu.folded'], 'true', 'metadata folded');
      assertEqual(meta['flowgpu.dtype'], 'f32', 'metadata dtype');
      assert(meta['flowgpu.source']!.startsWith(pt.includes('legacy') ? 'torch-legacy' : 'torch-zip'), `source ${meta['flowgpu.source']}`);
      assertEqual(meta['flowgpu.config'], JSON.stringify(result.config), 'metadata config');
      // the file alone gives back the same model and config
      const again = detect(file);
      assertEqual(again.model, model, 'detected from the converted file');
      assertEqual(JSON.stringify(again.config), JSON.stringify(result.config), 'config from the converted file');

      const pairs = [...golden.keys()].filter((k) => k.endsWith('.weight_g')).map((k) => k.slice(0, -'.weight_g'.length));
      assertEqual(result.folded.join(), pairs.join(), 'folded layers');
      let count = 0;
      for (const [k, t] of golden) {
        const base = k.replace(/\.weight_[gv]$/, '');
        if (base !== k) {
          assertArrayEqual(tensorBytes(file.tensors.get(`${base}.weight`)!), tensorBytes(foldPair(golden.get(`${base}.weight_g`)!, golden.get(`${base}.weight_v`)!, base)), `${base}.weight`);
          if (k.endsWith('_v')) count += numel(t.shape);
          continue;
        }
        assertArrayEqual(tensorBytes(file.tensors.get(k)!), tensorBytes(t), k);
        count += numel(t.shape);
      }
      assertEqual(file.tensors.size, golden.size - pairs.length, 'tensor count');
      assertEqual(result.parameterCount, count, 'parameter count');
    });
  }

  it('keeps weight norm with fold: false, bit for bit', async () => {
    const golden = await goldenWeights('hifigan-small.safetensors');
    const result = convertCheckpoint(await goldenBytes('hifigan-small.pth.tar'), { fold: false });
    assertEqual(result.checkpoint.metadata['flowgpu.folded'], 'false', 'metadata');
    assertEqual(result.checkpoint.tensors.size, golden.size, 'tensor count');
    for (const [k, t] of golden) assertArrayEqual(tensorBytes(result.checkpoint.tensors.get(k)!), tensorBytes(t), k);
  });

  it('writes f16 on request, keeping integer tensors and the invertible convolutions exact', async () => {
    const cases: [string, RegExp][] = [['waveglow-small.zip.pt', /^convinv\./], ['glowtts-small.zip.pt', /^decoder\.flows\.\d+\.weight$/]];
    for (const [pt, keptF32] of cases) {
      const full = convertCheckpoint(await goldenBytes(pt)).checkpoint.tensors;
      const half = convertCheckpoint(await goldenBytes(pt), { fp16: true });
      assertEqual(half.checkpoint.metadata['flowgpu.dtype'], 'f16', 'metadata');
      let kept = 0;
      for (const [k, t] of half.checkpoint.tensors) {
        if (keptF32.test(k)) {
          assertEqual(t.dtype, 'f32', `${k} stays f32`);
          kept++;
          continue;
        }
        assertEqual(t.dtype, 'f16', `${k} dtype`);
        assertClose(toFloat32(t), full.get(k)!.data as Float32Array, 1e-3, k);
      }
      assert(kept >= 4, `${pt}: the invertible convolutions stay f32`);
    }
    const cset = convertCheckpoint(await goldenBytes('cset-small.pth.tar'), { fp16: true }).checkpoint.tensors;
    assertEqual(cset.get('emotion_emb.encoder.bns.0.num_batches_tracked')!.dtype, 'i64', 'integers untouched');
  });

  it('converts golden and already converted safetensors files to the same weights', async () => {
    const fromPt = convertCheckpoint(await goldenBytes('glowtts-small.zip.pt'));
    const fromGolden = convertCheckpoint(await goldenBytes('glowtts-small.safetensors'));
    const twice = convertCheckpoint(writeSafetensors(fromPt.checkpoint));
    assertEqual(JSON.stringify(twice.config), JSON.stringify(fromPt.config), 'config of a converted file');
    // the .pt has no config: dilation_rate takes the published 1, and stays an assumption once converted;
    // the golden file's metadata says it
    assertEqual(fromPt.provenance['dilation_rate'], 'default', 'published default');
    assert(fromPt.warnings.join().includes('dilation_rate 1'), `warned: ${fromPt.warnings.join()}`);
    assertEqual(twice.assumed.join(), fromPt.assumed.join(), 'still assumed after conversion');
    assertEqual(fromGolden.provenance['dilation_rate'], 'metadata', 'from the golden metadata');
    for (const other of [fromGolden, twice]) {
      assertEqual(other.checkpoint.tensors.size, fromPt.checkpoint.tensors.size, 'tensor count');
      for (const [k, t] of fromPt.checkpoint.tensors) assertArrayEqual(tensorBytes(other.checkpoint.tensors.get(k)!), tensorBytes(t), k);
    }
  });
});

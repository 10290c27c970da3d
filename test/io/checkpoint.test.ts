import { detectFormat, loadCheckpoint, toFloat32, withPrefix } from '../../src/io/checkpoint.js';
import type { HostTensor } from '../../src/io/host-tensor.js';
import { assertArrayEqual, assertEqual, assertRejects } from '../helpers/check.js';
import { VIEWS_LEGACY_PT, VIEWS_ZIP_PT, fromBase64, goldenBytes } from './fixtures.js';

describe('checkpoint entry point', () => {
  it('tells the three formats apart by their first bytes', async () => {
    assertEqual(detectFormat(fromBase64(VIEWS_ZIP_PT)), 'torch-zip', 'zip');
    assertEqual(detectFormat(fromBase64(VIEWS_LEGACY_PT)), 'torch-legacy', 'legacy');
    assertEqual(detectFormat(await goldenBytes('mel-stft.safetensors')), 'safetensors', 'safetensors');
    const zipBuffer = fromBase64(VIEWS_ZIP_PT);
    assertEqual(loadCheckpoint(zipBuffer.buffer as ArrayBuffer).tensors.size, 13, 'ArrayBuffer input');
  });

  it('explains files it cannot read', async () => {
    const html = new TextEncoder().encode('<!DOCTYPE html><html><body>Google Drive can\'t scan this file</body></html>');
    await assertRejects(() => loadCheckpoint(html), /unrecognised weights file.*HTML page/);
    await assertRejects(() => loadCheckpoint(new Uint8Array(4)), /unrecognised weights file/);
  });

  it('selects the tensors under a prefix', async () => {
    const golden = loadCheckpoint(await goldenBytes('hifigan-small.safetensors'));
    const weights = withPrefix(golden, 'weights.');
    assertEqual(weights.tensors.size, 234, 'weights');
    assertEqual(weights.tensors.get('conv_pre.bias'), golden.tensors.get('weights.conv_pre.bias'), 'same tensor object');
    assertEqual(weights.metadata, golden.metadata, 'metadata kept');
    await assertRejects(() => withPrefix(golden, 'nothing.'), /no tensors whose names start with "nothing\."/);
  });

  it('converts every dtype to float32', () => {
    const t = (dtype: HostTensor['dtype'], data: HostTensor['data']): HostTensor => ({ dtype, shape: [data.length], data });
    assertArrayEqual(toFloat32(t('f16', Uint16Array.of(0x3c00, 0x0001, 0xfc00))), [1, 2 ** -24, -Infinity], 'f16');
    assertArrayEqual(toFloat32(t('bf16', Uint16Array.of(0xbf80))), [-1], 'bf16');
    assertArrayEqual(toFloat32(t('f64', Float64Array.of(0.5))), [0.5], 'f64');
    assertArrayEqual(toFloat32(t('i64', BigInt64Array.of(-3n))), [-3], 'i64');
    const f32 = Float32Array.of(1);
    assertEqual(toFloat32(t('f32', f32)), f32, 'f32 returned as is');
  });
});

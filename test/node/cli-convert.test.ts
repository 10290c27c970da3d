import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as convert, readCheckpointFile } from '../../src/cli/convert.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { run as inspect } from '../../src/cli/inspect.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { assert, assertEqual, assertRejects } from '../helpers/check.js';
import { capture } from './cli-helpers.js';

const GOLDEN = '../shared/golden';

describe('flowgpu convert / inspect', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'flowgpu-convert-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('converts a legacy whole-module WaveGlow checkpoint and reports what it found', async () => {
    const out = join(dir, 'waveglow.safetensors');
    const text = await capture(() => convert([`${GOLDEN}/waveglow-small.legacy.pt`, '-o', out]));
    assert(/^model: +waveglow$/m.test(text), text);
    assert(/^ {2}WN_config\.n_channels = 32 \(weights\)$/m.test(text), text);
    assert(/^parameters: 1,295,276 in 278 tensors, weight norm folded in 120 layers$/m.test(text), text);
    assert(/^wrote: .*waveglow\.safetensors \(5\.2 MB, f32\)$/m.test(text), text);
    assert(!existsSync(`${out}.partial`), 'no partial file left');
    const file = readSafetensors(new Uint8Array(readFileSync(out)));
    assertEqual(file.metadata['flowgpu.model'], 'waveglow', 'self-describing');
  });

  it('writes f16 with --fp16 and keeps weight norm with --no-fold', async () => {
    const out = join(dir, 'hifigan.safetensors');
    const text = await capture(() => convert([`${GOLDEN}/hifigan-small.pth.tar`, '--fp16', '--no-fold', '-o', out]));
    assert(text.includes('weight norm kept') && text.includes('f16)'), text);
    assert(/^ {2}upsample_rates = \[8,8,2,2\] \(default\)$/m.test(text), text);
    assert(/^ {2}resblock_dilation_sizes = \[\[1,3,5\],\[1,3,5\],\[1,3,5\]\] \(default\)$/m.test(text), text);
    const file = readSafetensors(new Uint8Array(readFileSync(out)));
    assertEqual(file.tensors.get('ups.0.weight_v')?.dtype, 'f16', 'f16 weights');
  });

  it('stores the --config it was given; inspect shows where each value came from', async () => {
    const out = join(dir, 'v3.safetensors');
    const config = `${GOLDEN}/hifigan-v3like.config.json`;
    const text = await capture(() => convert([`${GOLDEN}/hifigan-v3like.pth.tar`, '--config', config, '-o', out]));
    assert(/^ {2}resblock_dilation_sizes = \[\[1,2\],\[2,6\],\[3,12\]\] \(config\)$/m.test(text), text);
    assert(/^ {2}upsample_kernel_sizes = \[16,16,8\] \(weights\)$/m.test(text), text);
    const shown = await capture(() => inspect([out]));
    assert(/^ {2}resblock_dilation_sizes = \[\[1,2\],\[2,6\],\[3,12\]\] \(metadata\)$/m.test(shown), shown);
    assert(!shown.includes('warning:'), shown);
    const pt = await capture(() => inspect([`${GOLDEN}/hifigan-v3like.pth.tar`, '--config', config]));
    assert(/^ {2}sampling_rate = 22050 \(config\)$/m.test(pt), pt);
    const bare = await capture(() => inspect([`${GOLDEN}/glowtts-dilated.zip.pt`]));
    assert(/^ {2}dilation_rate = 1 \(default\)$/m.test(bare), bare);
    assert(/^ {2}warning: Glow-TTS: no config given; assumed dilation_rate 1/m.test(bare), bare);
  });

  it('lists tensors and metadata of .pt and .safetensors files', async () => {
    const text = await capture(() => inspect([`${GOLDEN}/glowtts-small.zip.pt`]));
    assert(/^file: .*\(torch-zip, 824\.8 kB\)$/m.test(text), text);
    assert(/^model: +glowtts; config/m.test(text), text);
    assert(/^ {2}torch\.source: \['model'\] state_dict$/m.test(text), text);
    assert(/^ {2}encoder\.emb\.weight +f32 +\[148, 32\]$/m.test(text), text);
    const golden = await capture(() => inspect([`${GOLDEN}/mel-stft.safetensors`]));
    assert(/^model: +not recognised/m.test(golden), golden);
  });

  it('places legacy files so that their tensors are views of the file, not copies', () => {
    const bytes = readCheckpointFile(`${GOLDEN}/waveglow-small.legacy.pt`);
    assertEqual(bytes.length, readFileSync(`${GOLDEN}/waveglow-small.legacy.pt`).length, 'whole file');
    // WaveGlow's convinv weights are pickled transposed (strides [1, C, C]): those are gathered copies
    const tensors = [...loadCheckpoint(bytes).tensors].filter(([k]) => !k.startsWith('convinv.')).map(([, t]) => t);
    assert(tensors.every((t) => t.data.buffer === bytes.buffer), 'every contiguous tensor a view');
    const plain = [...loadCheckpoint(new Uint8Array(readFileSync(`${GOLDEN}/waveglow-small.legacy.pt`))).tensors.values()];
    assert(plain.every((t) => t.data.buffer !== bytes.buffer), 'as read plainly, the storages are unaligned (copies)');
  });

  it('explains its usage errors', async () => {
    await assertRejects(() => convert([`${GOLDEN}/hifigan-small.pth.tar`]), /missing -o <out\.safetensors>/);
    await assertRejects(() => convert(['--bogus']), /unknown option --bogus/);
    await assertRejects(() => inspect([]), /usage: flowgpu inspect/);
  });
});

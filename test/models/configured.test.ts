// Checkpoints whose config the weights cannot show, loaded from the .pt/.pth.tar plus the
// original's config file (the API's `config` option), after `convert` with no config at hand, and
// with no config at all (the published values, and a warning naming them). Then each published
// HiFi-GAN layout and the Glow-TTS base.json, on random weights, checked to build what they say.

import { loadModel, type LoadedGlowTTS, type LoadedHiFiGAN } from '../../src/api.js';
import { loadCheckpoint, toFloat32 } from '../../src/io/checkpoint.js';
import { convertCheckpoint } from '../../src/io/convert.js';
import type { Config } from '../../src/io/detect.js';
import { writeSafetensors } from '../../src/io/safetensors.js';
import { assert, assertArrayEqual, assertClose, assertEqual, assertRejects, relMaxError } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { atHalf, HALF_BOUND, reportHalf } from '../helpers/half.js';
import { goldenTensor as get, ints, readGolden } from '../helpers/files.js';
import { checkpointOf, hifiganShapes, shapesFromKeyList } from '../io/model-shapes.js';
import { GLOWTTS_BASE, HIFIGAN_V1, HIFIGAN_V2, HIFIGAN_V3 } from '../io/published-configs.js';

const TOL = 1e-3; // the golden README's tolerance for both models

const text = async (name: string) => new TextDecoder().decode(await readGolden(name));

describe('configs the weights cannot show (golden glowtts-dilated, hifigan-v3like)', () => {
  async function glowttsMel(m: LoadedGlowTTS): Promise<Float32Array> {
    const g = loadCheckpoint(await readGolden('glowtts-dilated.safetensors'));
    const r = await m.model.synthesize(ints(get(g, 'input.text')), { noiseScale: 0, lengthScale: 1.15 });
    assertEqual(r.frames, get(g, 'output.mel').shape[2]!, 'frames');
    return r.mel;
  }
  async function hifiganAudio(m: LoadedHiFiGAN): Promise<Float32Array> {
    const g = loadCheckpoint(await readGolden('hifigan-v3like.safetensors'));
    const mel = get(g, 'input.mel');
    return m.model.infer(toFloat32(mel), mel.shape[2]!);
  }
  const cases = [
    { name: 'glowtts-dilated', pt: 'glowtts-dilated.zip.pt', run: (m: LoadedGlowTTS | LoadedHiFiGAN) => glowttsMel(m as LoadedGlowTTS), want: 'output.mel' },
    { name: 'hifigan-v3like', pt: 'hifigan-v3like.pth.tar', run: (m: LoadedGlowTTS | LoadedHiFiGAN) => hifiganAudio(m as LoadedHiFiGAN), want: 'output.audio' },
  ];

  for (const c of cases) {
    it(`${c.name}: reproduced from ${c.pt} + its config.json, and from the converted file with no config`, async () => {
      const e = await getEngine();
      const want = toFloat32(get(loadCheckpoint(await readGolden(`${c.name}.safetensors`)), c.want));
      const config = await text(`${c.name}.config.json`);
      const warned: string[] = [];
      const m = (await loadModel(e, await readGolden(c.pt), { config, configName: 'config.json', onWarning: (w) => warned.push(w) })) as LoadedGlowTTS | LoadedHiFiGAN;
      try {
        assertEqual(m.warnings.length + warned.length, 0, `no warnings: ${m.warnings.join()}`);
        assertClose(await c.run(m), want, TOL, 'with the config');
      } finally {
        m.release();
      }
      const converted = convertCheckpoint(await readGolden(c.pt), { config, configName: 'config.json' });
      assertEqual(converted.assumed.length, 0, 'convert assumed nothing');
      const again = (await loadModel(e, writeSafetensors(converted.checkpoint))) as LoadedGlowTTS | LoadedHiFiGAN;
      try {
        assertEqual(again.warnings.length, 0, `converted file: no warnings: ${again.warnings.join()}`);
        assert(Object.values(again.detection.provenance).every((p) => p === 'weights' || p === 'metadata'), 'every value from the weights or the stored config');
        assertClose(await c.run(again), want, TOL, 'after convert');
      } finally {
        again.release();
      }
    });

    // precision 'f16' through the API: the error is measured and printed; README.md states it.
    it(`${c.name} at precision f16: within the f16 bound (or the clear error without shader-f16)`, async () => {
      const e = await getEngine();
      const want = toFloat32(get(loadCheckpoint(await readGolden(`${c.name}.safetensors`)), c.want));
      const config = await text(`${c.name}.config.json`);
      await atHalf(e, async () => (await loadModel(e, await readGolden(c.pt), { config, configName: 'config.json', precision: 'f16' })) as LoadedGlowTTS | LoadedHiFiGAN, async (m) => {
        reportHalf(`${c.name} ${c.want}`, await c.run(m), want, HALF_BOUND);
      });
    });
  }

  it('glowtts-dilated with no config: the published dilation_rate 1, said in a warning, and a different mel', async () => {
    const e = await getEngine();
    const warned: string[] = [];
    const m = (await loadModel(e, await readGolden('glowtts-dilated.zip.pt'), { onWarning: (w) => warned.push(w), missingConfig: 'and no config.json beside glowtts-dilated.zip.pt' })) as LoadedGlowTTS;
    try {
      const warning =
        'Glow-TTS: no config given and no config.json beside glowtts-dilated.zip.pt; assumed dilation_rate 1, sigmoid_scale false, ' +
        'block_length null, sampling_rate 22050 (the published values) — pass the model\'s config file (--config) to set them';
      assertEqual(warned.join('\n'), warning, 'onWarning');
      assertEqual(m.warnings.join('\n'), warning, 'warnings');
      assertEqual(m.model.config.dilationRate, 1, 'built with dilation 1');
      const want = toFloat32(get(loadCheckpoint(await readGolden('glowtts-dilated.safetensors')), 'output.mel'));
      const mel = await glowttsMel(m);
      assert(relMaxError(mel, want) > 10 * TOL, `the dilation shows in the output (${relMaxError(mel, want)})`);
    } finally {
      m.release();
    }
  });

  it('hifigan-v3like with no config: the published V3 values, said in a warning', async () => {
    const e = await getEngine();
    const m = (await loadModel(e, await readGolden('hifigan-v3like.pth.tar'))) as LoadedHiFiGAN;
    try {
      assertEqual(
        m.warnings.join('\n'),
        'HiFi-GAN: no config given; assumed upsample_rates [8,8,4], resblock_dilation_sizes [[1,2],[2,6],[3,12]], sampling_rate 22050 ' +
          '(the published values) — pass the model\'s config file (--config) to set them',
        'warnings',
      );
      assertEqual(JSON.stringify(m.model.config.resblockDilations), '[[1,2],[2,6],[3,12]]', 'V3 dilations');
    } finally {
      m.release();
    }
  });
});

describe('published layouts built as their config says (random weights)', () => {
  // Channels scaled down, and the config says so: the layout (block type, strides, kernels, dilations) is the published one.
  for (const [version, published] of [['V1', HIFIGAN_V1], ['V2', HIFIGAN_V2], ['V3', HIFIGAN_V3]] as const) {
    it(`HiFi-GAN ${version}`, async () => {
      const config = published.replace(/"upsample_initial_channel": \d+/, '"upsample_initial_channel": 32');
      const h = JSON.parse(config) as Parameters<typeof hifiganShapes>[0] & { upsample_rates: number[]; resblock_dilation_sizes: number[][] };
      const ckpt = checkpointOf(hifiganShapes(h), { seed: 7 });
      const e = await getEngine();
      const m = (await loadModel(e, ckpt, { config, configName: `config_${version.toLowerCase()}.json` })) as LoadedHiFiGAN;
      try {
        const c = m.model.config;
        assertEqual(c.resblock, h.resblock as '1' | '2', 'block type');
        assertArrayEqual(c.upsampleRates, h.upsample_rates, 'strides');
        assertArrayEqual(c.upsampleKernels, h.upsample_kernel_sizes, 'upsample kernels');
        assertArrayEqual(c.resblockKernels, h.resblock_kernel_sizes, 'resblock kernels');
        assertEqual(JSON.stringify(c.resblockDilations), JSON.stringify(h.resblock_dilation_sizes), 'dilations');
        assertEqual(m.sampleRate, 22050, 'rate');
        const frames = 3;
        const audio = await m.model.infer(new Float32Array(80 * frames).fill(-4), frames);
        assertEqual(audio.length, frames * 256, 'samples (hop 256)');
        assert(audio.every(Number.isFinite), 'finite audio');
      } finally {
        m.release();
      }
      const other = version === 'V3' ? HIFIGAN_V1 : HIFIGAN_V3;
      await assertRejects(() => loadModel(e, ckpt, { config: other.replace(/"upsample_initial_channel": \d+/, '"upsample_initial_channel": 32'), configName: 'config.json' }), /config\.json says resblock = "\d", but the weights have "\d"/);
    });
  }

  it('Glow-TTS with the published base.json', async () => {
    const ckpt = checkpointOf(await shapesFromKeyList('../shared/reference/keys_glowtts_base.txt'), { seed: 3 });
    const e = await getEngine();
    const m = (await loadModel(e, ckpt, { config: GLOWTTS_BASE, configName: 'base.json' })) as LoadedGlowTTS;
    try {
      const base = (JSON.parse(GLOWTTS_BASE) as { model: Config }).model;
      const c = m.model.config;
      const built: Record<string, unknown> = {
        hidden_channels_enc: c.hiddenEnc, hidden_channels_dec: c.hiddenDec, filter_channels: c.filterChannels,
        filter_channels_dp: c.filterChannelsDp, kernel_size: c.kernelSize, n_heads: c.nHeads, n_layers_enc: c.nLayersEnc,
        n_blocks_dec: c.nBlocksDec, kernel_size_dec: c.kernelSizeDec, dilation_rate: c.dilationRate, n_block_layers: c.nBlockLayers,
        n_sqz: c.nSqz, window_size: c.windowSize, mean_only: c.meanOnly, prenet: c.prenet,
      };
      for (const [k, v] of Object.entries(built)) assertEqual(JSON.stringify(v), JSON.stringify(base[k]), k);
      assertEqual(c.nVocab, 148, 'n_vocab');
      assertEqual(c.blockLength, null, 'block_length (FlowGenerator default)');
      assertEqual(m.warnings.length, 0, 'nothing assumed');
    } finally {
      m.release();
    }
    await assertRejects(() => loadModel(e, ckpt, { config: GLOWTTS_BASE.replace('"window_size": 4', '"window_size": 3'), configName: 'base.json' }), /base\.json says window_size = 3, but the weights have 4/);
  });
});

// Config files in each original's format: what detect() takes from them, where each value came
// from, the warning when there is none, and refusals (contradictions, duplicate keys, hostile depth).
// Only shapes matter to detection, so the published layouts are built at full size without data.

import { withPrefix, loadCheckpoint } from '../../src/io/checkpoint.js';
import { MAX_CONFIG_DEPTH, parseConfigText } from '../../src/io/config.js';
import { detect, type Config } from '../../src/io/detect.js';
import { flowtronConfig } from '../../src/models/flowtron.js';
import type { Checkpoint } from '../../src/io/host-tensor.js';
import { assert, assertEqual, assertRejects } from '../helpers/check.js';
import { goldenBytes } from './fixtures.js';
import { checkpointOf, hifiganShapes, shapesFromKeyList } from './model-shapes.js';
import { GLOWTTS_BASE, HIFIGAN_V1, HIFIGAN_V2, HIFIGAN_V3 } from './published-configs.js';

const show = (v: unknown) => JSON.stringify(v);

async function golden(name: string): Promise<Checkpoint> {
  const g = withPrefix(loadCheckpoint(await goldenBytes(`${name}.safetensors`)), 'weights.');
  return { tensors: g.tensors, metadata: {} }; // as a .pt would be: no config in it
}

function hifiganWeights(configText: string): Checkpoint {
  return checkpointOf(hifiganShapes(JSON.parse(configText) as Parameters<typeof hifiganShapes>[0]), { shapeOnly: true });
}

describe('config files', () => {
  for (const [version, text] of [['V1', HIFIGAN_V1], ['V2', HIFIGAN_V2], ['V3', HIFIGAN_V3]] as const) {
    it(`HiFi-GAN ${version}: the published config.json sets what the weights cannot show`, () => {
      const h = JSON.parse(text) as Config;
      const found = detect(hifiganWeights(text), { config: text, configName: `config_${version.toLowerCase()}.json` });
      for (const k of ['resblock', 'upsample_rates', 'upsample_kernel_sizes', 'upsample_initial_channel', 'resblock_kernel_sizes', 'resblock_dilation_sizes', 'sampling_rate']) {
        assertEqual(show(found.config[k]), show(h[k]), k);
      }
      assertEqual(found.provenance['resblock_dilation_sizes'], 'config', 'dilations from the file');
      assertEqual(found.provenance['upsample_rates'], 'config', 'strides from the file');
      assertEqual(found.provenance['resblock_kernel_sizes'], 'weights', 'kernel sizes from the weights');
      assertEqual(found.warnings.length, 0, 'nothing assumed');
    });
  }

  it('HiFi-GAN V1 shapes from the config equal the published checkpoint keys', async () => {
    const want = await shapesFromKeyList('../shared/reference/keys_hifigan_v1.txt');
    const got = hifiganShapes(JSON.parse(HIFIGAN_V1) as Parameters<typeof hifiganShapes>[0]);
    assertEqual(show([...got].sort()), show([...want].sort()), 'keys and shapes');
  });

  it('HiFi-GAN: no config assumes the published values for the block type, and says so', () => {
    const v3 = detect(hifiganWeights(HIFIGAN_V3), { missingConfig: 'and no config.json beside g.pth' });
    assertEqual(show(v3.config['resblock_dilation_sizes']), '[[1,2],[2,6],[3,12]]', 'V3 dilations');
    assertEqual(
      v3.warnings.join('\n'),
      'HiFi-GAN: no config given and no config.json beside g.pth; assumed upsample_rates [8,8,4], resblock_dilation_sizes ' +
        '[[1,2],[2,6],[3,12]], sampling_rate 22050 (the published values) — pass the model\'s config file (--config) to set them',
      'warning',
    );
    assertEqual(show(detect(hifiganWeights(HIFIGAN_V1)).config['resblock_dilation_sizes']), '[[1,3,5],[1,3,5],[1,3,5]]', 'V1 dilations');
  });

  it('HiFi-GAN: a config that contradicts the weights is refused, naming both', async () => {
    const v1 = hifiganWeights(HIFIGAN_V1);
    await assertRejects(() => detect(v1, { config: HIFIGAN_V3, configName: 'config.json' }), /config\.json says resblock = "2", but the weights have "1"/);
    await assertRejects(() => detect(hifiganWeights(HIFIGAN_V2), { config: HIFIGAN_V1, configName: 'config.json' }), /upsample_initial_channel = 512, but the weights have 128/);
    const short = HIFIGAN_V3.replace('[[1,2], [2,6], [3,12]]', '[[1,2], [2,6]]');
    await assertRejects(() => detect(hifiganWeights(HIFIGAN_V3), { config: short, configName: 'config.json' }), /resblock_dilation_sizes \[\[1,2\],\[2,6\]\], but the weights have 3 ResBlock2 kernels/);
  });

  it('Glow-TTS: the published base.json on weights of its shapes', async () => {
    const ckpt = checkpointOf(await shapesFromKeyList('../shared/reference/keys_glowtts_base.txt'), { shapeOnly: true });
    const base = JSON.parse(GLOWTTS_BASE) as { model: Config; data: Config };
    const found = detect(ckpt, { config: GLOWTTS_BASE, configName: 'base.json' });
    for (const [k, v] of Object.entries(base.model)) {
      if (k in found.config) assertEqual(show(found.config[k]), show(v), k);
    }
    assertEqual(found.config['n_vocab'], 148, 'n_vocab = symbols (no add_blank)');
    assertEqual(found.config['out_channels'], 80, 'out_channels = data.n_mel_channels');
    assertEqual(found.provenance['dilation_rate'], 'config', 'dilation_rate');
    assertEqual(found.provenance['window_size'], 'weights', 'window_size');
    assertEqual(found.config['block_length'], null, 'FlowGenerator default for what base.json leaves out');
    assertEqual(found.warnings.length, 0, 'nothing assumed');

    await assertRejects(() => detect(ckpt, { config: GLOWTTS_BASE.replace('"n_heads": 2', '"n_heads": 3'), configName: 'base.json' }), /base\.json says n_heads = 3, but the weights have 2/);
    await assertRejects(() => detect(ckpt, { config: GLOWTTS_BASE.replace('"add_noise": true', '"add_noise": true, "add_blank": true'), configName: 'base.json' }), /base\.json says n_vocab = 149, but the weights have 148/);
    // the original's default for a dilation_rate the file leaves out is 5, not the published 1
    const noDilation = detect(ckpt, { config: GLOWTTS_BASE.replace('"dilation_rate": 1,', '') });
    assertEqual(noDilation.config['dilation_rate'], 5, 'FlowGenerator default');
  });

  it('Glow-TTS: no config names each assumed value', async () => {
    const found = detect(await golden('glowtts-dilated'));
    assertEqual(found.config['dilation_rate'], 1, 'published dilation_rate');
    assertEqual(
      found.warnings.join('\n'),
      'Glow-TTS: no config given; assumed dilation_rate 1, sigmoid_scale false, block_length null, sampling_rate 22050 ' +
        '(the published values) — pass the model\'s config file (--config) to set them',
      'warning',
    );
  });

  it('WaveGlow and Flowtron config.json: the model section, and sampling_rate from data_config', async () => {
    const wg = await golden('waveglow-small');
    const wgConfig = { train_config: { epochs: 1 }, data_config: { sampling_rate: 16000 }, waveglow_config: { n_mel_channels: 20, n_flows: 12, n_group: 8, n_early_every: 4, n_early_size: 2, WN_config: { n_layers: 4, n_channels: 32, kernel_size: 3 } } };
    const w = detect(wg, { config: JSON.stringify(wgConfig) });
    assertEqual(w.config['sampling_rate'], 16000, 'rate');
    assertEqual(w.provenance['sampling_rate'], 'config', 'rate provenance');
    assertEqual(w.warnings.length, 0, 'nothing assumed');
    wgConfig.waveglow_config.n_group = 4;
    await assertRejects(() => detect(wg, { config: wgConfig, configName: 'config.json' }), /config\.json says n_group = 4, but the weights have 8/);

    const ft = await golden('flowtron-small');
    const model = { n_speakers: 3, n_speaker_dim: 16, n_text: 185, n_text_dim: 64, n_flows: 2, n_mel_channels: 80, n_hidden: 64, n_attn_channels: 32, n_lstm_layers: 2, mel_encoder_n_hidden: 32, n_components: 0, mean_scale: 0.0, fixed_gaussian: true, dummy_speaker_embedding: true, use_gate_layer: true, use_cumm_attention: false };
    const f = detect(ft, { config: { data_config: { sampling_rate: 22050, p_arpabet: 0.5 }, model_config: model } });
    assertEqual(f.config['dummy_speaker_embedding'], true, 'dummy_speaker_embedding from the file');
    // inference.py reads text through the data loader: data_config's p_arpabet is the front end's default.
    assertEqual(`${f.config['p_arpabet']} ${f.provenance['p_arpabet']}`, '0.5 config', 'p_arpabet from data_config');
    assertEqual(flowtronConfig(f.config).pArpabet, 0.5, 'the model reads it');
    assertEqual(flowtronConfig(detect(ft).config).pArpabet, 1, 'no config: the notebook\'s 1, not an assumption');
    await assertRejects(async () => flowtronConfig(detect(ft, { config: { data_config: { p_arpabet: 2 }, model_config: model } }).config), /p_arpabet should be a probability from 0 to 1, got 2/);
    assertEqual(f.warnings.length, 0, 'nothing assumed');
    assertEqual(detect(ft).assumed.join(), 'dummy_speaker_embedding,sampling_rate', 'assumed without a config');
  });

  it('XSpkEmoTrans: preprocess.yaml and model.yaml', async () => {
    const cset = await golden('cset-small');
    const preprocess = 'preprocessing:\n  speaker_embedder: "DeepSpeaker"\n  audio:\n    sampling_rate: 16000\n  mel:\n    n_mel_channels: 80\n';
    const model = [
      'external_speaker_dim: 16', 'max_seq_len: 320', 'multi_speaker: True',
      'transformer:', '  encoder_layer: 1', '  encoder_head: 4', '  encoder_hidden: 32', '  duration_predictor_layer: 1',
      '  duration_predictor_head: 2', '  duration_predictor_hidden: 32', '  conv_filter_size: 64', '  conv_kernel_size: [9, 1]',
      '  lconv_kernel_size: 3', 'emotion_token_layer:', '  ref_enc_filters: [8, 8, 16, 16, 32, 32]', '  ref_enc_size: [3, 3]',
      '  ref_enc_strides: [2, 1]', '  ref_enc_pad: [1, 1]', '  ref_enc_gru_size: 16',
    ].join('\n');
    const found = detect(cset, { config: [preprocess, model], configName: 'preprocess.yaml + model.yaml' });
    const c = found.config as { transformer: Config; emotion_token_layer: Config };
    assertEqual(c.transformer['encoder_head'], 4, 'encoder_head');
    assertEqual(show(c.emotion_token_layer['ref_enc_strides']), '[2,1]', 'strides');
    assertEqual(found.config['sampling_rate'], 16000, 'rate from preprocess.yaml');
    assertEqual(found.provenance['transformer.encoder_head'], 'config', 'provenance');
    assert(found.assumed.every((p) => p.startsWith('decoder.') === false), `decoder shapes are seen: ${found.assumed.join()}`);
    await assertRejects(() => detect(cset, { config: [preprocess, model.replace('encoder_hidden: 32', 'encoder_hidden: 64')] }), /transformer\.encoder_hidden = 64, but the weights have 32/);
    await assertRejects(() => detect(cset, { config: [preprocess, `${model}\nmax_seq_len: 100`] }), /not valid YAML: .*[Mm]ap keys must be unique/);
  });

  it('refuses duplicate keys in a JSON config, at any depth', async () => {
    await assertRejects(() => parseConfigText('{"resblock": "1", "resblock": "2"}', 'config.json'), /config\.json sets "resblock" twice/);
    await assertRejects(() => parseConfigText('{"model": {"n_heads": 2, "window_size": 4, "n_heads": 2}}', 'c.json'), /sets "n_heads" twice/);
    // the same name in two objects, or inside a string, is no duplicate
    assertEqual(show(parseConfigText('{"a": {"k": 1}, "b": {"k": "x\\"k\\""}, "k": [{"k": 1}, {"k": 2}]}', 'c.json')), '{"a":{"k":1},"b":{"k":"x\\"k\\""},"k":[{"k":1},{"k":2}]}', 'parsed');
  });

  it('a config nested 100 000 deep is a clear error, not a stack overflow (metadata, text, object)', async () => {
    const deepText = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const wg = await golden('waveglow-small');
    await assertRejects(() => detect({ tensors: wg.tensors, metadata: { config: deepText } }), new RegExp(`metadata "config" is nested more than ${MAX_CONFIG_DEPTH} levels deep`));
    await assertRejects(() => detect(wg, { config: deepText, configName: 'config.json' }), /config\.json is nested more than/);
    await assertRejects(() => detect(wg, { config: `${'- '.repeat(2000)}1\n` }), /is nested more than|not valid YAML/);
    let deep: Config = { n_flows: 12 };
    for (let i = 0; i < 100_000; i++) deep = { waveglow_config: deep };
    await assertRejects(() => detect(wg, { config: deep, configName: 'config object' }), /config object is nested more than/);
  });
});

import { loadCheckpoint, withPrefix } from '../../src/io/checkpoint.js';
import { detect, type Config, type ConfigValue, type ModelKind } from '../../src/io/detect.js';
import type { Checkpoint } from '../../src/io/host-tensor.js';
import { assert, assertEqual, assertRejects } from '../helpers/check.js';
import { goldenBytes } from './fixtures.js';

function flat(c: Config, prefix = ''): [string, ConfigValue][] {
  return Object.entries(c).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? flat(v, `${prefix}${k}.`) : [[`${prefix}${k}`, v] as [string, ConfigValue]]);
}

interface Case {
  file: string;
  model: ModelKind;
  /** Fields that must be read from the weights alone. */
  mustSee: string[];
  /** Golden values that the weights cannot show and that differ from the published defaults. */
  invisible: string[];
}

const CASES: Case[] = [
  {
    file: 'waveglow', model: 'waveglow', invisible: [],
    mustSee: ['n_mel_channels', 'n_flows', 'n_group', 'n_early_every', 'n_early_size', 'WN_config.n_layers', 'WN_config.n_channels', 'WN_config.kernel_size'],
  },
  {
    file: 'flowtron', model: 'flowtron', invisible: ['mel_encoder_n_hidden'],
    mustSee: ['n_speakers', 'n_speaker_dim', 'n_text', 'n_text_dim', 'n_flows', 'n_mel_channels', 'n_hidden', 'n_attn_channels', 'n_lstm_layers', 'use_gate_layer', 'use_cumm_attention'],
  },
  {
    file: 'glowtts', model: 'glowtts', invisible: [],
    mustSee: ['n_vocab', 'filter_channels', 'filter_channels_dp', 'out_channels', 'kernel_size', 'n_heads', 'n_layers_enc', 'n_blocks_dec', 'kernel_size_dec', 'n_block_layers', 'n_split', 'n_sqz', 'window_size', 'mean_only', 'prenet', 'hidden_channels_enc', 'hidden_channels_dec'],
  },
  {
    file: 'cset', model: 'cset',
    invisible: [],
    mustSee: ['external_speaker_dim', 'max_seq_len', 'multi_speaker', 'transformer.encoder_layer', 'transformer.encoder_hidden', 'transformer.duration_predictor_layer', 'transformer.duration_predictor_head', 'transformer.duration_predictor_hidden', 'transformer.conv_filter_size', 'transformer.conv_kernel_size', 'transformer.lconv_kernel_size', 'emotion_token_layer.ref_enc_filters', 'emotion_token_layer.ref_enc_size', 'emotion_token_layer.ref_enc_gru_size', 'decoder.decoder_layer', 'decoder.decoder_head', 'decoder.decoder_hidden', 'decoder.conv_kernel_size', 'n_mel_channels', 'n_emotions'],
  },
  {
    file: 'hifigan', model: 'hifigan', invisible: [],
    mustSee: ['resblock', 'upsample_kernel_sizes', 'upsample_initial_channel', 'resblock_kernel_sizes', 'num_mels'],
  },
];

async function goldenCase(file: string): Promise<{ weights: Checkpoint; config: Map<string, ConfigValue> }> {
  const weights = withPrefix(loadCheckpoint(await goldenBytes(`${file}-small.safetensors`)), 'weights.');
  const m = weights.metadata;
  const config = new Map(flat(JSON.parse(m['config'] ?? m['model_config']!) as Config));
  // the CSET golden file keeps these two beside its model.yaml config
  for (const k of ['n_mel_channels', 'n_emotions']) if (m[k] !== undefined) config.set(k, Number(m[k]));
  return { weights, config };
}

const show = (v: ConfigValue | undefined) => JSON.stringify(v);

describe('model and config detection', () => {
  for (const c of CASES) {
    it(`${c.file}: reads the golden config from the weights alone`, async () => {
      const { weights, config } = await goldenCase(c.file);
      const found = detect({ tensors: weights.tensors, metadata: {} });
      assertEqual(found.model, c.model, 'model');
      const fromWeights = (path: string) => found.provenance[path] === 'weights';
      for (const path of c.mustSee) assert(fromWeights(path), `${path} should be read from the weights`);
      const got = new Map(flat(found.config));
      let compared = 0;
      for (const [path, want] of config) {
        if (!got.has(path)) continue; // training-only settings (dropouts) are not part of the model flowgpu builds
        compared++;
        // what the weights cannot show comes from the published defaults: right here except the listed fields
        if (!c.invisible.includes(path)) assertEqual(show(got.get(path)), show(want), `${path} (${found.provenance[path]})`);
      }
      assert(compared >= c.mustSee.length, `compared ${compared} fields`);
      assertEqual(found.assumed.join(), Object.keys(found.provenance).filter((p) => found.provenance[p] === 'default').join(), 'assumed');
      assertEqual(found.warnings.length, 1, 'one warning naming the assumed values');
      assert(found.warnings[0]!.includes('no config given') && found.assumed.every((p) => found.warnings[0]!.includes(p)), found.warnings[0]!);
    });

    it(`${c.file}: takes the rest from the metadata config`, async () => {
      const { weights, config } = await goldenCase(c.file);
      const found = detect(weights);
      const got = new Map(flat(found.config));
      for (const [path, want] of config) {
        if (got.has(path)) assertEqual(show(got.get(path)), show(want), path);
      }
      for (const path of c.invisible) assertEqual(found.provenance[path], 'metadata', `${path} from metadata`);
    });
  }

  it('rejects metadata that contradicts the weights', async () => {
    const { weights } = await goldenCase('waveglow');
    const metadata = { config: JSON.stringify({ n_flows: 8, WN_config: { n_channels: 32 } }) };
    await assertRejects(() => detect({ tensors: weights.tensors, metadata }), /metadata config says n_flows = 8, but the weights have 12/);
    await assertRejects(() => detect({ tensors: weights.tensors, metadata: { config: '[1]' } }), /metadata "config" is not a config: expected a JSON object/);
  });

  it('names what it expected when the weights are of no known model', async () => {
    const t = new Map([['foo.weight', { dtype: 'f32' as const, shape: [1], data: new Float32Array(1) }]]);
    await assertRejects(() => detect({ tensors: t, metadata: {} }), /could not recognise the model .* starts with foo\.weight/);
  });

  it('refuses the alternating-halves glow_old WaveGlow instead of running it wrongly', async () => {
    const { weights } = await goldenCase('waveglow');
    await assertRejects(() => detect({ tensors: weights.tensors, metadata: { 'torch.class': 'glow_old.WaveGlow' } }), /glow_old\.py WaveGlow/);
  });
});

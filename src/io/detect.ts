// Which model a state dict belongs to, and its constructor config, from key names and shapes.
// A `config` JSON in the metadata (golden files, converted files) fills in what shapes cannot show
// and must agree with what they do show. Fields neither shows take the published defaults
// (the seed models' released configs; see each DEFAULTS) and are listed in `assumed`.

import { FlowgpuError } from '../gpu/errors.js';
import type { Checkpoint, HostTensor } from './host-tensor.js';

export type ModelKind = 'waveglow' | 'flowtron' | 'glowtts' | 'cset' | 'hifigan';
export type ConfigValue = number | string | boolean | null | ConfigValue[] | Config;
export interface Config { [field: string]: ConfigValue }

export interface Detection {
  model: ModelKind;
  config: Config;
  /** Dotted field paths read from the weights. */
  seen: string[];
  /** Fields taken from the metadata's config. */
  fromMetadata: string[];
  /** Fields neither shows: published defaults, or a value equivalent for these weights. */
  assumed: string[];
}

/** Metadata keys holding a config JSON, in order of preference (ours, golden files, CSET's yaml). */
const CONFIG_KEYS = ['flowgpu.config', 'config', 'model_config'];

class Weights {
  constructor(private readonly t: Map<string, HostTensor>) {}
  has(key: string): boolean {
    return this.t.has(key);
  }
  hasPrefix(prefix: string): boolean {
    for (const k of this.t.keys()) if (k.startsWith(prefix)) return true;
    return false;
  }
  shape(key: string): number[] {
    const t = this.t.get(key);
    if (!t) throw new FlowgpuError(`checkpoint lacks "${key}": it is incomplete or from an unsupported variant`);
    return t.shape;
  }
  /** A conv/linear weight's shape, weight-normed (weight_v) or not. */
  weight(base: string): number[] {
    return this.t.has(`${base}.weight_v`) ? this.shape(`${base}.weight_v`) : this.shape(`${base}.weight`);
  }
  /** How many numbered children `${prefix}<n>.` exist (0..n-1, no gaps). */
  count(prefix: string, suffix = '.'): number {
    const seen = new Set<number>();
    for (const k of this.t.keys()) {
      if (!k.startsWith(prefix)) continue;
      const m = /^(\d+)/.exec(k.slice(prefix.length));
      if (m && k.slice(prefix.length + m[1]!.length).startsWith(suffix)) seen.add(Number(m[1]));
    }
    for (let i = 0; i < seen.size; i++) {
      if (!seen.has(i)) throw new FlowgpuError(`checkpoint has ${prefix}${[...seen].join('/')} but not ${prefix}${i}`);
    }
    return seen.size;
  }
}

interface Inference {
  /** Read from the weights; metadata must agree. */
  seen: Config;
  /** Not visible, but forced by the weights (e.g. an equivalent value); metadata may override. */
  fallback?: Config;
}

interface ModelSpec {
  kind: ModelKind;
  matches(w: Weights): boolean;
  defaults: Config;
  infer(w: Weights, metadata: Record<string, string>): Inference;
}

function exact(what: string, a: number, b: number): number {
  if (!Number.isInteger(a / b)) throw new FlowgpuError(`unexpected shapes: ${what} (${a} / ${b}) is not a whole number`);
  return a / b;
}

const waveglow: ModelSpec = {
  kind: 'waveglow',
  matches: (w) => w.has('upsample.weight') && w.hasPrefix('WN.0.'),
  // NVIDIA/waveglow config.json
  defaults: {
    n_mel_channels: 80, n_flows: 12, n_group: 8, n_early_every: 4, n_early_size: 2,
    WN_config: { n_layers: 8, n_channels: 256, kernel_size: 3 },
  },
  infer(w, metadata) {
    if (metadata['torch.class']?.startsWith('glow_old.')) {
      throw new FlowgpuError(
        'this is a glow_old.py WaveGlow (alternating coupling halves, the very first release); flowgpu runs the ' +
          'current glow.py model only. Use a newer WaveGlow checkpoint (e.g. waveglow_256channels_universal_v5.pt).',
      );
    }
    const nFlows = w.count('WN.');
    const nMel = w.shape('upsample.weight')[0]!;
    const nGroup = exact('cond channels / n_mel_channels', w.weight('WN.0.cond_layer')[1]!, nMel);
    const channels = Array.from({ length: nFlows }, (_, k) => w.shape(`convinv.${k}.conv.weight`)[0]!);
    if (channels[0] !== nGroup) throw new FlowgpuError(`convinv.0 is ${channels[0]}x${channels[0]} but n_group is ${nGroup}`);
    const drop = channels.findIndex((c, k) => k > 0 && c < channels[k - 1]!);
    const seen: Config = {
      n_mel_channels: nMel, n_flows: nFlows, n_group: nGroup,
      WN_config: {
        n_layers: w.count('WN.0.in_layers.'),
        n_channels: w.weight('WN.0.start')[0]!,
        kernel_size: w.weight('WN.0.in_layers.0')[2]!,
      },
    };
    if (drop < 0) return { seen, fallback: { n_early_every: nFlows } }; // no early outputs at all
    return { seen: { ...seen, n_early_every: drop, n_early_size: channels[drop - 1]! - channels[drop]! } };
  },
};

const flowtron: ModelSpec = {
  kind: 'flowtron',
  matches: (w) => w.has('speaker_embedding.weight') && w.hasPrefix('flows.0.'),
  // NVIDIA/flowtron config.json (LJS)
  defaults: {
    n_speakers: 1, n_speaker_dim: 128, n_text: 185, n_text_dim: 512, n_flows: 2, n_mel_channels: 80, n_hidden: 1024,
    n_attn_channels: 640, n_lstm_layers: 2, mel_encoder_n_hidden: 512, n_components: 0, mean_scale: 0.0,
    fixed_gaussian: true, dummy_speaker_embedding: false, use_gate_layer: true, use_cumm_attention: false,
  },
  infer(w) {
    const nFlows = w.count('flows.');
    // odd flows are AR_Back_Step, which wraps its AR_Step as `.ar_step`
    const flow = (i: number) => (w.hasPrefix(`flows.${i}.ar_step.`) ? `flows.${i}.ar_step.` : `flows.${i}.`);
    const f0 = flow(0);
    const [nSpeakers, nSpeakerDim] = w.shape('speaker_embedding.weight') as [number, number];
    const [nText, nTextDim] = w.shape('embedding.weight') as [number, number];
    const seen: Config = {
      n_speakers: nSpeakers, n_speaker_dim: nSpeakerDim, n_text: nText, n_text_dim: nTextDim, n_flows: nFlows,
      n_mel_channels: w.shape(`${f0}attention_lstm.weight_ih_l0`)[1]!,
      n_hidden: w.shape(`${f0}attention_lstm.weight_hh_l0`)[1]!,
      n_attn_channels: w.weight(`${f0}attention_layer.query.linear_layer`)[0]!,
      n_lstm_layers: w.count(`${f0}lstm.weight_ih_l`, ''),
      use_gate_layer: w.hasPrefix(`${flow(nFlows - 1)}gate_layer.`),
      use_cumm_attention: w.hasPrefix(`${f0}attn_cond_layer.`),
    };
    if (!w.hasPrefix('gaussian_mixture.')) return { seen, fallback: { n_components: 0 } };
    const [nComponents, melHidden] = w.weight('gaussian_mixture.prob_layer.linear_layer') as [number, number];
    return {
      seen: {
        ...seen, n_components: nComponents, mel_encoder_n_hidden: melHidden,
        fixed_gaussian: !w.hasPrefix('gaussian_mixture.mean_layer.'),
      },
    };
  },
};

const glowtts: ModelSpec = {
  kind: 'glowtts',
  matches: (w) => w.has('encoder.emb.weight') && w.hasPrefix('decoder.flows.'),
  // jaywalnut310/glow-tts configs/base.json, then FlowGenerator's defaults for what it leaves out
  defaults: {
    n_vocab: 148, hidden_channels: 192, filter_channels: 768, filter_channels_dp: 256, out_channels: 80, kernel_size: 3,
    n_heads: 2, n_layers_enc: 6, p_dropout: 0.1, n_blocks_dec: 12, kernel_size_dec: 5, dilation_rate: 1,
    n_block_layers: 4, p_dropout_dec: 0.05, n_split: 4, n_sqz: 2, window_size: 4, mean_only: true, prenet: true,
    hidden_channels_enc: 192, hidden_channels_dec: 192, n_speakers: 0, gin_channels: 0, sigmoid_scale: false,
    block_length: null,
  },
  infer(w) {
    const [nVocab, hEnc] = w.shape('encoder.emb.weight') as [number, number];
    const outChannels = w.weight('encoder.proj_m')[0]!;
    const ffn = w.weight('encoder.encoder.ffn_layers.0.conv_1');
    const nFlowModules = w.count('decoder.flows.');
    const coupling = 'decoder.flows.2.'; // each block is ActNorm, InvConvNear, CouplingBlock
    const seen: Config = {
      n_vocab: nVocab, filter_channels: ffn[0]!, filter_channels_dp: w.weight('encoder.proj_w.conv_1')[0]!,
      out_channels: outChannels, kernel_size: ffn[2]!, n_layers_enc: w.count('encoder.encoder.attn_layers.'),
      n_blocks_dec: exact('decoder flows / 3', nFlowModules, 3),
      kernel_size_dec: w.weight(`${coupling}wn.in_layers.0`)[2]!,
      n_block_layers: w.count(`${coupling}wn.in_layers.`),
      n_split: w.shape('decoder.flows.1.weight')[0]!,
      n_sqz: exact('ActNorm channels / out_channels', w.shape('decoder.flows.0.logs')[1]!, outChannels),
      mean_only: !w.hasPrefix('encoder.proj_s.'),
      prenet: w.hasPrefix('encoder.pre.'),
      hidden_channels_enc: hEnc,
      hidden_channels_dec: w.weight(`${coupling}start`)[0]!,
      gin_channels: w.hasPrefix(`${coupling}wn.cond_layer.`) ? w.weight(`${coupling}wn.cond_layer`)[1]! : 0,
    };
    const fallback: Config = { hidden_channels: hEnc };
    if (w.has('emb_g.weight')) seen['n_speakers'] = w.shape('emb_g.weight')[0]!;
    else fallback['n_speakers'] = 0;
    if (w.has('encoder.encoder.attn_layers.0.emb_rel_k')) {
      // [heads_share ? 1 : n_heads, 2 * window_size + 1, hidden / n_heads]
      const [h, span, kCh] = w.shape('encoder.encoder.attn_layers.0.emb_rel_k') as [number, number, number];
      seen['window_size'] = (span - 1) / 2;
      seen['n_heads'] = h > 1 ? h : exact('hidden / relative-embedding width', hEnc, kCh);
    } else {
      seen['window_size'] = null;
    }
    return { seen, fallback };
  },
};

const cset: ModelSpec = {
  kind: 'cset',
  matches: (w) => w.hasPrefix('duratin_predictor.') && w.hasPrefix('emotion_emb.'),
  // keonlee9420/Cross-Speaker-Emotion-Transfer config/RAVDESS/model.yaml (+ 80 mels, 8 RAVDESS emotions)
  defaults: {
    external_speaker_dim: 512, max_seq_len: 320, multi_speaker: true, speaker_embedder: 'DeepSpeaker',
    transformer: {
      encoder_layer: 1, encoder_head: 2, encoder_hidden: 64, duration_predictor_layer: 1, duration_predictor_head: 2,
      duration_predictor_hidden: 64, conv_filter_size: 256, conv_kernel_size: [9, 1], lconv_kernel_size: 3,
      lconv_head: 4, encoder_dropout: 0.2, duration_predictor_dropout: 0.2,
    },
    emotion_token_layer: {
      ref_enc_filters: [32, 32, 64, 64, 128, 128], ref_enc_size: [3, 3], ref_enc_strides: [2, 2], ref_enc_pad: [1, 1],
      ref_enc_gru_size: 32,
    },
    decoder: { decoder_layer: 6, decoder_head: 8, decoder_hidden: 64, conv_kernel_size: 15, decoder_dropout: 0.2 },
    n_mel_channels: 80, n_emotions: 8,
  },
  infer(w) {
    const ffn1 = w.weight('encoder.layer_stack.0.pos_ffn.w_1');
    const ffn2 = w.weight('encoder.layer_stack.0.pos_ffn.w_2');
    // LightweightConv weight: [heads, 1, K] (CPU module) or [heads, K] (the CUDA LightconvLayer)
    const dpConv = w.shape('duratin_predictor.lconv_stack.0.conv_layer.weight');
    const decConv = w.shape('decoder.lconv_stack.0.conv_layer.weight');
    const refConvs = w.count('emotion_emb.encoder.convs.');
    const ref0 = w.weight('emotion_emb.encoder.convs.0');
    const seen: Config = {
      max_seq_len: w.shape('encoder.position_enc')[1]! - 1,
      multi_speaker: w.has('speaker_emb.weight'),
      transformer: {
        encoder_layer: w.count('encoder.layer_stack.'),
        encoder_hidden: w.shape('encoder.src_word_emb.weight')[1]!,
        duration_predictor_layer: w.count('duratin_predictor.layer_stack.'),
        duration_predictor_head: dpConv[0]!,
        duration_predictor_hidden: w.shape('duratin_predictor.position_enc')[2]!,
        conv_filter_size: ffn1[0]!,
        conv_kernel_size: [ffn1[2]!, ffn2[2]!],
        lconv_kernel_size: dpConv[dpConv.length - 1]!,
      },
      emotion_token_layer: {
        ref_enc_filters: Array.from({ length: refConvs }, (_, i) => w.weight(`emotion_emb.encoder.convs.${i}`)[0]!),
        ref_enc_size: [ref0[2]!, ref0[3]!],
        ref_enc_gru_size: w.shape('emotion_emb.encoder.gru.weight_hh_l0')[1]!,
      },
      decoder: {
        decoder_layer: w.count('decoder.lconv_stack.'),
        decoder_head: decConv[0]!,
        decoder_hidden: w.weight('decoder.lconv_stack.0.act_linear.linear')[1]!,
        conv_kernel_size: decConv[decConv.length - 1]!,
      },
      n_mel_channels: w.weight('decoder.mel_projection.0.linear')[0]!,
      n_emotions: w.shape('emotion_emb.etl.embed')[0]!,
    };
    if (w.has('speaker_emb.bias')) {
      // nn.Linear over an external (DeepSpeaker) embedding
      seen['speaker_embedder'] = 'DeepSpeaker';
      seen['external_speaker_dim'] = w.shape('speaker_emb.weight')[1]!;
    } else if (w.has('speaker_emb.weight')) {
      seen['speaker_embedder'] = 'none';
      seen['n_speakers'] = w.shape('speaker_emb.weight')[0]!;
    }
    return { seen };
  },
};

const hifigan: ModelSpec = {
  kind: 'hifigan',
  matches: (w) => w.hasPrefix('conv_pre.') && w.hasPrefix('ups.0.'),
  // jik876/hifi-gan config_v1.json (the "universal" and LJSpeech V1 generators)
  defaults: {
    resblock: '1', upsample_rates: [8, 8, 2, 2], upsample_kernel_sizes: [16, 16, 4, 4], upsample_initial_channel: 512,
    resblock_kernel_sizes: [3, 7, 11], resblock_dilation_sizes: [[1, 3, 5], [1, 3, 5], [1, 3, 5]], num_mels: 80,
  },
  infer(w) {
    const nUps = w.count('ups.');
    const kernels = Array.from({ length: nUps }, (_, i) => w.weight(`ups.${i}`)[2]!);
    const type1 = w.hasPrefix('resblocks.0.convs1.');
    const nKernels = exact('resblocks / upsamples', w.count('resblocks.'), nUps);
    const first = type1 ? 'convs1' : 'convs';
    const nDilations = w.count(`resblocks.0.${first}.`);
    const [initial, mels] = w.weight('conv_pre') as [number, number];
    const dilations = type1 ? [1, 3, 5] : [1, 3];
    if (nDilations !== dilations.length) {
      throw new FlowgpuError(`HiFi-GAN resblocks with ${nDilations} convolutions: only the published ResBlock1/2 are supported`);
    }
    return {
      seen: {
        resblock: type1 ? '1' : '2', upsample_kernel_sizes: kernels, upsample_initial_channel: initial, num_mels: mels,
        resblock_kernel_sizes: Array.from({ length: nKernels }, (_, j) => w.weight(`resblocks.${j}.${first}.0`)[2]!),
      },
      // Strides do not show in the weights; every published HiFi-GAN config uses kernel = 2 × stride.
      // Dilations do not show either: the published ones for the block type.
      fallback: {
        upsample_rates: kernels.map((k) => k / 2),
        resblock_dilation_sizes: Array.from({ length: nKernels }, () => dilations),
      },
    };
  },
};

const SPECS = [waveglow, flowtron, glowtts, cset, hifigan];

function isConfig(v: ConfigValue | undefined): v is Config {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: Config, over: Config): Config {
  const out: Config = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (k === '__proto__') continue; // a metadata JSON key must not replace the prototype
    const b = out[k];
    out[k] = isConfig(b) && isConfig(v) ? merge(b, v) : v;
  }
  return out;
}

function flatten(c: Config, prefix = '', out = new Map<string, ConfigValue>()): Map<string, ConfigValue> {
  for (const [k, v] of Object.entries(c)) {
    if (isConfig(v)) flatten(v, `${prefix}${k}.`, out);
    else out.set(`${prefix}${k}`, v);
  }
  return out;
}

function metadataConfig(metadata: Record<string, string>): Config {
  const key = CONFIG_KEYS.find((k) => metadata[k] !== undefined);
  if (!key) return {};
  try {
    const parsed = JSON.parse(metadata[key]!) as ConfigValue;
    if (isConfig(parsed)) return parsed;
  } catch {
    // reported below
  }
  throw new FlowgpuError(`checkpoint metadata "${key}" is not a JSON object`);
}

export function detect(ckpt: Checkpoint): Detection {
  const w = new Weights(ckpt.tensors);
  const spec = SPECS.find((s) => s.matches(w));
  if (!spec) {
    const some = [...ckpt.tensors.keys()].slice(0, 5).join(', ');
    throw new FlowgpuError(
      'could not recognise the model from its weights: expected WaveGlow (upsample, WN.*), Flowtron ' +
        '(speaker_embedding, flows.*), Glow-TTS (encoder.emb, decoder.flows.*), XSpkEmoTrans (emotion_emb, ' +
        `duratin_predictor) or HiFi-GAN (conv_pre, ups.*); this checkpoint starts with ${some || 'nothing'}`,
    );
  }
  const inferred = spec.infer(w, ckpt.metadata);
  const meta = metadataConfig(ckpt.metadata);
  const seen = flatten(inferred.seen);
  const given = flatten(meta);
  for (const [path, v] of seen) {
    if (given.has(path) && JSON.stringify(given.get(path)) !== JSON.stringify(v)) {
      throw new FlowgpuError(
        `checkpoint metadata config says ${path} = ${JSON.stringify(given.get(path))}, but its weights have ` +
          `${JSON.stringify(v)}: the metadata belongs to another model`,
      );
    }
  }
  const config = merge(merge(merge(spec.defaults, inferred.fallback ?? {}), inferred.seen), meta);
  const all = [...flatten(config).keys()];
  return {
    model: spec.kind,
    config,
    seen: [...seen.keys()],
    fromMetadata: [...given.keys()].filter((p) => !seen.has(p)),
    assumed: all.filter((p) => !seen.has(p) && !given.has(p)),
  };
}

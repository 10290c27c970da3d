// Which model a state dict belongs to, and its constructor config, each value with where it came
// from: the weights' key names and shapes, the original's config file (given by the caller), a
// config stored in the file's metadata (converted files, golden files), or, for what none of them
// shows, the published defaults (the seed models' released configs) with a warning naming them.
// A config that contradicts the weights (or the metadata) is an error naming both values.

import { FlowgpuError } from '../gpu/errors.js';
import { type Config, type ConfigSource, type ConfigValue, isConfig, MAX_CONFIG_DEPTH, parseConfigText, readConfig } from './config.js';
import type { Checkpoint, HostTensor } from './host-tensor.js';

export type { Config, ConfigSource, ConfigValue } from './config.js';
export type ModelKind = 'waveglow' | 'flowtron' | 'glowtts' | 'cset' | 'hifigan';

/** Where a config value came from. */
export type Provenance = 'weights' | 'config' | 'metadata' | 'default';

export interface DetectOptions {
  /** The original's config file(s): text or parsed object (XSpkEmoTrans: preprocess.yaml and model.yaml, as a list). */
  config?: ConfigSource;
  /** The config's file name, for messages (default "the config"). */
  configName?: string;
  /** Said after "no config given" in the warning when there is none (e.g. "and no config.json beside g.pt"). */
  missingConfig?: string;
}

export interface Detection {
  model: ModelKind;
  /** The constructor config, in the original's field names (plus `sampling_rate`). */
  config: Config;
  /** Where each dotted field path's value came from. */
  provenance: Record<string, Provenance>;
  /** Field paths that took a published default: nothing given showed them. */
  assumed: string[];
  /** What was assumed and why, one line per cause (empty when the config was complete). */
  warnings: string[];
}

/** Metadata keys holding a config JSON, in order of preference (ours, golden files, CSET's yaml). */
const CONFIG_KEYS = ['flowgpu.config', 'config', 'model_config'];
/** Metadata key listing the paths of `flowgpu.config` that were defaults when it was written. */
export const ASSUMED_KEY = 'flowgpu.assumed';

const NAMES: Record<ModelKind, string> = {
  waveglow: 'WaveGlow', flowtron: 'Flowtron', glowtts: 'Glow-TTS', cset: 'XSpkEmoTrans', hifigan: 'HiFi-GAN',
};

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
  /** Read from the weights: a config must agree. */
  seen: Config;
  /** Not shown, but any value builds the same model from these weights (e.g. no early outputs at all). */
  equivalent?: Config;
  /** Not shown: a guess from the weights (still an assumption, warned about) that beats the published value. */
  guessed?: Config;
}

interface ModelSpec {
  kind: ModelKind;
  matches(w: Weights): boolean;
  /** Values for what nothing shows: the published config's (the seed models' released configs). */
  published: Config;
  /** What the original's constructor takes for a field its config file leaves out, where it has a default. */
  constructorDefaults?: Config;
  /** The original's config file layout → this detection's fields (idempotent on the latter). */
  fromFile(file: Config): Config;
  infer(w: Weights, metadata: Record<string, string>): Inference;
  /** Checks a merged config against the weights where a plain comparison cannot; returns it as the model builds it. */
  check?(config: Config, source: string): Config;
}

function exact(what: string, a: number, b: number): number {
  if (!Number.isInteger(a / b)) throw new FlowgpuError(`unexpected shapes: ${what} (${a} / ${b}) is not a whole number`);
  return a / b;
}

const section = (c: Config, key: string): Config | undefined => (isConfig(c[key]) ? c[key] : undefined);

/** The fields of `c` that `spec` knows (its published config's), so a file's training settings stay out. */
function known(c: Config, fields: Config, extra: Config = {}): Config {
  const out: Config = {};
  for (const k of Object.keys(c)) if (k in fields || k in extra) out[k] = c[k]!;
  return out;
}

/** `sampling_rate` from a data section, if it has one. */
function withRate(out: Config, data: Config | undefined): Config {
  if (data && data['sampling_rate'] !== undefined) out['sampling_rate'] = data['sampling_rate'];
  return out;
}

const SAMPLING_RATE = 22050; // every seed model's published config

const waveglow: ModelSpec = {
  kind: 'waveglow',
  matches: (w) => w.has('upsample.weight') && w.hasPrefix('WN.0.'),
  // NVIDIA/waveglow config.json
  published: {
    n_mel_channels: 80, n_flows: 12, n_group: 8, n_early_every: 4, n_early_size: 2,
    WN_config: { n_layers: 8, n_channels: 256, kernel_size: 3 }, sampling_rate: SAMPLING_RATE,
  },
  // config.json: {"train_config", "data_config", "dist_config", "waveglow_config"}
  fromFile(file) {
    return withRate(known(section(file, 'waveglow_config') ?? file, this.published), section(file, 'data_config'));
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
    // no early outputs at all: any n_early_every ≥ n_flows (and any size) builds this model
    if (drop < 0) return { seen, equivalent: { n_early_every: nFlows, n_early_size: 2 } };
    return { seen: { ...seen, n_early_every: drop, n_early_size: channels[drop - 1]! - channels[drop]! } };
  },
};

const flowtron: ModelSpec = {
  kind: 'flowtron',
  matches: (w) => w.has('speaker_embedding.weight') && w.hasPrefix('flows.0.'),
  // NVIDIA/flowtron config.json (LJS)
  published: {
    n_speakers: 1, n_speaker_dim: 128, n_text: 185, n_text_dim: 512, n_flows: 2, n_mel_channels: 80, n_hidden: 1024,
    n_attn_channels: 640, n_lstm_layers: 2, mel_encoder_n_hidden: 512, n_components: 0, mean_scale: 0.0,
    fixed_gaussian: true, dummy_speaker_embedding: false, use_gate_layer: true, use_cumm_attention: false,
    sampling_rate: SAMPLING_RATE,
  },
  // config.json: {"train_config", "data_config", "dist_config", "model_config"}; inference.py reads
  // text through the data loader, so data_config's p_arpabet (0.5 published) is the text front end's
  // default. Without a config it is the inference notebook's 1, not an assumed value.
  fromFile(file) {
    const data = section(file, 'data_config');
    const out = withRate(known(section(file, 'model_config') ?? file, this.published), data);
    if (data && data['p_arpabet'] !== undefined) out['p_arpabet'] = data['p_arpabet'];
    return out;
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
    if (!w.hasPrefix('gaussian_mixture.')) {
      // no mixture: its settings build nothing
      return { seen, equivalent: { n_components: 0, mel_encoder_n_hidden: 512, mean_scale: 0.0, fixed_gaussian: true } };
    }
    const [nComponents, melHidden] = w.weight('gaussian_mixture.prob_layer.linear_layer') as [number, number];
    return {
      seen: {
        ...seen, n_components: nComponents, mel_encoder_n_hidden: melHidden,
        fixed_gaussian: !w.hasPrefix('gaussian_mixture.mean_layer.'),
      },
    };
  },
};

/** len(text.symbols.symbols) of jaywalnut310/glow-tts: the vocabulary before `add_blank`. */
const GLOWTTS_SYMBOLS = 148;

const glowtts: ModelSpec = {
  kind: 'glowtts',
  matches: (w) => w.has('encoder.emb.weight') && w.hasPrefix('decoder.flows.'),
  // jaywalnut310/glow-tts configs/base.json, then FlowGenerator's defaults for what it leaves out
  published: {
    n_vocab: 148, hidden_channels: 192, filter_channels: 768, filter_channels_dp: 256, out_channels: 80, kernel_size: 3,
    n_heads: 2, n_layers_enc: 6, n_blocks_dec: 12, kernel_size_dec: 5, dilation_rate: 1,
    n_block_layers: 4, n_split: 4, n_sqz: 2, window_size: 4, mean_only: true, prenet: true,
    hidden_channels_enc: 192, hidden_channels_dec: 192, n_speakers: 0, gin_channels: 0, sigmoid_scale: false,
    block_length: null, sampling_rate: SAMPLING_RATE,
  },
  // models.FlowGenerator's keyword defaults (a config file that leaves a field out gets these)
  constructorDefaults: {
    kernel_size: 3, n_heads: 2, n_layers_enc: 6, n_blocks_dec: 12, kernel_size_dec: 5, dilation_rate: 5,
    n_block_layers: 4, n_speakers: 0, gin_channels: 0, n_split: 4, n_sqz: 1, sigmoid_scale: false,
    window_size: null, block_length: null, mean_only: false, prenet: false,
  },
  // hparams JSON: {"train", "data", "model"}; train.py builds FlowGenerator(n_vocab=len(symbols) +
  // add_blank, out_channels=data.n_mel_channels, **model) (train_ms.py adds n_speakers=data.n_speakers)
  fromFile(file) {
    const model = section(file, 'model') ?? file;
    const data = section(file, 'data');
    const out = known(model, this.published);
    for (const k of ['hidden_channels_enc', 'hidden_channels_dec']) {
      if ((out[k] ?? null) === null && model['hidden_channels'] !== undefined) out[k] = model['hidden_channels']!; // `x or hidden_channels`
    }
    if (data) {
      out['n_vocab'] = GLOWTTS_SYMBOLS + (data['add_blank'] === true ? 1 : 0);
      if (data['n_mel_channels'] !== undefined) out['out_channels'] = data['n_mel_channels'];
      if (data['n_speakers'] !== undefined) out['n_speakers'] = data['n_speakers'];
    }
    return withRate(out, data);
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
    // hidden_channels only stands in for the two above when they are not given
    const equivalent: Config = { hidden_channels: hEnc };
    if (w.has('emb_g.weight')) seen['n_speakers'] = w.shape('emb_g.weight')[0]!;
    else equivalent['n_speakers'] = 0; // 0 and 1 both mean no speaker table
    if (w.has('encoder.encoder.attn_layers.0.emb_rel_k')) {
      // [heads_share ? 1 : n_heads, 2 * window_size + 1, hidden / n_heads]
      const [h, span, kCh] = w.shape('encoder.encoder.attn_layers.0.emb_rel_k') as [number, number, number];
      seen['window_size'] = (span - 1) / 2;
      seen['n_heads'] = h > 1 ? h : exact('hidden / relative-embedding width', hEnc, kCh);
    } else {
      seen['window_size'] = null;
    }
    return { seen, equivalent };
  },
  check(config, source) {
    const heads = config['n_heads'];
    const hidden = config['hidden_channels_enc'];
    if (typeof heads !== 'number' || typeof hidden !== 'number' || !(heads > 0) || hidden % heads !== 0) {
      throw new FlowgpuError(`Glow-TTS: ${source} gives n_heads ${JSON.stringify(heads)}, which does not divide the encoder's ${JSON.stringify(hidden)} channels`);
    }
    return config;
  },
};

const cset: ModelSpec = {
  kind: 'cset',
  matches: (w) => w.hasPrefix('duratin_predictor.') && w.hasPrefix('emotion_emb.'),
  // keonlee9420/Cross-Speaker-Emotion-Transfer config/RAVDESS/model.yaml and preprocess.yaml (+ 8 RAVDESS emotions)
  published: {
    external_speaker_dim: 512, max_seq_len: 320, multi_speaker: true, speaker_embedder: 'DeepSpeaker',
    transformer: {
      encoder_layer: 1, encoder_head: 2, encoder_hidden: 64, duration_predictor_layer: 1, duration_predictor_head: 2,
      duration_predictor_hidden: 64, conv_filter_size: 256, conv_kernel_size: [9, 1], lconv_kernel_size: 3,
    },
    emotion_token_layer: {
      ref_enc_filters: [32, 32, 64, 64, 128, 128], ref_enc_size: [3, 3], ref_enc_strides: [2, 2], ref_enc_pad: [1, 1],
      ref_enc_gru_size: 32,
    },
    decoder: { decoder_layer: 6, decoder_head: 8, decoder_hidden: 64, conv_kernel_size: 15 },
    n_mel_channels: 80, n_emotions: 8, sampling_rate: SAMPLING_RATE,
  },
  // model.yaml's sections as they are; from preprocess.yaml the mel channels, speaker embedder and rate
  fromFile(file) {
    const out = known(file, this.published);
    const pre = section(file, 'preprocessing');
    if (pre) {
      const mel = section(pre, 'mel');
      if (mel?.['n_mel_channels'] !== undefined) out['n_mel_channels'] = mel['n_mel_channels'];
      if (pre['speaker_embedder'] !== undefined) out['speaker_embedder'] = pre['speaker_embedder'];
      withRate(out, section(pre, 'audio'));
    }
    return out;
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

/** Convolutions per residual block: ResBlock1 has three (convs1/convs2 pairs), ResBlock2 two. */
const HIFIGAN_CONVS: Record<string, number> = { '1': 3, '2': 2 };

const hifigan: ModelSpec = {
  kind: 'hifigan',
  matches: (w) => w.hasPrefix('conv_pre.') && w.hasPrefix('ups.0.'),
  // jik876/hifi-gan config_v1.json (the "universal" and LJSpeech V1 generators)
  published: {
    resblock: '1', upsample_rates: [8, 8, 2, 2], upsample_kernel_sizes: [16, 16, 4, 4], upsample_initial_channel: 512,
    resblock_kernel_sizes: [3, 7, 11], resblock_dilation_sizes: [[1, 3, 5], [1, 3, 5], [1, 3, 5]], num_mels: 80,
    sampling_rate: SAMPLING_RATE,
  },
  // config.json: one flat object (generator, training and audio settings side by side)
  fromFile(file) {
    return known(file, this.published);
  },
  infer(w) {
    const nUps = w.count('ups.');
    const kernels = Array.from({ length: nUps }, (_, i) => w.weight(`ups.${i}`)[2]!);
    const type1 = w.hasPrefix('resblocks.0.convs1.');
    const nKernels = exact('resblocks / upsamples', w.count('resblocks.'), nUps);
    const first = type1 ? 'convs1' : 'convs';
    const nDilations = w.count(`resblocks.0.${first}.`);
    const [initial, mels] = w.weight('conv_pre') as [number, number];
    const resblock = type1 ? '1' : '2';
    if (nDilations !== HIFIGAN_CONVS[resblock]) {
      throw new FlowgpuError(`HiFi-GAN resblocks with ${nDilations} convolutions: only the published ResBlock1/2 are supported`);
    }
    return {
      seen: {
        resblock, upsample_kernel_sizes: kernels, upsample_initial_channel: initial, num_mels: mels,
        resblock_kernel_sizes: Array.from({ length: nKernels }, (_, j) => w.weight(`resblocks.${j}.${first}.0`)[2]!),
      },
      guessed: {
        // strides do not show in the weights; every published config has kernel = 2 × stride
        upsample_rates: kernels.map((k) => k / 2),
        // dilations do not show either: the published ones for the block type (V1/V2: [1,3,5]; V3: [[1,2],[2,6],[3,12]])
        resblock_dilation_sizes: type1 ? Array.from({ length: nKernels }, () => [1, 3, 5]) : [[1, 2], [2, 6], [3, 12]].slice(0, nKernels),
      },
    };
  },
  // What models.Generator builds from the lists: zip() pairs ups with rates and kernel sizes with
  // dilation lists (extras ignored), and each ResBlock reads dilation[0..convs-1] only.
  check(config, source) {
    const kernels = config['upsample_kernel_sizes'] as number[];
    const rates = config['upsample_rates'];
    const nUps = kernels.length;
    if (!Array.isArray(rates) || rates.length < nUps || !rates.every((u) => typeof u === 'number' && Number.isInteger(u) && u > 0)) {
      throw new FlowgpuError(`HiFi-GAN: ${source} gives upsample_rates ${JSON.stringify(rates)}, but the weights have ${nUps} upsampling layers: it needs ${nUps} positive whole numbers`);
    }
    const u = rates.slice(0, nUps) as number[];
    u.forEach((r, i) => {
      if (r > kernels[i]!) throw new FlowgpuError(`HiFi-GAN: ${source} gives upsample rate ${r} for layer ${i}, larger than its kernel ${kernels[i]} in the weights`);
    });
    const nKernels = (config['resblock_kernel_sizes'] as number[]).length;
    const convs = HIFIGAN_CONVS[String(config['resblock'])]!;
    const dil = config['resblock_dilation_sizes'];
    const ok = Array.isArray(dil) && dil.length >= nKernels &&
      dil.slice(0, nKernels).every((d) => Array.isArray(d) && d.length >= convs && d.slice(0, convs).every((x) => typeof x === 'number' && Number.isInteger(x) && x > 0));
    if (!ok) {
      throw new FlowgpuError(
        `HiFi-GAN: ${source} gives resblock_dilation_sizes ${JSON.stringify(dil)}, but the weights have ${nKernels} ` +
          `ResBlock${config['resblock']} kernels of ${convs} dilated convolutions each: it needs ${nKernels} lists of ${convs} positive whole numbers`,
      );
    }
    return { ...config, upsample_rates: u, resblock_dilation_sizes: (dil as number[][]).slice(0, nKernels).map((d) => d.slice(0, convs)) };
  },
};

const SPECS = [waveglow, flowtron, glowtts, cset, hifigan];

function merge(base: Config, over: Config): Config {
  const out: Config = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (k === '__proto__') continue; // a metadata JSON key must not replace the prototype
    const b = out[k];
    out[k] = isConfig(b) && isConfig(v) ? merge(b, v) : v;
  }
  return out;
}

/** Dotted paths → leaf values (lists are leaves). Bounded: configs reaching here passed the depth check. */
function flatten(c: Config, prefix = '', out = new Map<string, ConfigValue>(), depth = 0): Map<string, ConfigValue> {
  if (depth > MAX_CONFIG_DEPTH) throw new FlowgpuError(`a config is nested more than ${MAX_CONFIG_DEPTH} levels deep (at ${prefix}): it is not a model config`);
  for (const [k, v] of Object.entries(c)) {
    if (isConfig(v)) flatten(v, `${prefix}${k}.`, out, depth + 1);
    else out.set(`${prefix}${k}`, v);
  }
  return out;
}

function metadataConfig(metadata: Record<string, string>): { config: Config; assumed: Set<string> } | undefined {
  const key = CONFIG_KEYS.find((k) => metadata[k] !== undefined);
  if (!key) return undefined;
  const config = parseConfigText(metadata[key]!, `checkpoint metadata "${key}"`, 'json');
  let assumed: unknown = [];
  if (metadata[ASSUMED_KEY] !== undefined) {
    try {
      assumed = JSON.parse(metadata[ASSUMED_KEY]);
    } catch {
      // reported below
    }
    if (!Array.isArray(assumed) || !assumed.every((p) => typeof p === 'string')) {
      throw new FlowgpuError(`checkpoint metadata "${ASSUMED_KEY}" is not a JSON list of field names`);
    }
  }
  return { config, assumed: new Set(assumed as string[]) };
}

function unflatten(m: Map<string, ConfigValue>): Config {
  const out: Config = {};
  for (const [path, v] of m) {
    const parts = path.split('.');
    let at = out;
    for (const p of parts.slice(0, -1)) at = (isConfig(at[p]) ? at[p] : (at[p] = {})) as Config;
    at[parts.at(-1)!] = v;
  }
  return out;
}

const show = (v: ConfigValue | undefined): string => JSON.stringify(v);

/** Throws where `a` and `b` give one path different values. */
function agree(a: Map<string, ConfigValue>, aSays: string, b: Map<string, ConfigValue>, bSays: string, hint: string): void {
  for (const [path, v] of a) {
    if (b.has(path) && show(b.get(path)) !== show(v)) {
      throw new FlowgpuError(`${bSays} ${path} = ${show(b.get(path))}, but ${aSays} ${show(v)}: ${hint}`);
    }
  }
}

function recognise(w: Weights, ckpt: Checkpoint): ModelSpec {
  const spec = SPECS.find((s) => s.matches(w));
  if (spec) return spec;
  const some = [...ckpt.tensors.keys()].slice(0, 5).join(', ');
  throw new FlowgpuError(
    'could not recognise the model from its weights: expected WaveGlow (upsample, WN.*), Flowtron ' +
      '(speaker_embedding, flows.*), Glow-TTS (encoder.emb, decoder.flows.*), XSpkEmoTrans (emotion_emb, ' +
      `duratin_predictor) or HiFi-GAN (conv_pre, ups.*); this checkpoint starts with ${some || 'nothing'}`,
  );
}

/**
 * The model in `ckpt` and its config, each field from the weights, `o.config` (the original's
 * config file), the checkpoint's metadata config, or the published default (then named in `warnings`).
 */
export function detect(ckpt: Checkpoint, o: DetectOptions = {}): Detection {
  const w = new Weights(ckpt.tensors);
  const spec = recognise(w, ckpt);
  const name = NAMES[spec.kind];
  const inferred = spec.infer(w, ckpt.metadata);
  const seen = flatten(inferred.seen);
  const equivalent = flatten(inferred.equivalent ?? {});

  const meta = metadataConfig(ckpt.metadata);
  const metaFlat = meta ? flatten(spec.fromFile(meta.config)) : new Map<string, ConfigValue>();
  for (const p of meta?.assumed ?? []) metaFlat.delete(p); // defaults when it was written: still only assumed
  const given = o.config !== undefined || metaFlat.size > 0;
  const metaRate = Number(ckpt.metadata['sampling_rate']); // golden files and the demo voice keep it beside the config
  if (!metaFlat.has('sampling_rate') && Number.isInteger(metaRate) && metaRate > 0) metaFlat.set('sampling_rate', metaRate);
  const fileName = o.configName ?? 'the config';
  const file = o.config === undefined ? undefined : spec.fromFile(readConfig(o.config, fileName));
  const fileFlat = file ? flatten(file) : new Map<string, ConfigValue>();

  agree(seen, 'the weights have', metaFlat, 'checkpoint metadata config says', 'the metadata belongs to another model');
  agree(seen, 'the weights have', fileFlat, `${fileName} says`, `it is not the config of this ${name} checkpoint`);
  agree(metaFlat, "the checkpoint's own metadata config has", fileFlat, `${fileName} says`, `it is not the config this ${name} checkpoint was made with`);

  // the original's defaults for what a given config leaves out (not for what a converted file marked as assumed)
  const ctor = Object.fromEntries(Object.entries(given ? spec.constructorDefaults ?? {} : {}).filter(([k]) => !meta?.assumed.has(k)));
  let config = [inferred.guessed ?? {}, ctor, inferred.equivalent ?? {}, unflatten(metaFlat), file ?? {}, inferred.seen]
    .reduce(merge, spec.published);
  const source = file ? fileName : given ? 'the checkpoint metadata config' : 'the published config';
  config = spec.check ? spec.check(config, source) : config;

  const provenance: Record<string, Provenance> = {};
  const assumed: string[] = [];
  for (const path of flatten(config).keys()) {
    const p: Provenance =
      seen.has(path) ? 'weights'
      : fileFlat.has(path) ? 'config'
      : metaFlat.has(path) ? 'metadata'
      : equivalent.has(path) ? 'weights'
      : path in ctor ? (file ? 'config' : 'metadata') // the original's default for a field its config leaves out
      : 'default';
    provenance[path] = p;
    if (p === 'default') assumed.push(path);
  }
  const values = flatten(config);
  const list = assumed.map((p) => `${p} ${show(values.get(p))}`).join(', ');
  const warnings = !assumed.length ? []
    : given ? [`${name}: ${source} does not set ${assumed.join(', ')}; assumed ${list} (the published values)`]
    : [`${name}: no config given${o.missingConfig ? ` ${o.missingConfig}` : ''}; assumed ${list} (the published values) — pass the model's config file (--config) to set them`];
  return { model: spec.kind, config, provenance, assumed, warnings };
}

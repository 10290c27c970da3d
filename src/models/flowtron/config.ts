// Flowtron's config (from the detection: weights, config file, metadata), the inference options
// and result, and the normalisation of what a caller may load.
import { FlowgpuError } from '../../gpu/errors.js';
import type { Tensor } from '../../gpu/tensor.js';
import { loadCheckpoint, withPrefix } from '../../io/checkpoint.js';
import type { Config } from '../../io/detect.js';
import type { Checkpoint } from '../../io/host-tensor.js';
import type { AttentionMap, Synthesis, SynthesizeOptions as CommonOptions } from '../tts.js';

export interface FlowtronConfig {
  nSpeakers: number;
  nSpeakerDim: number;
  nText: number;
  nTextDim: number;
  nFlows: number;
  nMel: number;
  nHidden: number;
  nAttn: number;
  nLstmLayers: number;
  useGate: boolean;
  /** `dummy_speaker_embedding`: every speaker id is read as 0. */
  dummySpeaker: boolean;
  /** Probability of reading a word from CMUdict when the caller gives none: data_config's `p_arpabet`, else 1. */
  pArpabet: number;
}

export interface SynthesizeOptions extends CommonOptions {
  /** Text input: seed of the per-word CMUdict draws when 0 < pArpabet < 1. */
  textSeed?: number;
  /** A residual to use as is: `[80, frames]` (host values or a GPU tensor). */
  residual?: Float32Array | Tensor;
  /** Frames recorded between gate readbacks (and per block given to `onFrames`). */
  gateChunk?: number;
}

export interface SynthesisResult {
  /** `[80, frames]` log mel on the GPU. */
  mel: Tensor;
  frames: number;
  /** Attention `[frames, textLen]` of each flow, in the order they ran (reversed model order). */
  attention: Tensor[];
  /** The frame at which the gate stopped (kept), or -1 when it did not fire. */
  gateFrame: number;
}

export interface FlowtronSynthesis extends Synthesis {
  /** Each flow's attention, in the order they ran; `attention` is the last. */
  flows: AttentionMap[];
  /** The frame at which the gate stopped (kept), or -1 when it did not fire. */
  gateFrame: number;
}

/** The model's config from its detection (weights, config file, metadata; see io/detect.ts). */
export function flowtronConfig(c: Config): FlowtronConfig {
  const num = (k: string): number => {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new FlowgpuError(`flowtron: config ${k} should be a whole number, got ${JSON.stringify(v)}`);
    return v;
  };
  if (c['use_cumm_attention'] === true) throw new FlowgpuError('flowtron: use_cumm_attention models are not supported');
  // n_components > 1 (Gaussian mixture prior) only matters for training: inference ignores it.
  return {
    nSpeakers: num('n_speakers'), nSpeakerDim: num('n_speaker_dim'), nText: num('n_text'), nTextDim: num('n_text_dim'),
    nFlows: num('n_flows'), nMel: num('n_mel_channels'), nHidden: num('n_hidden'), nAttn: num('n_attn_channels'),
    nLstmLayers: num('n_lstm_layers'), useGate: c['use_gate_layer'] === true,
    dummySpeaker: c['dummy_speaker_embedding'] === true || c['dummy_speaker_embedding'] === 1,
    pArpabet: probability(c['p_arpabet']),
  };
}

/** data_config's `p_arpabet` (a probability), or 1 when the config has none. */
function probability(v: unknown): number {
  if (v === undefined) return 1;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new FlowgpuError(`flowtron: data_config p_arpabet should be a probability from 0 to 1, got ${JSON.stringify(v)}`);
  return v;
}

/** Normalises what a caller may pass: bytes, a golden file (state dict under `weights.`), a DataParallel dict. */
export function stateDict(src: Checkpoint | Uint8Array | ArrayBuffer): Checkpoint {
  let ckpt = src instanceof Uint8Array || src instanceof ArrayBuffer ? loadCheckpoint(src) : src;
  if (!ckpt.tensors.has('embedding.weight')) {
    for (const prefix of ['weights.', 'state_dict.', 'model.', 'module.']) {
      if (ckpt.tensors.has(`${prefix}embedding.weight`)) {
        ckpt = withPrefix(ckpt, prefix);
        break;
      }
    }
  }
  return ckpt;
}

// Flowtron's config (read from the checkpoint's tensor shapes, checked against its metadata
// config), the inference options and result, and the normalisation of what a caller may load.
import { FlowgpuError } from '../../gpu/errors.js';
import type { Tensor } from '../../gpu/tensor.js';
import { loadCheckpoint, withPrefix } from '../../io/checkpoint.js';
import type { Checkpoint } from '../../io/host-tensor.js';

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
}

export interface SynthesizeOptions {
  speaker?: number;
  /** Standard deviation of the sampled residual (0: zero residual, deterministic). */
  sigma?: number;
  /** Stop at the first frame with sigmoid(gate) > threshold (kept); ≥ 1 or null runs to the end. */
  gateThreshold?: number | null;
  /** Length of the sampled residual (the original's `-n`). */
  maxFrames?: number;
  seed?: number;
  /** Text input: probability of reading a word from CMUdict (default 1) and its seed. */
  pArpabet?: number;
  textSeed?: number;
  /** A residual to use as is: `[80, frames]` (host values or a GPU tensor). */
  residual?: Float32Array | Tensor;
  /** Style: the residual is `mu + sigma·N(0, 1)`, mu `[80, frames]` (from `styleFromReferences`). */
  style?: Float32Array;
  temperature?: number;
  /** Frames recorded between gate readbacks (and per block given to `onFrames`). */
  gateChunk?: number;
  /**
   * Receives the mel's frames as the last flow makes them: `rows` `[count, nMel]` (time-major)
   * from frame `from` on, in order (blocks of `gateChunk` frames when that flow has no gate).
   */
  onFrames?: (rows: Float32Array, from: number) => Promise<void> | void;
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

/** Reads the config from the checkpoint's tensors (cross-checked against metadata `config` when present). */
export function flowtronConfig(ckpt: Checkpoint): FlowtronConfig {
  const t = ckpt.tensors;
  const shape = (n: string): number[] => {
    const x = t.get(n);
    if (!x) throw new FlowgpuError(`flowtron: the checkpoint has no tensor "${n}"; is this a Flowtron checkpoint?`);
    return x.shape;
  };
  let nFlows = 0;
  while (t.has(`flows.${nFlows}.conv.weight`) || t.has(`flows.${nFlows}.ar_step.conv.weight`)) nFlows++;
  if (nFlows === 0) throw new FlowgpuError('flowtron: the checkpoint has no flows (flows.0.conv.weight); is this a Flowtron checkpoint?');
  const p0 = 'flows.0.';
  let nLstmLayers = 0;
  while (t.has(`${p0}lstm.weight_ih_l${nLstmLayers}`)) nLstmLayers++;
  const last = nFlows - 1;
  const lastPrefix = last % 2 === 0 ? `flows.${last}.` : `flows.${last}.ar_step.`;
  const [nSpeakers, nSpeakerDim] = shape('speaker_embedding.weight') as [number, number];
  const [nText, nTextDim] = shape('embedding.weight') as [number, number];
  const cfg: FlowtronConfig = {
    nSpeakers, nSpeakerDim, nText, nTextDim, nFlows,
    nMel: shape(`${p0}conv.weight`)[0]! / 2,
    nHidden: shape(`${p0}attention_lstm.weight_hh_l0`)[1]!,
    nAttn: shape(`${p0}attention_layer.query.linear_layer.weight`)[0]!,
    nLstmLayers,
    useGate: t.has(`${lastPrefix}gate_layer.linear_layer.weight`),
    dummySpeaker: false,
  };
  const meta = ckpt.metadata?.config;
  if (meta) {
    let m: Record<string, unknown> = {};
    try {
      m = JSON.parse(meta) as Record<string, unknown>;
    } catch {
      /* not JSON: shapes alone decide */
    }
    const pairs: [keyof FlowtronConfig, string][] = [
      ['nFlows', 'n_flows'], ['nHidden', 'n_hidden'], ['nAttn', 'n_attn_channels'], ['nLstmLayers', 'n_lstm_layers'],
      ['nTextDim', 'n_text_dim'], ['nSpeakerDim', 'n_speaker_dim'], ['nMel', 'n_mel_channels'],
    ];
    for (const [k, mk] of pairs) {
      if (typeof m[mk] === 'number' && m[mk] !== cfg[k]) {
        throw new FlowgpuError(`flowtron: metadata config says ${mk} = ${m[mk]} but the tensors say ${cfg[k]}`);
      }
    }
    if (m.use_cumm_attention === true) throw new FlowgpuError('flowtron: use_cumm_attention models are not supported');
    cfg.dummySpeaker = m.dummy_speaker_embedding === true || m.dummy_speaker_embedding === 1;
    // n_components > 1 (Gaussian mixture prior) only matters for training: inference ignores it.
  }
  return cfg;
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

/** Flowtron token ids of text (flowtron_cleaners + CMUdict with probability pArpabet). */
export async function textIds(text: string, pArpabet: number, seed?: number): Promise<number[]> {
  const { textToIds } = await import('../../text/index.js');
  return (await textToIds('flowtron', text, seed === undefined ? { pArpabet } : { pArpabet, seed })).ids;
}

// Checkpoint → self-describing flowgpu safetensors: detected model and config (from the weights and
// the original's config file, when given) in the metadata,
// weight norm folded, floats normalised to f32 (or f16 on request).
// WaveGlow's and Glow-TTS's invertible 1x1 convolutions stay as trained (the models invert them in
// float64 at load time) and stay f32 even with fp16: their inverses would amplify half rounding.

import { ASSUMED_KEY, detect, type Config, type ConfigSource, type ModelKind, type Provenance } from './detect.js';
import { DTYPE_SIZE, toFloat16, toFloat32 } from './dtype.js';
import { FlowgpuError } from '../gpu/errors.js';
import { detectFormat, loadCheckpoint, stateDictOf } from './checkpoint.js';
import { numel, type Checkpoint, type HostTensor } from './host-tensor.js';
import { foldWeightNorm } from './weightnorm.js';

export interface ConvertOptions {
  /** Fold weight norm into plain weights (default true). */
  fold?: boolean;
  /** Store float weights as f16 (default false). */
  fp16?: boolean;
  /** The original's config file(s) (text or object); what it sets is stored, so the file never needs it again. */
  config?: ConfigSource;
  /** The config's file name, for messages. */
  configName?: string;
}

export interface Converted {
  model: ModelKind;
  config: Config;
  /** Where each config field came from (see `detect`). */
  provenance: Record<string, Provenance>;
  /** Config fields nothing given shows: published defaults, stored as still assumed. */
  assumed: string[];
  /** The assumed values, said (empty when the config was complete). */
  warnings: string[];
  checkpoint: Checkpoint;
  parameterCount: number;
  /** Layers whose weight norm was folded. */
  folded: string[];
}

const KEEP_F32: Partial<Record<ModelKind, RegExp>> = {
  waveglow: /^convinv\./,
  glowtts: /^decoder\.flows\.\d+\.weight$/, // InvConvNear
};

function isFloat(t: HostTensor): boolean {
  return t.dtype === 'f32' || t.dtype === 'f16' || t.dtype === 'bf16' || t.dtype === 'f64';
}

/** Each tensor is written in full (safetensors cannot share bytes between tensors), so views of
 *  one shared storage would each copy it: refuse output beyond what widening to f32 explains,
 *  before folding or converting allocates any of it. */
function checkOutputSize(input: Checkpoint, inputBytes: number): void {
  const maxOut = 2 * inputBytes + (1 << 20);
  let outBytes = 0;
  for (const t of input.tensors.values()) {
    outBytes += numel(t.shape) * Math.max(DTYPE_SIZE[t.dtype], isFloat(t) ? 4 : 0);
    if (outBytes > maxOut) {
      throw new FlowgpuError(
        `converting would write more than ${outBytes} bytes of tensors from a ${inputBytes}-byte file: its tensors ` +
          'are views sharing one storage (or broadcast with zero strides), and a safetensors file stores each tensor ' +
          'in full. This is not an ordinary checkpoint; re-save it with each tensor .clone()d.',
      );
    }
  }
}

export function convertCheckpoint(source: Uint8Array | ArrayBuffer, options: ConvertOptions = {}): Converted {
  const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
  const fold = options.fold ?? true;
  const fp16 = options.fp16 ?? false;
  const input = stateDictOf(loadCheckpoint(bytes));
  checkOutputSize(input, bytes.length);
  const found = detect(input, { config: options.config, configName: options.configName });
  const { tensors, folded } = fold ? foldWeightNorm(input.tensors) : { tensors: input.tensors, folded: [] };

  const keep = KEEP_F32[found.model];
  const out = new Map<string, HostTensor>();
  let parameterCount = 0;
  for (const [k, t] of tensors) {
    parameterCount += numel(t.shape);
    if (!isFloat(t)) out.set(k, t);
    else if (fp16 && !keep?.test(k)) out.set(k, t.dtype === 'f16' ? t : toFloat16(t));
    else out.set(k, t.dtype === 'f32' ? t : { dtype: 'f32', shape: t.shape, data: toFloat32(t) });
  }
  const origin = input.metadata['torch.source'];
  const metadata: Record<string, string> = {
    'flowgpu.model': found.model,
    'flowgpu.config': JSON.stringify(found.config),
    // the defaults in that config stay assumptions: loading the file warns about them again
    ...(found.assumed.length ? { [ASSUMED_KEY]: JSON.stringify(found.assumed) } : {}),
    'flowgpu.folded': String(fold),
    'flowgpu.dtype': fp16 ? 'f16' : 'f32',
    'flowgpu.source': origin ? `${detectFormat(bytes)}, ${origin}` : detectFormat(bytes),
  };
  return {
    model: found.model, config: found.config, provenance: found.provenance, assumed: found.assumed, warnings: found.warnings, checkpoint: { tensors: out, metadata }, parameterCount,
    folded,
  };
}

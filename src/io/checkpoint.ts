// One entry point for weights files: safetensors, torch.save zip, torch.save legacy.

import { FlowgpuError } from '../gpu/errors.js';
import type { Checkpoint, HostTensor } from './host-tensor.js';
import type { ReadLimits } from './limits.js';
import { readSafetensors } from './safetensors.js';
import { readTorchCheckpoint, torchLayout } from './torch.js';

export { toFloat32 } from './dtype.js';

export type CheckpointFormat = 'safetensors' | 'torch-zip' | 'torch-legacy';

export function detectFormat(bytes: Uint8Array): CheckpointFormat {
  const torch = torchLayout(bytes);
  if (torch) return `torch-${torch}`;
  if (bytes.length >= 9 && bytes[8] === 0x7b /* '{' */) return 'safetensors';
  const start = new TextDecoder('latin1').decode(bytes.subarray(0, 64)).trimStart().toLowerCase();
  const hint = start.startsWith('<!doctype') || start.startsWith('<html')
    ? ' It is an HTML page: the download probably saved a web page instead of the file.'
    : '';
  throw new FlowgpuError(
    `unrecognised weights file: not safetensors, nor a torch.save zip ("PK"), nor a legacy torch.save pickle.${hint}`,
  );
}

/** Reads any supported weights file; tensors are zero-copy views of `source` where alignment allows.
 *  `limits` raises (or lowers) what an untrusted file may make the reader allocate (SECURITY.md). */
export function loadCheckpoint(source: Uint8Array | ArrayBuffer, limits: ReadLimits = {}): Checkpoint {
  const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
  return detectFormat(bytes) === 'safetensors' ? readSafetensors(bytes) : readTorchCheckpoint(bytes, limits);
}

/** The tensors under `prefix`, with it stripped (golden files keep the state_dict under "weights."). */
export function withPrefix(ckpt: Checkpoint, prefix: string): Checkpoint {
  const tensors = new Map<string, HostTensor>();
  for (const [k, t] of ckpt.tensors) if (k.startsWith(prefix)) tensors.set(k.slice(prefix.length), t);
  if (tensors.size === 0) throw new FlowgpuError(`no tensors whose names start with "${prefix}" in this checkpoint`);
  return { tensors, metadata: ckpt.metadata };
}

/** Drops the `weights.` prefix of golden/test files (state dict stored beside inputs and outputs). */
export function stateDictOf(ckpt: Checkpoint): Checkpoint {
  for (const k of ckpt.tensors.keys()) if (k.startsWith('weights.')) return withPrefix(ckpt, 'weights.');
  return ckpt;
}

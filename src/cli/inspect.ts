// `flowgpu inspect <file> [--config FILE]...`: the tensors (name, dtype, shape) and metadata of a .pt or
// .safetensors file, and the detected model's config with where each value came from.

import { describeShape, FlowgpuError } from '../gpu/errors.js';
import { detectFormat, loadCheckpoint, stateDictOf } from '../io/checkpoint.js';
import { detect } from '../io/detect.js';
import { numel } from '../io/host-tensor.js';
import { describeConfig, formatBytes, readCheckpointFile, readConfigFiles } from './convert.js';

const USAGE = 'usage: flowgpu inspect <checkpoint.pt|.pth|.pth.tar|.safetensors> [--config FILE]...';

export async function run(args: string[]): Promise<void> {
  const configs: string[] = [];
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--config' && args[i + 1] !== undefined) configs.push(args[++i]!);
    else if (args[i]!.startsWith('-')) throw new FlowgpuError(USAGE);
    else files.push(args[i]!);
  }
  const file = files[0];
  if (!file || files.length > 1) throw new FlowgpuError(USAGE);
  const bytes = readCheckpointFile(file);
  const ckpt = loadCheckpoint(bytes);
  let model: string;
  try {
    const found = detect(stateDictOf(ckpt), readConfigFiles(configs));
    model = `${found.model}; config (from the weights, the config file, the metadata, or a published default):\n` +
      `${describeConfig(found.config, found.provenance).join('\n')}` +
      found.warnings.map((w) => `\n  warning: ${w}`).join('');
  } catch (e) {
    model = `not recognised (${(e as Error).message})`;
  }
  const width = Math.max(4, ...[...ckpt.tensors.keys()].map((k) => k.length));
  let elements = 0;
  const rows = [...ckpt.tensors].map(([name, t]) => {
    elements += numel(t.shape);
    return `  ${name.padEnd(width)}  ${t.dtype.padEnd(4)}  ${describeShape(t.shape)}`;
  });
  const meta = Object.entries(ckpt.metadata).map(([k, v]) => `  ${k}: ${v}`);
  process.stdout.write(
    `file:     ${file} (${detectFormat(bytes)}, ${formatBytes(bytes.length)})\n` +
      `model:    ${model}\n` +
      `metadata:${meta.length ? `\n${meta.join('\n')}` : ' none'}\n` +
      `tensors:  ${ckpt.tensors.size}, ${elements.toLocaleString('en-US')} elements\n` +
      `${rows.join('\n')}\n`,
  );
}

// `flowgpu inspect <file>`: the tensors (name, dtype, shape) and metadata of a .pt or .safetensors file.

import { describeShape, FlowgpuError } from '../gpu/errors.js';
import { detectFormat, loadCheckpoint } from '../io/checkpoint.js';
import { detect } from '../io/detect.js';
import { numel } from '../io/host-tensor.js';
import { formatBytes, readCheckpointFile } from './convert.js';

export async function run(args: string[]): Promise<void> {
  const file = args[0];
  if (!file || args.length > 1 || file.startsWith('-')) {
    throw new FlowgpuError('usage: flowgpu inspect <checkpoint.pt|.pth|.pth.tar|.safetensors>');
  }
  const bytes = readCheckpointFile(file);
  const ckpt = loadCheckpoint(bytes);
  let model: string;
  try {
    const found = detect(ckpt);
    model = `${found.model} ${JSON.stringify(found.config)}`;
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

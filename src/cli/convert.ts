// `flowgpu convert <in.pt|in.pth|in.pth.tar> -o <out.safetensors> [--fp16] [--no-fold]`

import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { FlowgpuError } from '../gpu/errors.js';
import { convertCheckpoint } from '../io/convert.js';
import { safetensorsParts } from '../io/safetensors.js';
import { readCheckpointFile } from './files.js';

export { readCheckpointFile };

const USAGE =
  'usage: flowgpu convert <checkpoint.pt|.pth|.pth.tar|.safetensors> -o <out.safetensors> [--fp16] [--no-fold]\n' +
  '  --fp16     store float weights as f16 (the invertible 1x1 convolutions stay f32)\n' +
  '  --no-fold  keep weight norm (weight_g/weight_v) instead of folding it into weight';

export function formatBytes(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(1)} kB`;
}

function writeParts(path: string, parts: Uint8Array[]): number {
  const tmp = `${path}.partial`;
  const fd = openSync(tmp, 'w');
  let total = 0;
  try {
    for (const p of parts) {
      for (let at = 0; at < p.length;) at += writeSync(fd, p, at, p.length - at);
      total += p.length;
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path); // a crash never leaves a half-written file under the real name
  return total;
}

export async function run(args: string[]): Promise<void> {
  let input: string | undefined;
  let output: string | undefined;
  let fp16 = false;
  let fold = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    if (a === '-o' || a === '--output') output = args[++i];
    else if (a === '--fp16') fp16 = true;
    else if (a === '--no-fold') fold = false;
    else if (a.startsWith('-')) throw new FlowgpuError(`convert: unknown option ${a}\n${USAGE}`);
    else if (input === undefined) input = a;
    else throw new FlowgpuError(`convert: more than one input file (${input}, ${a})\n${USAGE}`);
  }
  if (!input || !output) throw new FlowgpuError(`convert: ${input ? 'missing -o <out.safetensors>' : 'missing the input checkpoint'}\n${USAGE}`);

  const result = convertCheckpoint(readCheckpointFile(input), { fold, fp16 });
  const size = writeParts(output, safetensorsParts(result.checkpoint));
  const meta = result.checkpoint.metadata;
  const lines = [
    `model:      ${result.model}`,
    `config:     ${JSON.stringify(result.config)}`,
    ...(result.assumed.length ? [`assumed:    ${result.assumed.join(', ')} (not shown by the weights: defaults used)`] : []),
    `source:     ${meta['flowgpu.source']}`,
    `parameters: ${result.parameterCount.toLocaleString('en-US')} in ${result.checkpoint.tensors.size} tensors` +
      (fold ? `, weight norm folded in ${result.folded.length} layers` : ', weight norm kept'),
    `wrote:      ${output} (${formatBytes(size)}, ${fp16 ? 'f16' : 'f32'})`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

// `flowgpu convert <in.pt|in.pth|in.pth.tar> -o <out.safetensors> [--config FILE]... [--fp16] [--no-fold]`

import { closeSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { FlowgpuError } from '../gpu/errors.js';
import { convertCheckpoint } from '../io/convert.js';
import type { Config, Provenance } from '../io/detect.js';
import { safetensorsParts } from '../io/safetensors.js';
import { readCheckpointFile } from './files.js';

export { readCheckpointFile };

const USAGE =
  'usage: flowgpu convert <checkpoint.pt|.pth|.pth.tar|.safetensors> -o <out.safetensors> [--config FILE]... [--fp16] [--no-fold]\n' +
  '  --config   the original\'s config file (config.json; XSpkEmoTrans: --config preprocess.yaml --config model.yaml),\n' +
  '             stored in the output so that it never needs it again\n' +
  '  --fp16     store float weights as f16 (the invertible 1x1 convolutions stay f32)\n' +
  '  --no-fold  keep weight norm (weight_g/weight_v) instead of folding it into weight';

/** The config files given with --config, as `detect` takes them (several: one list). */
export function readConfigFiles(paths: readonly string[]): { config?: string | string[]; configName?: string } {
  if (!paths.length) return {};
  const texts = paths.map((p) => {
    try {
      return readFileSync(p, 'utf8');
    } catch (e) {
      throw new FlowgpuError(`cannot read the config file ${p}: ${(e as Error).message}`);
    }
  });
  return { config: texts.length === 1 ? texts[0]! : texts, configName: paths.join(' + ') };
}

/** Each config value and where it came from: `name = value (weights|config|metadata|default)`. */
export function describeConfig(config: Config, provenance: Record<string, Provenance>): string[] {
  const values = new Map<string, unknown>();
  const walk = (c: Config, prefix: string): void => {
    for (const [k, v] of Object.entries(c)) {
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) walk(v, `${prefix}${k}.`);
      else values.set(`${prefix}${k}`, v);
    }
  };
  walk(config, '');
  return [...values].map(([path, v]) => `  ${path} = ${JSON.stringify(v)} (${provenance[path] ?? 'metadata'})`);
}

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
  const configs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    if (a === '-o' || a === '--output') output = args[++i];
    else if (a === '--fp16') fp16 = true;
    else if (a === '--no-fold') fold = false;
    else if (a === '--config') {
      const path = args[++i];
      if (path === undefined) throw new FlowgpuError(`convert: --config needs a file\n${USAGE}`);
      configs.push(path);
    }
    else if (a.startsWith('-')) throw new FlowgpuError(`convert: unknown option ${a}\n${USAGE}`);
    else if (input === undefined) input = a;
    else throw new FlowgpuError(`convert: more than one input file (${input}, ${a})\n${USAGE}`);
  }
  if (!input || !output) throw new FlowgpuError(`convert: ${input ? 'missing -o <out.safetensors>' : 'missing the input checkpoint'}\n${USAGE}`);

  const result = convertCheckpoint(readCheckpointFile(input), { fold, fp16, ...readConfigFiles(configs) });
  for (const w of result.warnings) process.stderr.write(`flowgpu: warning: ${w}\n`);
  const size = writeParts(output, safetensorsParts(result.checkpoint));
  const meta = result.checkpoint.metadata;
  const lines = [
    `model:      ${result.model}`,
    'config (each value: from the weights, the config file, the metadata, or a published default):',
    ...describeConfig(result.config, result.provenance),
    `source:     ${meta['flowgpu.source']}`,
    `parameters: ${result.parameterCount.toLocaleString('en-US')} in ${result.checkpoint.tensors.size} tensors` +
      (fold ? `, weight norm folded in ${result.folded.length} layers` : ', weight norm kept'),
    `wrote:      ${output} (${formatBytes(size)}, ${fp16 ? 'f16' : 'f32'})`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

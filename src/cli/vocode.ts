// `flowgpu vocode <vocoder weights> <mel.npy> -o <out.wav|out.npy> [--sigma 0.6] [--denoise 0.1] [--seed N]
//  [--float] [--chunk N]`: mel → audio with a WaveGlow checkpoint (.safetensors, or a torch .pt read directly).

import { readFile, writeFile } from 'node:fs/promises';
import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';
import { createNodeEngine } from '../gpu/node-gpu.js';
import { loadCheckpoint } from '../io/checkpoint.js';
import { readMel, writeNpy } from '../io/npy.js';
import { encodeWav } from '../io/wav.js';
import { loadVocoder } from '../models/vocoder.js';

const USAGE =
  'usage: flowgpu vocode <waveglow.safetensors|.pt> <mel.npy> -o <out.wav|out.npy> [--sigma 0.6] [--denoise 0] [--seed 0] [--float] [--chunk N]\n' +
  '  weights: WaveGlow (HiFi-GAN works too; --sigma, --seed and --denoise then do not apply)\n' +
  '  mel.npy: float32 [n_mel, frames] or [1, n_mel, frames], natural-log mel (Tacotron 2 definition)\n' +
  '  --sigma    latent noise scale (default 0.6; 0 is deterministic)\n' +
  '  --denoise  denoiser strength (default 0: off; 0.1 removes WaveGlow\'s hiss)\n' +
  '  --seed     seed of the noise (default 0)\n' +
  '  --float    write 32-bit float WAV instead of 16-bit PCM\n' +
  '  --chunk    time-window length in group steps (default: the largest the GPU allows)\n';

interface Args {
  weights: string;
  mel: string;
  out: string;
  sigma: number;
  denoise: number;
  seed: number;
  float: boolean;
  chunk?: number;
}

function parse(argv: string[]): Args | null {
  const pos: string[] = [];
  const a: Partial<Args> = { sigma: 0.6, denoise: 0, seed: 0, float: false };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new FlowgpuError(`vocode: ${s} needs a value\n${USAGE}`);
      return v;
    };
    const number = (min: number, integer = false): number => {
      const v = Number(value());
      if (!Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
        throw new FlowgpuError(`vocode: ${s} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${argv[i]}`);
      }
      return v;
    };
    if (s === '-h' || s === '--help') return null;
    else if (s === '-o' || s === '--output') a.out = value();
    else if (s === '--sigma') a.sigma = number(0);
    else if (s === '--denoise') a.denoise = number(0);
    else if (s === '--seed') a.seed = number(0, true);
    else if (s === '--chunk') a.chunk = number(1, true);
    else if (s === '--float') a.float = true;
    else if (s.startsWith('-') && s.length > 1) throw new FlowgpuError(`vocode: unknown option ${s}\n${USAGE}`);
    else pos.push(s);
  }
  if (pos.length !== 2) throw new FlowgpuError(`vocode: give the vocoder weights and the mel .npy (got ${pos.length} file argument(s))\n${USAGE}`);
  if (!a.out) throw new FlowgpuError(`vocode: give the output file with -o <out.wav|out.npy>\n${USAGE}`);
  if (!/\.(wav|npy)$/i.test(a.out)) throw new FlowgpuError(`vocode: the output must end in .wav or .npy, got ${a.out}`);
  return { ...(a as Args), weights: pos[0]!, mel: pos[1]! };
}

async function read(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    throw new FlowgpuError(`cannot read the ${what} ${path}: ${(err as Error).message}`);
  }
}

export async function run(argv: string[], engine?: Engine): Promise<void> {
  const args = parse(argv);
  if (!args) {
    process.stdout.write(USAGE);
    return;
  }
  // Read and check the mel's container before spending time on the weights.
  const melBytes = await read(args.mel, 'mel');
  readMel(melBytes);
  const weights = await read(args.weights, 'vocoder weights');
  const e = engine ?? (await createNodeEngine());
  try {
    const t0 = performance.now();
    const vocoder = await loadVocoder(e, loadCheckpoint(weights));
    try {
      const { mel, frames } = readMel(melBytes, vocoder.nMel);
      const t1 = performance.now();
      const audio = await vocoder.infer(mel, frames, {
        sigma: args.sigma, denoise: args.denoise, seed: args.seed, chunkLength: args.chunk,
        onProgress: (done, total) => {
          if (total > 1) process.stderr.write(`vocode: window ${done}/${total}\n`);
        },
      });
      const t2 = performance.now();
      const out = /\.npy$/i.test(args.out) ? writeNpy(audio, [audio.length]) : encodeWav(audio, vocoder.sampleRate, args.float ? 'float32' : 'pcm16');
      await writeFile(args.out, out);
      const secs = audio.length / vocoder.sampleRate;
      process.stderr.write(
        `vocode: ${vocoder.kind} ${frames} frames → ${audio.length} samples (${secs.toFixed(2)} s at ${vocoder.sampleRate} Hz) in ` +
          `${((t2 - t1) / 1000).toFixed(2)} s (load ${((t1 - t0) / 1000).toFixed(2)} s; ${(audio.length / (t2 - t1)).toFixed(1)} kHz, ` +
          `real-time factor ${((t2 - t1) / 1000 / secs).toFixed(2)}) → ${args.out}\n`,
      );
    } finally {
      vocoder.release();
    }
  } finally {
    if (!engine) e.destroy();
  }
}

// `flowgpu vocode <vocoder> <mel.npy> -o <out.wav|out.npy> [options]`: mel → audio with a WaveGlow
// or HiFi-GAN checkpoint (.safetensors, or a torch file read directly) through the API's `vocode`.

import { VOCODER_KINDS, vocode } from '../api.js';
import { readMel, writeNpy } from '../io/npy.js';
import { encodeWav } from '../io/wav.js';
import { defineCommand } from './args.js';
import { readBytes, writeOutput } from './files.js';
import { checkApplies, VOCODE_OPTIONS } from './synthesis.js';

const { iterations: _, ...options } = VOCODE_OPTIONS; // Griffin-Lim is `speak`'s

const command = defineCommand({
  name: 'vocode',
  usage:
    'usage: flowgpu vocode <vocoder> <mel.npy> -o <out.wav|out.npy> [options]\n' +
    '  <vocoder>: WaveGlow or HiFi-GAN weights; mel.npy: float32 [n_mel, frames] or [1, n_mel, frames], natural-log mel (Tacotron 2 definition)',
  args: { min: 2, max: 2, what: 'the vocoder weights and the mel .npy' },
  options: { ...options, float: { kind: 'flag', help: 'write a 32-bit float WAV instead of 16-bit PCM' } },
  output: { required: true, what: 'out.wav|out.npy', extensions: ['.wav', '.npy'] },
  loadsModels: true,
  async run(ctx) {
    const [weights, melPath] = ctx.positional as [string, string];
    // Read and check the mel's container before spending time on the weights.
    const melBytes = readBytes(melPath, 'the mel');
    readMel(melBytes);
    const t0 = performance.now();
    const vocoder = await ctx.load(weights, VOCODER_KINDS);
    checkApplies(ctx.opts, options, vocoder.kind);
    const { mel, frames } = readMel(melBytes, vocoder.nMel);
    const t1 = performance.now();
    const audio = await vocode(vocoder, mel, frames, {
      sigma: ctx.opts.sigma, denoise: ctx.opts.denoise, seed: ctx.opts.seed, chunkLength: ctx.opts.chunk,
      onProgress: (done, total) => {
        if (total > 1) process.stderr.write(`vocode: window ${done}/${total}\n`);
      },
    });
    const t2 = performance.now();
    const out = ctx.output!;
    await writeOutput(out, /\.npy$/i.test(out) ? writeNpy(audio, [audio.length]) : encodeWav(audio, vocoder.sampleRate, ctx.opts.float ? 'float32' : 'pcm16'));
    const secs = audio.length / vocoder.sampleRate;
    process.stderr.write(
      `vocode: ${vocoder.kind} ${frames} frames → ${audio.length} samples (${secs.toFixed(2)} s at ${vocoder.sampleRate} Hz) in ` +
        `${((t2 - t1) / 1000).toFixed(2)} s (load ${((t1 - t0) / 1000).toFixed(2)} s; ${(audio.length / (t2 - t1)).toFixed(1)} kHz, ` +
        `real-time factor ${((t2 - t1) / 1000 / secs).toFixed(2)}) → ${out}\n`,
    );
  },
});

export const run = command.run;

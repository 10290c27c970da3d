// `flowgpu <command> ...`: each command lives in src/cli/<command>.ts and exports run(args).
const commands: Record<string, { summary: string; load: () => Promise<{ run(args: string[]): Promise<void> }> }> = {
  bench: { summary: 'time every kernel at realistic shapes; print GFLOP/s, GB/s, % of peak; write JSON (--quick, --only, --json)', load: () => import('./cli/bench.js') },
  convert: { summary: 'convert a PyTorch checkpoint (.pt/.pth/.pth.tar) to flowgpu safetensors: convert <in> -o <out.safetensors> [--fp16] [--no-fold]', load: () => import('./cli/convert.js') },
  inspect: { summary: 'list the tensors and metadata of a .pt or .safetensors file', load: () => import('./cli/inspect.js') },
  ids: { summary: 'print the token ids of a text as JSON: ids --front-end glowtts|flowtron|cset "<text>"', load: () => import('./cli/ids.js') },
  vocode: { summary: 'mel .npy → WAV/.npy with a WaveGlow or HiFi-GAN checkpoint: vocode <vocoder> <mel.npy> -o out.wav [--sigma 0.666] [--denoise 0.1] [--seed N]', load: () => import('./cli/vocode.js') },
  doctor: { summary: 'show the WebGPU adapter, its features and limits, and why other backends failed', load: () => import('./cli/doctor.js') },
  style: { summary: 'Flowtron style transfer: mean posterior z of (audio|mel, text) references → style.npy: style <flowtron> refs.csv -o style.npy', load: () => import('./cli/style.js') },
  latents: { summary: 'Flowtron latent map: mean z per (audio|mel, text, label) row, PCA → SVG scatter: latents <list.csv> <flowtron> -o map.svg', load: () => import('./cli/latents.js') },
  align: { summary: 'forced alignment with a Glow-TTS model (MAS on the GPU): align <glowtts> <audio.wav> "<text>" [--json out.json]', load: () => import('./cli/align.js') },
  speak: { summary: 'text → WAV with a TTS model and a vocoder (or griffinlim): speak [<tts model> <vocoder>] "<text>" -o out.wav', load: () => import('./cli/speak.js') },
  batch: { summary: 'a list of lines (.txt/.jsonl/.csv) → <dir>/<id>.wav + manifest.jsonl, resumable: batch <list> -o <dir> [--retries 2]', load: () => import('./cli/batch.js') },
  queue: { summary: 'many machines (BullMQ on Redis): queue add <list> --redis URL --queue NAME | queue status --redis URL --queue NAME', load: () => import('./cli/queue.js') },
  worker: { summary: 'work a queue filled by `queue add`: worker --redis URL --queue NAME -o <dir> [voice options]', load: () => import('./cli/worker.js') },
  tts: { summary: 'text → mel .npy with any TTS checkpoint (Glow-TTS, Flowtron, XSpkEmoTrans): tts <model> "<text>" -o mel.npy', load: () => import('./cli/tts.js') },
};

function usage(): string {
  const rows = Object.entries(commands).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`);
  return `usage: flowgpu <command> [options]\n\ncommands:\n${rows.join('\n')}\n`;
}

async function main(argv: string[]): Promise<void> {
  // --verbose (any command): let Dawn's and the driver's messages through to stderr.
  if (argv.includes('--verbose')) process.env.FLOWGPU_VERBOSE = '1';
  const [name, ...args] = argv.filter((a) => a !== '--verbose');
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return;
  }
  const cmd = commands[name];
  if (!cmd) {
    process.stderr.write(`flowgpu: unknown command "${name}"\n\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  await (await cmd.load()).run(args);
}

/** One line for the user; the stack only with FLOWGPU_DEBUG=1 (a stack is never the answer to a mistake in the input). */
function describeError(e: unknown): string {
  const err = e as Error | undefined;
  if (process.env['FLOWGPU_DEBUG'] === '1') return err?.stack ?? String(e);
  if (err?.name === 'FlowgpuError') return err.message;
  const message = (err?.message ?? String(e)).split('\n')[0];
  return `${message} (an unexpected error: run with FLOWGPU_DEBUG=1 to see where, and please report it)`;
}

main(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (e: unknown) => {
    process.stderr.write(`flowgpu: ${describeError(e)}\n`);
    process.exit(1);
  },
);

// Text → speech → WAV in Deno with its built-in WebGPU (navigator.gpu) and the universal bundle:
//
//   deno run --allow-read --allow-write examples/deno/speak.ts <tts model> <vocoder> "text" out.wav [options]
//   deno run --allow-read --allow-write examples/deno/speak.ts "text" out.wav [--voice <tts model>]
//
// <tts model>: Glow-TTS, Flowtron or XSpkEmoTrans; <vocoder>: WaveGlow or HiFi-GAN (same mel
// channels), or `griffinlim`. Any .safetensors / .pt / .pth / .pth.tar checkpoint; the model type
// is detected. With no model arguments: the demo voice (weights/demo-voice.safetensors, a small
// Glow-TTS) through Griffin-Lim; `--voice` swaps in another TTS model.
// Options: --speaker N  --sigma S  --gate G  --max-frames N  --noise-scale S  --length-scale L
//          --seed N  --ids '[1,2,3]'  --speaker-embedding spk.npy  --emotion N  --reference ref.wav|ref.npy
//          --vocoder-sigma S  --denoise D  --iterations N (Griffin-Lim)  --normalize
//          --stream: speak sentence by sentence and write each audio chunk as it comes (speakStream)
// Build the bundle first (`npm run build` writes dist/flowgpu.js and its types, dist/types). On a machine without a GPU,
// point VK_ICD_FILENAMES at a Vulkan software driver (e.g. .cache/lavapipe/lvp_icd.json).
// @ts-types="../../dist/types/index.d.ts"
import * as flowgpu from '../../dist/flowgpu.js';

type Opts = Record<string, string | true>;

const USAGE = 'usage: deno run --allow-read --allow-write examples/deno/speak.ts [<tts model> <vocoder> | --voice <tts model>] "text" out.wav ' +
  '[--speaker N] [--sigma S] [--gate G] [--max-frames N] [--noise-scale S] [--length-scale L] [--seed N] [--ids \'[...]\'] ' +
  '[--speaker-embedding spk.npy] [--emotion N | --reference ref.wav|ref.npy] [--vocoder-sigma S] [--denoise D] [--normalize]';

function parse(args: string[]): { positional: string[]; opts: Opts } {
  const positional: string[] = [];
  const opts: Opts = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      if (eq > 0) opts[a.slice(2, eq)] = a.slice(eq + 1);
      else if (a === '--normalize' || a === '--help' || a === '--stream') opts[a.slice(2)] = true;
      else if (i + 1 < args.length) opts[a.slice(2)] = args[++i]!;
      else throw new Error(`${a} needs a value`);
    } else positional.push(a);
  }
  return { positional, opts };
}

function number(opts: Opts, name: string): number | undefined {
  const v = opts[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || !Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${String(v)}`);
  return n;
}

async function main(): Promise<void> {
  const { positional, opts } = parse(Deno.args);
  if (opts['help']) {
    console.log(USAGE);
    return;
  }
  const voice = typeof opts['voice'] === 'string' ? opts['voice'] : undefined;
  if (positional.length !== 4 && positional.length !== 2) throw new Error(`give a TTS model, a vocoder, the text and the output file (or only the text and the output file for the demo voice)\n${USAGE}`);
  if (positional.length === 4 && voice) throw new Error(`--voice replaces the two model arguments: give only the text and the output file\n${USAGE}`);
  const [ttsPath, vocPath, text, outPath] = (positional.length === 4 ? positional : [voice, 'griffinlim', ...positional]) as [string | undefined, string, string, string];
  const iterations = number(opts, 'iterations');

  const engine = await flowgpu.Engine.create();
  console.log(`flowgpu: WebGPU ${engine.adapterName}`);
  try {
    const t0 = performance.now();
    let tts;
    let voc;
    if (ttsPath === undefined) {
      ({ tts, vocoder: voc } = await flowgpu.loadDemoVoiceModels(engine, iterations !== undefined ? { iterations } : {}));
    } else {
      tts = await flowgpu.loadModel(engine, ttsPath, { expect: flowgpu.TTS_KINDS });
      voc = vocPath === 'griffinlim'
        ? await flowgpu.griffinLimVocoder(engine, iterations !== undefined ? { iterations } : {})
        : await flowgpu.loadModel(engine, vocPath, { expect: flowgpu.VOCODER_KINDS });
    }
    flowgpu.checkPair(tts, voc);
    const t1 = performance.now();
    console.log(`flowgpu: ${flowgpu.modelName(tts.kind)} + ${flowgpu.modelName(voc.kind)} loaded in ${((t1 - t0) / 1000).toFixed(1)} s`);

    const o: Record<string, unknown> = {
      speaker: number(opts, 'speaker'), sigma: number(opts, 'sigma'), maxFrames: number(opts, 'max-frames'),
      noiseScale: number(opts, 'noise-scale'), lengthScale: number(opts, 'length-scale'), seed: number(opts, 'seed'),
      emotion: number(opts, 'emotion'),
    };
    const gate = number(opts, 'gate');
    if (gate !== undefined) o['gateThreshold'] = gate >= 1 ? null : gate;
    if (typeof opts['speaker-embedding'] === 'string') {
      o['speakerEmbedding'] = flowgpu.readNpy(await Deno.readFile(opts['speaker-embedding'])).data;
    }
    if (typeof opts['reference'] === 'string') {
      const bytes = await Deno.readFile(opts['reference']);
      if (String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF') {
        const wav = flowgpu.decodeWav(bytes);
        o['referenceMel'] = await flowgpu.referenceFromAudio(engine, flowgpu.toMono(wav.channels), wav.sampleRate, tts.nMel);
      } else {
        const m = flowgpu.readMel(bytes, tts.nMel);
        o['referenceMel'] = { data: m.mel, frames: m.frames, layout: 'channels' };
      }
    }
    if (tts.kind === 'cset' && o['emotion'] === undefined && !o['referenceMel']) o['emotion'] = 0;
    for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
    const input = typeof opts['ids'] === 'string' ? (JSON.parse(opts['ids']) as number[]) : text;
    // WaveGlow's defaults: WAVEGLOW_SIGMA, no denoiser.
    const vocoderOptions = { sigma: number(opts, 'vocoder-sigma'), denoise: number(opts, 'denoise') };
    if (opts['stream'] === true) {
      await streamToFile(tts, voc, text, { ...o, vocoder: vocoderOptions }, outPath, t1);
      tts.release();
      voc.release();
      return;
    }

    const r = await flowgpu.speak(tts, voc, input, {
      ...o,
      vocoder: vocoderOptions,
      normalize: opts['normalize'] === true,
    });
    const t2 = performance.now();
    if (r.unknown.length) console.warn(`flowgpu: warning: dropped symbols the front end lacks: ${r.unknown.join(' ')}`);
    await Deno.writeFile(outPath, flowgpu.encodeWav(r.audio, r.sampleRate));
    console.log(
      `wrote ${outPath}: ${r.audio.length} samples (${(r.audio.length / r.sampleRate).toFixed(2)} s at ${r.sampleRate} Hz) ` +
        `from a mel [${r.nMel}, ${r.frames}] in ${((t2 - t1) / 1000).toFixed(1)} s`,
    );
    tts.release();
    voc.release();
  } finally {
    engine.destroy();
  }
}

/** `--stream`: each chunk is written as soon as it is ready; the header gets the exact length at the end. */
async function streamToFile(tts: flowgpu.LoadedModel, voc: flowgpu.LoadedModel, text: string, o: flowgpu.StreamOptions, outPath: string, t1: number): Promise<void> {
  const file = await Deno.open(outPath, { write: true, create: true, truncate: true });
  let samples = 0;
  let rate = 22050;
  try {
    let header = true;
    for await (const c of flowgpu.speakStream(tts, voc, text, o)) {
      if (header) await file.write(flowgpu.wavHeader(c.sampleRate));
      header = false;
      await file.write(flowgpu.wavSamples(c.audio));
      samples = c.start + c.audio.length;
      rate = c.sampleRate;
      console.log(`chunk: ${(c.start / rate).toFixed(2)}–${(samples / rate).toFixed(2)} s after ${((performance.now() - t1) / 1000).toFixed(2)} s`);
    }
    await file.seek(0, Deno.SeekMode.Start);
    await file.write(flowgpu.wavHeader(rate, { frames: samples }));
  } finally {
    file.close();
  }
  console.log(`wrote ${outPath}: ${samples} samples (${(samples / rate).toFixed(2)} s at ${rate} Hz), streamed`);
}

try {
  await main();
} catch (err) {
  console.error(`flowgpu: ${err instanceof Error ? err.message : String(err)}`);
  Deno.exit(1);
}

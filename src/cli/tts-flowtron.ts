// `flowgpu tts` / `speak` adapter for Flowtron checkpoints.
import { writeFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';
import type { Detection } from '../io/detect.js';
import { concatBytes } from '../io/dtype.js';
import type { Checkpoint } from '../io/host-tensor.js';
import { Flowtron } from '../models/flowtron.js';
import { textToIds } from '../text/index.js';
import { readNpyFile } from './style.js';
import { optNumber, optString, type ParsedArgs, type TtsInput, type TtsOutput } from './tts-adapter.js';

export const options = [
  '--speaker N          speaker id (default 0)',
  '--sigma S            standard deviation of the sampled residual (default 0.5; 0: zero residual, deterministic)',
  '--gate G             stop at the first frame with sigmoid(gate) > G (default 0.5; ≥ 1 never stops)',
  '--max-frames N       length of the sampled residual, the most frames spoken (default 400)',
  '--seed N             seed of the residual (default 1234)',
  '--style style.npy    sample the residual around a style mean from `flowgpu style`',
  '--style-b B.npy      a second style: the residual is sampled around (1 − t)·style + t·B',
  '--style-t T          interpolation weight in [0, 1] for --style-b (default 0.5)',
  '--p-arpabet P        probability of reading a word from CMUdict (default 1)',
  '--temperature T      attention softmax temperature (default 1)',
  '--attention-png F    also write each flow\'s attention map as a PNG (flows side by side)',
].join('\n');

/** PNG (8-bit grey) of a `[rows, cols]` map scaled to [0, 1] → bytes. */
export function greyPng(values: Float32Array, rows: number, cols: number, scale = 1): Uint8Array {
  const [w, h] = [cols * scale, rows * scale];
  const raw = new Uint8Array((w + 1) * h);
  let max = 0;
  for (const v of values) max = Math.max(max, v);
  for (let y = 0; y < h; y++) {
    raw[y * (w + 1)] = 0;
    const r = rows - 1 - Math.floor(y / scale); // origin at the bottom, as imshow(origin='lower')
    for (let x = 0; x < w; x++) raw[y * (w + 1) + 1 + x] = Math.round(255 * (values[r * cols + Math.floor(x / scale)]! / (max || 1)));
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Uint8Array): number => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Uint8Array): Uint8Array => {
    const out = new Uint8Array(12 + data.length);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    dv.setUint32(8 + data.length, crc(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, w);
  dv.setUint32(4, h);
  ihdr.set([8, 0, 0, 0, 0], 8);
  return concatBytes([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', new Uint8Array(deflateSync(raw))), chunk('IEND', new Uint8Array(0))]);
}

/** The attention maps of all flows side by side, text on the vertical axis, frames across. */
function attentionMap(maps: Float32Array[], frames: number, tx: number): { values: Float32Array; rows: number; cols: number } {
  const gap = 2;
  const cols = maps.length * frames + (maps.length - 1) * gap;
  const values = new Float32Array(tx * cols);
  maps.forEach((m, k) => {
    for (let f = 0; f < frames; f++) for (let j = 0; j < tx; j++) values[j * cols + k * (frames + gap) + f] = m[f * tx + j]!;
  });
  return { values, rows: tx, cols };
}

export async function synthesize(engine: Engine, checkpoint: Checkpoint, input: TtsInput, args: ParsedArgs, _detection?: Detection): Promise<TtsOutput> {
  const model = await Flowtron.load(engine, checkpoint);
  try {
    const pArpabet = optNumber(args, 'p-arpabet', (v) => v >= 0 && v <= 1, 'a number in [0, 1]') ?? 1;
    const front = input.ids ? { ids: input.ids, unknown: [] as string[] } : await textToIds('flowtron', input.text ?? '', { pArpabet });
    const speaker = optNumber(args, 'speaker', (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer') ?? 0;
    if (speaker >= model.config.nSpeakers) {
      throw new FlowgpuError(`--speaker ${speaker} is out of range: this model has ${model.config.nSpeakers} speaker${model.config.nSpeakers === 1 ? '' : 's'} (0…${model.config.nSpeakers - 1})`);
    }
    const gate = optNumber(args, 'gate', (v) => v >= 0, 'a number ≥ 0') ?? 0.5;
    const readStyle = async (path: string): Promise<Float32Array> => {
      const { data, shape } = await readNpyFile(path);
      if (shape.length !== 2 || shape[0] !== model.config.nMel) {
        throw new FlowgpuError(`${path}: a style must be [${model.config.nMel}, frames] (from flowgpu style), got [${shape.join(', ')}]`);
      }
      return data;
    };
    const stylePath = optString(args, 'style');
    let style = stylePath ? await readStyle(stylePath) : undefined;
    const styleB = optString(args, 'style-b');
    if (styleB) {
      if (!style) throw new FlowgpuError('--style-b needs --style (the style to interpolate from)');
      const b = await readStyle(styleB);
      if (b.length !== style.length) throw new FlowgpuError(`--style and --style-b differ in frames (${style.length / model.config.nMel} vs ${b.length / model.config.nMel}); make both with the same --n-frames`);
      style = model.interpolate(style, b, optNumber(args, 'style-t', (v) => v >= 0 && v <= 1, 'a number in [0, 1]') ?? 0.5);
    }
    const maxFrames = optNumber(args, 'max-frames', (v) => Number.isInteger(v) && v > 0, 'a positive integer') ??
      (style && style.length / model.config.nMel > 1 ? style.length / model.config.nMel : 400);
    const r = await model.synthesize(front.ids, {
      speaker,
      sigma: optNumber(args, 'sigma', (v) => v >= 0, 'a number ≥ 0') ?? 0.5,
      gateThreshold: gate >= 1 ? null : gate,
      maxFrames,
      seed: optNumber(args, 'seed', (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer') ?? 1234,
      temperature: optNumber(args, 'temperature', (v) => v > 0, 'a number > 0') ?? 1,
      style,
    });
    const mel = await engine.readF32(r.mel);
    const pngPath = optString(args, 'attention-png');
    if (pngPath) {
      const maps = (await engine.readMany(r.attention)) as Float32Array[];
      const m = attentionMap(maps, r.frames, front.ids.length);
      await writeFile(pngPath, greyPng(m.values, m.rows, m.cols, Math.max(2, Math.min(8, Math.ceil(640 / m.cols)))));
    }
    r.mel.release();
    for (const a of r.attention) a.release();
    if (r.gateFrame < 0 && gate < 1) process.stderr.write(`flowgpu: note: the gate did not fire within ${maxFrames} frames (raise --max-frames?)\n`);
    return { mel, nMel: model.config.nMel, frames: r.frames, sampleRate: 22050, ids: front.ids, unknown: front.unknown };
  } finally {
    model.release();
  }
}

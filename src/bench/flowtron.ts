// Flowtron's autoregressive decoder at the published config (n_hidden 1024, 2 LSTM layers,
// 512-d text, 640 attention channels, 128-d speakers, 2 flows), random weights: frames per second
// of the whole inference loop, gate off and gate on (chunked gate readbacks); gate off also in
// PyTorch (tools/bench/flowtron_torch.py) on the same weights, text and residual.
import type { Engine } from '../gpu/engine.js';
import type { Checkpoint, HostTensor } from '../io/host-tensor.js';
import { Flowtron } from '../models/flowtron.js';
import { gaussian } from '../math/random.js';
import { type Benchmark, type BenchOptions, cpuMicros, type Row, SKIPPED, time, timedLoad, wants } from './harness.js';
import { f32Input, torchReference, withTorchRow } from './torch.js';

export interface FlowtronBenchConfig {
  nHidden: number;
  nLstmLayers: number;
  nTextDim: number;
  nAttn: number;
  nSpeakerDim: number;
  nFlows: number;
  nSpeakers: number;
}

export const PUBLISHED: FlowtronBenchConfig = { nHidden: 1024, nLstmLayers: 2, nTextDim: 512, nAttn: 640, nSpeakerDim: 128, nFlows: 2, nSpeakers: 1 };

/** A Flowtron state dict of random weights (uniform ±1/√fan_in, seeded). */
export function randomFlowtron(c: FlowtronBenchConfig, seed = 1): Checkpoint {
  let s = seed >>> 0;
  const tensors = new Map<string, HostTensor>();
  const add = (name: string, shape: number[], fanIn = shape.at(-1)!): void => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const scale = 1 / Math.sqrt(fanIn);
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      data[i] = ((s >>> 8) / 2 ** 24 * 2 - 1) * scale;
    }
    tensors.set(name, { dtype: 'f32', shape, data });
  };
  const [H, A, D, S, M] = [c.nHidden, c.nAttn, c.nTextDim, c.nSpeakerDim, 80];
  const lstm = (p: string, hidden: number, inputs: number[], suffix = ''): void => {
    inputs.forEach((k, l) => {
      add(`${p}weight_ih_l${l}${suffix}`, [4 * hidden, k]);
      add(`${p}weight_hh_l${l}${suffix}`, [4 * hidden, hidden]);
      add(`${p}bias_ih_l${l}${suffix}`, [4 * hidden], hidden);
      add(`${p}bias_hh_l${l}${suffix}`, [4 * hidden], hidden);
    });
  };
  add('speaker_embedding.weight', [c.nSpeakers, S], 1);
  add('embedding.weight', [185, D], 1);
  for (let i = 0; i < 3; i++) {
    add(`encoder.convolutions.${i}.0.conv.weight`, [D, D, 5], D * 5);
    add(`encoder.convolutions.${i}.0.conv.bias`, [D]);
    add(`encoder.convolutions.${i}.1.weight`, [D], 1);
    add(`encoder.convolutions.${i}.1.bias`, [D], 1);
  }
  lstm('encoder.lstm.', D / 2, [D]);
  lstm('encoder.lstm.', D / 2, [D], '_reverse');
  for (let f = 0; f < c.nFlows; f++) {
    const p = f % 2 === 0 ? `flows.${f}.` : `flows.${f}.ar_step.`;
    add(`${p}conv.weight`, [2 * M, H, 1], H * 4); // small, as a trained flow's scales are
    add(`${p}conv.bias`, [2 * M], H * 4);
    lstm(`${p}lstm.`, H, [H + A, ...Array<number>(c.nLstmLayers - 1).fill(H)]);
    lstm(`${p}attention_lstm.`, H, [M]);
    add(`${p}attention_layer.query.linear_layer.weight`, [A, H]);
    add(`${p}attention_layer.key.linear_layer.weight`, [A, D + S]);
    add(`${p}attention_layer.value.linear_layer.weight`, [A, D + S]);
    add(`${p}attention_layer.v.linear_layer.weight`, [1, A]);
    for (let k = 0; k < 2; k++) {
      add(`${p}dense_layer.layers.${k}.linear_layer.weight`, [H, H]);
      add(`${p}dense_layer.layers.${k}.linear_layer.bias`, [H]);
    }
    if (f === c.nFlows - 1) {
      add(`${p}gate_layer.linear_layer.weight`, [1, H + A]);
      add(`${p}gate_layer.linear_layer.bias`, [1], 1);
    }
  }
  return { tensors, metadata: {} };
}

/** The bench's text: `textLen` token ids. */
export const benchIds = (textLen: number): number[] => Array.from({ length: textLen }, (_, i) => 40 + ((i * 7) % 60));

/** The residual z `[80, frames]` (σ 0.5, seeded): given, so that PyTorch runs the same one. */
export const benchResidual = (frames: number): Float32Array => gaussian(80 * frames, 1, 0.5);

/** Frames per second of `synthesize` (median of `reps` runs of `frames` frames), this process's CPU ms per frame, and the last mel `[80, frames]`. */
export async function flowtronFps(e: Engine, model: Flowtron, frames: number, textLen: number, gate: boolean, reps: number): Promise<{ msPerFrame: number; fps: number; cpuMsPerFrame?: number; dispatchesPerFrame: number; submitsPerFrame: number; mel: Float32Array }> {
  const ids = benchIds(textLen);
  // Threshold 2 never fires (sigmoid ≤ 1) but would skip the readbacks, so gate-on runs use a
  // threshold no random logit reaches and still read every chunk back.
  const opts = { speaker: 0, residual: benchResidual(frames), gateThreshold: gate ? 0.999999 : null };
  let mel: Float32Array = new Float32Array(0);
  const once = async (): Promise<number> => {
    const t0 = performance.now();
    const r = await model.synthesizeTensors(ids, opts);
    mel = await e.readF32(r.mel);
    const dt = performance.now() - t0;
    r.mel.release();
    for (const a of r.attention) a.release();
    return dt;
  };
  await once(); // the first call after load is slower (buffers, driver caches)
  const d0 = e.dispatchCount;
  const s0 = e.submitCount;
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = cpuMicros();
    times.push(await once());
    const c1 = cpuMicros();
    if (c0 !== undefined && c1 !== undefined) cpu.push((c1 - c0) / 1000 / frames);
  }
  cpu.sort((a, b) => a - b);
  const dispatchesPerFrame = (e.dispatchCount - d0) / reps / frames;
  const submitsPerFrame = (e.submitCount - s0) / reps / frames;
  times.sort((a, b) => a - b);
  const ms = times[times.length >> 1]!;
  return { msPerFrame: ms / frames, fps: (1000 * frames) / ms, cpuMsPerFrame: cpu.length ? cpu[cpu.length >> 1] : undefined, dispatchesPerFrame, submitsPerFrame, mel };
}

export const flowtronBenchmark: Benchmark = {
  name: 'flowtron',
  async run(e: Engine, o: BenchOptions): Promise<Row[]> {
    const cpu = e.isSoftware;
    const frames = cpu ? (o.quick ? 8 : 24) : o.quick ? 100 : 400;
    const textLen = 64;
    const shape = `H1024 L2 D512 A640, ${textLen} tokens, ${frames} frames`;
    const kernels = ['synthesize gate off', 'synthesize gate on', 'text encoder'];
    if (!kernels.some((k) => wants(o, k, shape))) return kernels.map((k) => ({ kernel: k, shape, ms: NaN, note: SKIPPED }));
    const ckpt = randomFlowtron(PUBLISHED);
    const { model, loadNote } = await timedLoad(() => Flowtron.load(e, ckpt));
    const rows: Row[] = [];
    const reps = o.quick ? 1 : 3;
    try {
      for (const [k, gate] of [[kernels[0]!, false], [kernels[1]!, true]] as const) {
        if (!wants(o, k, shape)) continue;
        try {
          const r = await flowtronFps(e, model, frames, textLen, gate, reps);
          const row: Row = {
            kernel: k, shape, ms: r.msPerFrame, cpuMs: r.cpuMsPerFrame,
            note: `${r.fps.toFixed(1)} frames/s (${r.dispatchesPerFrame.toFixed(1)} dispatches, ${r.submitsPerFrame.toFixed(2)} submits per frame; ms columns are per frame, encoder included)${gate ? '' : `; ${loadNote}`}`,
          };
          if (gate) {
            rows.push(row);
            continue;
          }
          // PyTorch runs the gate-off inference (the gate-on run makes the same frames here).
          const ref = await torchReference('flowtron_torch.py', ckpt, {
            ids: f32Input([textLen], benchIds(textLen)), speaker: f32Input([1], [0]), residual: f32Input([1, 80, frames], benchResidual(frames)),
          }, reps);
          rows.push(...withTorchRow('flowtron', row, r.mel, ref, (ms) => `${((1000 * frames) / ms).toFixed(1)} frames/s`, frames));
        } catch (err) {
          rows.push({ kernel: k, shape, ms: NaN, note: `failed: ${(err as Error)?.message ?? err}`.slice(0, 200) });
        }
      }
      // The encoder runs once per utterance: synthesize − encoder ≈ the autoregressive decoder.
      const ids = benchIds(textLen);
      rows.push(await time(e, kernels[2]!, `${textLen} tokens (3 conv5 + BiLSTM), once per utterance`, () => model.encode(ids, 0), { bench: o }));
    } finally {
      model.release();
    }
    return rows;
  },
};

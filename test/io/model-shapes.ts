// State dicts with the key names and shapes a model's original code gives it, for a config:
// HiFi-GAN generators built from a jik876 config (weight-normed, as published checkpoints are)
// and any model from a `name [shape]` key list (../shared/reference/keys_*.txt). Data is seeded
// random, or empty where only the shapes are read (detection).

import type { Checkpoint, HostTensor } from '../../src/io/host-tensor.js';
import { randArray } from '../helpers/check.js';
import { readFileBytes } from '../helpers/files.js';

export type Shapes = [string, number[]][];

/** jik876/hifi-gan models.Generator's state dict: conv_pre, ups.i, resblocks.(i·kernels+j), conv_post. */
export function hifiganShapes(h: { resblock: string; upsample_kernel_sizes: number[]; upsample_initial_channel: number; resblock_kernel_sizes: number[]; num_mels?: number }): Shapes {
  const out: Shapes = [];
  const wn = (name: string, shape: number[]) => {
    out.push([`${name}.bias`, [shape[name.startsWith('ups.') ? 1 : 0]!]], [`${name}.weight_g`, [shape[0]!, 1, 1]], [`${name}.weight_v`, shape]);
  };
  const c0 = h.upsample_initial_channel;
  wn('conv_pre', [c0, h.num_mels ?? 80, 7]);
  h.upsample_kernel_sizes.forEach((k, i) => wn(`ups.${i}`, [c0 >> i, c0 >> (i + 1), k]));
  let ch = c0;
  h.upsample_kernel_sizes.forEach((_, i) => {
    ch = c0 >> (i + 1);
    h.resblock_kernel_sizes.forEach((k, j) => {
      const p = `resblocks.${i * h.resblock_kernel_sizes.length + j}`;
      const convs = h.resblock === '1' ? ['convs1', 'convs2'] : ['convs'];
      for (const c of convs) for (let m = 0; m < (h.resblock === '1' ? 3 : 2); m++) wn(`${p}.${c}.${m}`, [ch, ch, k]);
    });
  });
  wn('conv_post', [1, ch, 7]);
  return out;
}

/** `name [d0, d1, ...]` lines → shapes. */
export async function shapesFromKeyList(file: string): Promise<Shapes> {
  const text = new TextDecoder().decode(await readFileBytes(file));
  return text.trim().split('\n').map((line) => {
    const [name, shape] = line.split(' [') as [string, string];
    return [name, shape === ']' ? [] : shape.slice(0, -1).split(', ').map(Number)];
  });
}

/** A checkpoint of these shapes: seeded random values (scaled by 1/√fan-in), or no data at all (`shapeOnly`). */
export function checkpointOf(shapes: Shapes, o: { seed?: number; shapeOnly?: boolean } = {}): Checkpoint {
  let seed = o.seed ?? 1;
  const tensors = new Map<string, HostTensor>();
  for (const [name, shape] of shapes) {
    const n = shape.reduce((a, b) => a * b, 1);
    const fanIn = shape.length > 1 ? n / shape[0]! : 1;
    const data = o.shapeOnly ? new Float32Array(0) : randArray(n, seed++, 1 / Math.sqrt(fanIn));
    tensors.set(name, { dtype: 'f32', shape, data });
  }
  return { tensors, metadata: {} };
}

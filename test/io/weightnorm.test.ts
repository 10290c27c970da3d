import { loadCheckpoint, withPrefix } from '../../src/io/checkpoint.js';
import { numel, type HostTensor } from '../../src/io/host-tensor.js';
import { foldPair, foldWeightNorm } from '../../src/io/weightnorm.js';
import { assert, assertArrayEqual, assertClose, assertEqual, assertRejects } from '../helpers/check.js';
import { goldenBytes } from './fixtures.js';

// torch._weight_norm(v, g, 0) (what remove_weight_norm stores), float32, torch 1.13, on the golden
// weights: [file, layer, flat indices, values]. Covers Conv1d, ConvTranspose1d ([in, out, k], norm
// per input channel) and a single-output-channel conv (g [1, 1, 1]).
const TORCH: [string, string, number[], number[]][] = [
  ['hifigan', 'ups.0', [0, 1170, 2340, 3510, 4680, 5850, 7020, 8191], [0.0013010748662054539, -0.037463415414094925, 0.04104677587747574, 0.011809250339865685, -0.031579162925481796, 0.02233358472585678, 0.008871346712112427, 0.012262477539479733]],
  ['hifigan', 'conv_post', [0, 1, 3, 5, 7, 9, 11, 13], [-8.35052490234375, -7.021435737609863, 11.443422317504883, 11.724064826965332, 15.57393741607666, 9.894959449768066, 0.44834133982658386, 13.853816986083984]],
  ['hifigan', 'resblocks.5.convs1.2', [0, 100, 200, 301, 401, 502, 602, 703], [0.08240436017513275, -0.026004068553447723, -0.030605457723140717, -0.02452576905488968, -0.07805603742599487, 0.002651260234415531, -0.06768684834241867, -0.10581884533166885]],
  ['waveglow', 'WN.0.in_layers.0', [0, 877, 1755, 2632, 3510, 4387, 5265, 6143], [0.02810622937977314, -0.10571412742137909, 0.08559880405664444, -0.08497075736522675, 0.03981732949614525, 0.060069743543863297, -0.017243508249521255, -0.0629425123333931]],
  ['waveglow', 'WN.11.cond_layer', [0, 5851, 11702, 17553, 23405, 29256, 35107, 40959], [-0.052719492465257645, -0.06396124511957169, 0.03281448781490326, -0.030141180381178856, 0.036097344011068344, -0.030708612874150276, 0.04313012957572937, -0.09131442755460739]],
  ['glowtts', 'decoder.flows.2.start', [0, 365, 731, 1096, 1462, 1827, 2193, 2559], [0.08556514233350754, -0.08784552663564682, 0.04504422843456268, 0.049300793558359146, -0.10398844629526138, -0.07137025892734528, 0.03443334996700287, -0.06305278837680817]],
];

async function goldenWeights(model: string): Promise<Map<string, HostTensor>> {
  return withPrefix(loadCheckpoint(await goldenBytes(`${model}-small.safetensors`)), 'weights.').tensors;
}

/** Plain float64 reference: every golden weight-normed layer keeps g along dim 0. */
function reference(g: HostTensor, v: HostTensor): Float64Array {
  const rows = v.shape[0]!;
  const per = numel(v.shape) / rows;
  const out = new Float64Array(numel(v.shape));
  for (let r = 0; r < rows; r++) {
    const row = Array.from((v.data as Float32Array).subarray(r * per, (r + 1) * per));
    const norm = Math.hypot(...row);
    row.forEach((x, i) => (out[r * per + i] = (x * (g.data as Float32Array)[r]!) / norm));
  }
  return out;
}

describe('weight-norm folding', () => {
  it('matches PyTorch remove_weight_norm within 1e-6', async () => {
    for (const [model, layer, idx, want] of TORCH) {
      const w = await goldenWeights(model);
      const folded = foldPair(w.get(`${layer}.weight_g`)!, w.get(`${layer}.weight_v`)!, layer).data as Float32Array;
      const scale = folded.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      idx.forEach((i, j) => {
        assert(Math.abs(folded[i]! - want[j]!) <= 1e-6 * scale, `${model} ${layer}[${i}]: ${folded[i]} vs torch ${want[j]}`);
      });
    }
  });

  for (const model of ['waveglow', 'glowtts', 'hifigan']) {
    it(`folds every ${model} weight_g/weight_v pair into X.weight, in place, within 1e-6 of a float64 reference`, async () => {
      const w = await goldenWeights(model);
      const { tensors, folded } = foldWeightNorm(w);
      const pairs = [...w.keys()].filter((k) => k.endsWith('.weight_g')).map((k) => k.slice(0, -'.weight_g'.length));
      assertEqual(folded.join(), pairs.join(), 'folded layers');
      assertEqual(tensors.size, w.size - pairs.length, 'one tensor per pair');
      for (const base of pairs) {
        const got = tensors.get(`${base}.weight`);
        assert(got && got.dtype === 'f32' && !tensors.has(`${base}.weight_g`), `${base} folded`);
        assertArrayEqual(got.shape, w.get(`${base}.weight_v`)!.shape, `${base} shape`);
        assertClose(got.data as Float32Array, reference(w.get(`${base}.weight_g`)!, w.get(`${base}.weight_v`)!), 1e-6, base);
      }
      // the folded weight takes the place of the pair: key order is otherwise unchanged
      const order = [...w.keys()].filter((k) => !k.endsWith('.weight_v')).map((k) => k.replace(/\.weight_g$/, '.weight'));
      assertEqual([...tensors.keys()].join(), order.join(), 'key order');
    });
  }

  it('takes the whole norm for weight_norm(dim=None) and rejects mismatched pairs', async () => {
    const v: HostTensor = { dtype: 'f32', shape: [2, 1], data: Float32Array.of(3, 4) };
    const g0: HostTensor = { dtype: 'f32', shape: [], data: Float32Array.of(10) };
    assertArrayEqual(foldPair(g0, v, 'x').data as Float32Array, [6, 8], 'dim=None');
    const g3: HostTensor = { dtype: 'f32', shape: [3, 1], data: new Float32Array(3) };
    await assertRejects(() => foldPair(g3, v, 'layer'), /layer: weight_g \[3, 1\] does not match weight_v \[2, 1\]/);
  });
});

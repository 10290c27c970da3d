// Flowtron's weights on the GPU, packed at load for the decoder's kernels: the text encoder's
// convolutions and BiLSTM cells, and per flow the LSTM cells (fused gates), the attention (keys
// and values stacked, query transposed), the dense layers as mat-vecs, the 1x1 conv (and, for the
// fused tuning, the attention-LSTM step's packed weights).
import type { Engine } from '../../gpu/engine.js';
import { FlowgpuError } from '../../gpu/errors.js';
import type { Tensor } from '../../gpu/tensor.js';
import {
  type AttentionWeights, type AttnCellWeights, type CellWeights, type MatvecWeights, packAttnCell, packLstm, packMatvec,
  type StepTuning, transposeHost,
} from '../../ops/flowtron.js';
import type { Weights } from '../weights.js';
import type { FlowtronConfig } from './config.js';

export interface Cell extends CellWeights {}

export interface FlowWeights {
  prefix: string;
  reverse: boolean;
  gate: boolean;
  attnLstm: Cell;
  lstm: Cell[];
  attention: AttentionWeights;
  /** Query weight `[A, H]` (torch layout, for batched queries). */
  wq: Tensor;
  /** `[2A, E]`: key and value weights stacked (torch Linear layout). */
  kvW: Tensor;
  dense: { w: Tensor; mv: MatvecWeights; b: Tensor }[];
  /** The query as a mat-vec (the `separateQuery` tuning). */
  qmv?: MatvecWeights;
  convW: Tensor;
  convWT: Tensor;
  convB: Tensor;
  /** The fused attention-LSTM step's weights (GPU tuning). */
  fused?: AttnCellWeights;
}

const ENCODER_CONVS = 3;

export interface EncoderWeights {
  conv: { w: Tensor; b: Tensor; g: Tensor; beta: Tensor }[];
  fwd: Cell;
  bwd: Cell;
}

export interface FlowtronWeights {
  enc: EncoderWeights;
  /** In model order (the decoder runs them last to first). */
  flows: FlowWeights[];
  /** Zeros as long as any state vector (the first step's inputs). */
  zeros: Tensor;
}

/** Packs and uploads every weight the decoder uses. */
export function flowtronWeights(engine: Engine, weights: Weights, config: FlowtronConfig, tuning: StepTuning): FlowtronWeights {
  const flows: FlowWeights[] = [];
  const w = weights;
  const c = config;
  const packCell = (p: string, layer: number, hidden: number, suffix = ''): { w: Float32Array; bias: Float32Array; k: number } => {
    const wih = w.f32(`${p}weight_ih_l${layer}${suffix}`, [4 * hidden, -1]);
    return packLstm(wih, w.f32(`${p}weight_hh_l${layer}${suffix}`, [4 * hidden, hidden]),
      w.f32(`${p}bias_ih_l${layer}${suffix}`, [4 * hidden]), w.f32(`${p}bias_hh_l${layer}${suffix}`, [4 * hidden]), hidden);
  };
  const cell = (p: string, layer: number, hidden: number, k1: number, suffix = ''): Cell => {
    const packed = packCell(p, layer, hidden, suffix);
    const name = `${p}l${layer}${suffix}.packed`;
    return {
      w: w.put(`${name}.w`, packed.w, [packed.k + hidden, 4 * hidden]),
      bias: w.put(`${name}.b`, packed.bias, [4 * hidden]),
      hidden, k1, k2: packed.k - k1,
    };
  };
  const d = c.nTextDim;
  const enc: EncoderWeights = {
    conv: Array.from({ length: ENCODER_CONVS }, (_, i) => ({
      w: w.gemm(`encoder.convolutions.${i}.0.conv.weight`, [d, d, -1]),
      b: w.gpu(`encoder.convolutions.${i}.0.conv.bias`, [d]),
      g: w.gpu(`encoder.convolutions.${i}.1.weight`, [d]),
      beta: w.gpu(`encoder.convolutions.${i}.1.bias`, [d]),
    })),
    fwd: cell('encoder.lstm.', 0, d / 2, d),
    bwd: cell('encoder.lstm.', 0, d / 2, d, '_reverse'),
  };
  const [H, A, M, E] = [c.nHidden, c.nAttn, c.nMel, c.nTextDim + c.nSpeakerDim];
  for (let i = 0; i < c.nFlows; i++) {
    const p = i % 2 === 0 ? `flows.${i}.` : `flows.${i}.ar_step.`;
    const gate = i === c.nFlows - 1 && c.useGate;
    const wq = w.f32(`${p}attention_layer.query.linear_layer.weight`, [A, H]);
    const v = w.f32(`${p}attention_layer.v.linear_layer.weight`, [1, A]);
    const small = new Float32Array(A + H + A + 1);
    small.set(v, 0);
    if (gate) {
      small.set(w.f32(`${p}gate_layer.linear_layer.weight`, [1, H + A]), A);
      small[A + H + A] = w.f32(`${p}gate_layer.linear_layer.bias`, [1])[0]!;
    }
    const kv = new Float32Array(2 * A * E);
    kv.set(w.f32(`${p}attention_layer.key.linear_layer.weight`, [A, E]), 0);
    kv.set(w.f32(`${p}attention_layer.value.linear_layer.weight`, [A, E]), A * E);
    const convW = w.f32(`${p}conv.weight`, [2 * M, H, 1]);
    let fused: AttnCellWeights | undefined;
    if (tuning.fused) {
      const pc = packCell(`${p}attention_lstm.`, 0, H);
      if (pc.k !== M) throw new FlowgpuError(`flowtron: ${p}attention_lstm takes ${pc.k} inputs, expected ${M} mel channels`);
      const packed = packAttnCell(pc.w, wq, convW, w.f32(`${p}conv.bias`, [2 * M]), H, M, A);
      fused = { w: w.put(`${p}attn_cell.packed`, packed, [packed.length]), bias: w.put(`${p}attn_cell.bias`, pc.bias, [4 * H]), hidden: H, mel: M, attn: A };
    }
    flows.push({
      fused,
      prefix: p,
      reverse: i % 2 === 1,
      gate,
      attnLstm: cell(`${p}attention_lstm.`, 0, H, M),
      lstm: Array.from({ length: c.nLstmLayers }, (_, l) => cell(`${p}lstm.`, l, H, H)),
      attention: {
        wqT: w.put(`${p}attention_layer.query.T`, transposeHost(wq, A, H), [H, A]),
        small: w.put(`${p}attention_layer.small`, small, [small.length]),
        hidden: H,
        attn: A,
      },
      wq: w.gemm(`${p}attention_layer.query.linear_layer.weight`, [A, H]),
      kvW: w.putGemm(`${p}attention_layer.kv`, kv, [2 * A, E]),
      dense: [0, 1].map((k) => {
        const name = `${p}dense_layer.layers.${k}.linear_layer.weight`;
        const bname = `${p}dense_layer.layers.${k}.linear_layer.bias`;
        const pk = packMatvec(w.f32(name, [H, H]), H, H, w.f32(bname, [H]));
        return {
          w: w.gemm(name, [H, H]),
          mv: { w: w.put(`${name}.mv`, pk.w, [H, pk.b.length]), b: w.put(`${bname}.mv`, pk.b, [pk.b.length]), k: H, n: H },
          b: w.gpu(bname, [H]),
        };
      }),
      qmv: tuning.separateQuery ? (() => {
        const pk = packMatvec(wq, A, H);
        return { w: w.put(`${p}attention_layer.query.mv`, pk.w, [H, pk.b.length]), b: w.put(`${p}attention_layer.query.mv.b`, pk.b, [pk.b.length]), k: H, n: A };
      })() : undefined,
      convW: w.putGemm(`${p}conv.weight.2d`, convW, [2 * M, H]),
      convWT: w.put(`${p}conv.weight.T`, transposeHost(convW, 2 * M, H), [H, 2 * M]),
      convB: w.gpu(`${p}conv.bias`, [2 * M]),
    });
  }
  const nz = Math.max(H, M, d, A);
  const zeros = engine.persistent(new Float32Array(nz), [nz], 'flowtron.zeros');
  return { enc, flows, zeros };
}

// XSpkEmoTrans (keonlee9420/Cross-Speaker-Emotion-Transfer) at its published RAVDESS size (1.2 M
// parameters, random weights): text → mel with a hard emotion token and an external speaker
// embedding, in frames per second and real-time factor, and in PyTorch (tools/bench/cset_torch.py)
// on the same weights, text, emotion and speaker.
import type { Engine } from '../gpu/engine.js';
import type { Checkpoint, HostTensor } from '../io/host-tensor.js';
import { gaussian, mulberry32 } from '../math/random.js';
import { CSET, sinusoidTable } from '../models/cset.js';
import { type Benchmark, type BenchOptions, type Row, timedLoad, wants } from './harness.js';
import { f32Input, modelRows } from './torch.js';

const E = 64; // encoder, duration predictor and decoder hidden size
const MAX_SEQ = 320;
const FILTERS = [32, 32, 64, 64, 128, 128]; // reference encoder conv channels

/**
 * A state dict with the names and shapes of the published RAVDESS checkpoint (450000.pth.tar,
 * the external-speaker variant), seeded uniform ±1/√fan-in, except that the
 * duration predictor's last layer norm and projection give log-durations near ln 6 (about 5
 * frames per token; random ones round most durations to 0 or explode).
 */
export function randomCset(seed = 1): Checkpoint {
  const u = mulberry32(seed);
  const tensors = new Map<string, HostTensor>();
  const put = (name: string, shape: number[], scale: number, offset = 0): void => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = offset + (u() * 2 - 1) * scale;
    tensors.set(name, { dtype: 'f32', shape, data });
  };
  const lin = (p: string, out: number, inp: number, bias = true): void => {
    put(`${p}.linear.weight`, [out, inp], 1 / Math.sqrt(inp));
    if (bias) put(`${p}.linear.bias`, [out], 1 / Math.sqrt(inp));
  };
  const norm = (p: string): void => {
    put(`${p}.weight`, [E], 0.1, 1);
    put(`${p}.bias`, [E], 0.1);
  };
  const positions = (p: string): void => {
    tensors.set(`${p}.position_enc`, { dtype: 'f32', shape: [1, MAX_SEQ + 1, E], data: sinusoidTable(MAX_SEQ + 1, E) });
  };
  const fft = (p: string): void => {
    for (const w of ['w_qs', 'w_ks', 'w_vs', 'fc']) lin(`${p}.slf_attn.${w}`, E, E, false);
    norm(`${p}.slf_attn.layer_norm`);
    put(`${p}.pos_ffn.w_1.weight`, [4 * E, E, 9], 1 / Math.sqrt(E * 9));
    put(`${p}.pos_ffn.w_1.bias`, [4 * E], 1 / Math.sqrt(E * 9));
    put(`${p}.pos_ffn.w_2.weight`, [E, 4 * E, 1], 1 / Math.sqrt(4 * E));
    put(`${p}.pos_ffn.w_2.bias`, [E], 1 / Math.sqrt(4 * E));
    norm(`${p}.pos_ffn.layer_norm`);
  };
  const lconv = (p: string, heads: number, k: number, scln: boolean): void => {
    lin(`${p}.act_linear`, 2 * E, E);
    put(`${p}.conv_layer.weight`, [heads, 1, k], 1);
    lin(`${p}.fc1`, 4 * E, E);
    lin(`${p}.fc2`, E, 4 * E);
    if (scln) for (const s of ['SCLN_1', 'SCLN_2']) lin(`${p}.${s}.affine_layer`, 2 * E, E, false);
    else norm(`${p}.layer_norm`);
  };
  put('encoder.src_word_emb.weight', [362, E], 1);
  positions('encoder');
  fft('encoder.layer_stack.0');
  FILTERS.forEach((f, i) => {
    const inp = i === 0 ? 1 : FILTERS[i - 1]!;
    put(`emotion_emb.encoder.convs.${i}.weight`, [f, inp, 3, 3], 1 / Math.sqrt(inp * 9));
    put(`emotion_emb.encoder.convs.${i}.bias`, [f], 1 / Math.sqrt(inp * 9));
    const bn = `emotion_emb.encoder.bns.${i}`;
    put(`${bn}.weight`, [f], 0.1, 1);
    put(`${bn}.bias`, [f], 0.1);
    put(`${bn}.running_mean`, [f], 0.1);
    put(`${bn}.running_var`, [f], 0.1, 1);
  });
  const gruIn = FILTERS.at(-1)! * 2; // 80 mels halved by 6 stride-2 convs → 2
  put('emotion_emb.encoder.gru.weight_ih_l0', [96, gruIn], 1 / Math.sqrt(32));
  put('emotion_emb.encoder.gru.weight_hh_l0', [96, 32], 1 / Math.sqrt(32));
  put('emotion_emb.encoder.gru.bias_ih_l0', [96], 1 / Math.sqrt(32));
  put('emotion_emb.encoder.gru.bias_hh_l0', [96], 1 / Math.sqrt(32));
  put('emotion_emb.etl.embed', [8, E], 0.5);
  put('emotion_emb.etl.attention.W_query.weight', [E, 32], 1 / Math.sqrt(32));
  put('emotion_emb.etl.attention.W_key.weight', [E, E], 1 / Math.sqrt(E));
  put('emotion_emb.etl.attention.W_value.weight', [E, E], 1 / Math.sqrt(E));
  positions('duratin_predictor');
  fft('duratin_predictor.layer_stack.0');
  lconv('duratin_predictor.lconv_stack.0', 2, 3, false);
  // LayerNorm output ≈ bias 1 (gain 0.1), projection summing to ≈ ln 6.
  put('duratin_predictor.lconv_stack.0.layer_norm.weight', [E], 0.1);
  put('duratin_predictor.lconv_stack.0.layer_norm.bias', [E], 0, 1);
  put('duratin_predictor.linear_layer.linear.weight', [1, E], 0.2 / E, Math.log(6) / E);
  for (let i = 0; i < 6; i++) {
    lconv(`decoder.lconv_stack.${i}`, 8, 15, true);
    lin(`decoder.mel_projection.${i}`, 80, E, false);
  }
  put('speaker_emb.weight', [E, 512], 1 / Math.sqrt(512));
  put('speaker_emb.bias', [E], 1 / Math.sqrt(512));
  return { tensors, metadata: {} };
}

async function run(e: Engine, o: BenchOptions): Promise<Row[]> {
  const tokens = 40;
  const kernel = 'xspkemotrans hard emotion (random weights)';
  const shape = `RAVDESS size, ${tokens} tokens → 80-mel`;
  if (!wants(o, kernel, shape)) return [];
  const ckpt = randomCset();
  const { model, loadNote } = await timedLoad(() => CSET.load(e, ckpt));
  try {
    const ids = Array.from({ length: tokens }, (_, i) => 1 + ((i * 11) % 300));
    const speakerEmbedding = gaussian(512, 3, 0.1);
    const emotion = 2;
    return await modelRows(o, {
      name: 'xspkemotrans', kernel, shape, loadNote, script: 'cset_torch.py', ckpt,
      call: async () => (await model.synthesize(ids, { speakerEmbedding, emotion })).mel,
      seconds: (mel) => (mel.length / 80 * 256) / 22050,
      rate: (ms, mel) => `${mel.length / 80} frames, ${((mel.length / 80 / ms) * 1000).toFixed(0)} frames/s`,
      torchInputs: () => ({ ids: f32Input([tokens], ids), speaker: f32Input([512], speakerEmbedding), emotion: f32Input([1], [emotion]) }),
    });
  } finally {
    model.release();
  }
}

export const csetBenchmark: Benchmark = { name: 'xspkemotrans', run };
